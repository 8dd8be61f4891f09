"""The layout families of the generator: each prints what its truth says, in its own layout."""

import io
import random

import pypdfium2
import pytest
from PIL import Image

from archive.demo import families
from archive.demo.scans import Degradation, scan, title_of

ALL = [(kind, family) for kind, names in families.FAMILIES.items() for family in names]


@pytest.mark.parametrize(("kind", "family"), ALL)
def test_every_name_and_code_of_the_truth_is_printed(kind, family):
    for index in range(5):
        document = families.make(kind, family, random.Random(f"test:{kind}:{family}:{index}"))
        text = "\n".join(document.lines)
        assert document.kind == kind and document.family == family
        for name, value in document.truth.items():
            if name == "visit_type":
                assert {"inpatient": "住院", "outpatient": "门诊"}[value] in document.title + text
            elif isinstance(value, str) and not value[:1].isdigit() and "-" not in value:
                assert value in text, (name, value)  # names, wordings; not amounts and dates
            elif name.endswith(("_number", "_code")) and isinstance(value, str):
                assert value in text, (name, value)


def test_at_least_three_new_families_per_kind_and_one_held_back():
    for kind, names in families.FAMILIES.items():
        assert len(set(names) - {"classic"}) >= 3, kind
        assert any(held.startswith(f"{kind}.") for held in families.HOLDOUT), kind
    assert all(held.split(".")[1] in families.FAMILIES[held.split(".")[0]] for held in families.HOLDOUT)


def test_names_come_from_large_pools_not_the_reference_lists():
    from archive.ocr.reference import names

    rng = random.Random(7)
    hospitals = {families.pools.hospital(rng) for _ in range(300)}
    people = {families.pools.person(rng) for _ in range(300)}
    assert len(hospitals) > 250 and len(people) > 200
    assert not hospitals & set(names("providers"))


def test_grid_cells_are_drawn_where_the_layout_puts_them():
    """A grid row's second cell starts right of the first: the value sits under its label."""
    document = families.make("invoice", "grid", random.Random(3))
    assert document.layout and isinstance(document.layout[0][0], tuple)
    assert title_of(document) == document.title
    page = Image.open(io.BytesIO(scan(document, seed=1, fmt="PNG", degradation=Degradation(dpi=100)).content))
    grey = page.convert("L")
    # The value row (second row) has ink in the last quarter of the width: cells, not one line.
    width = grey.width
    right = grey.crop((int(width * 0.75), 0, width, grey.height))
    assert right.getextrema()[0] < 128


def test_a_multi_page_family_prints_each_page():
    document = families.make("agreement", "prose", random.Random(4))
    assert document.pages == 3 and len(pypdfium2.PdfDocument(document.content)) == 3
