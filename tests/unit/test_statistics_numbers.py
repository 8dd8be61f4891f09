"""The statistics page writes its figures without babel's format_decimal (too slow for the
thousand figures of a quarter's page): the text must stay what babel writes, in each language
the page is offered in and in locales that swap the separators."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from flask import Flask
from flask_babel import Babel, force_locale
from flask_babel import format_decimal as babel_decimal

from archive.web.statistics import stat_number

EDGES = [0, 1, -1, 0.5, 1.5, 2.5, -2.5, 0.125, 1234.565, 999999.995, 12345678901.23, 33.333333, 1e-9,
         Decimal("0.005"), Decimal("0.015"), Decimal("-1234.5"), 10**12]


@pytest.mark.parametrize("locale", ["zh_CN", "en", "de", "fr"])
def test_figures_read_as_babel_writes_them(locale):
    app = Flask(__name__)
    Babel(app)
    rng = random.Random(19)
    values = EDGES + [rng.randrange(-10**10, 10**10) / 100 for _ in range(300)]
    values += [Decimal(rng.randrange(-10**9, 10**9)).scaleb(-3) for _ in range(300)]
    with app.test_request_context(), force_locale(locale):
        for value in values:
            for places in (0, 1, 2):
                pattern = "#,##0" + ("." + "0" * places if places else "")
                want = babel_decimal(Decimal(value), format=pattern)
                assert stat_number(value, places) == want, (value, places)
        assert stat_number(None) == "—"


def test_rows_are_written_as_the_cells_were():
    """The page's rows, written in Python: figures in the locale's symbols (whole numbers without
    places), none as —, names as written kept untranslated, and every text escaped."""
    from markupsafe import Markup

    from archive.statistics.tables import Named
    from archive.web.statistics_rows import row_html, symbols

    row = [Named('<b>"诊所" & 1</b>'), "<i>", 1234567, Decimal("1234.565"), 0.5, None, Decimal("-2.5")]
    html = row_html(row, symbols("de"))
    assert isinstance(html, Markup)
    assert html == ('<td translate="no">&lt;b&gt;&#34;诊所&#34; &amp; 1&lt;/b&gt;</td><td>&lt;i&gt;</td>'
                    '<td class="num">1.234.567</td><td class="num">1.234,56</td>'
                    '<td class="num">0,50</td><td class="num">—</td><td class="num">-2,50</td>')
