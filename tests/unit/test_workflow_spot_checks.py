"""The spot-check draw (抽查): reproducible from the case number and month, with the configured share."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime

import pytest

from archive.workflows import BadRequest, draw_value, registry
from archive.workflows.rules import load_rules
from archive.workflows.spot_checks import month_bounds, parse_month
from archive.workflows.workdays import CHINA


def test_the_draw_is_the_documented_sha256_computation():
    # printf '%s' 'AJ-2026-000123|2026-11' | sha256sum → take 16 hex digits, divide by 2^64.
    digest = hashlib.sha256(b"AJ-2026-000123|2026-11").hexdigest()
    assert draw_value("AJ-2026-000123", "2026-11") == int(digest[:16], 16) / 2**64
    assert draw_value("AJ-2026-000123", "2026-11") == draw_value("AJ-2026-000123", "2026-11")
    assert draw_value("AJ-2026-000123", "2026-11") != draw_value("AJ-2026-000123", "2026-12")
    assert 0 <= draw_value("AJ-2026-000123", "2026-11") < 1


@pytest.mark.parametrize("share", [0.15, 0.25])
def test_the_share_drawn_on_a_large_generated_set_is_the_configured_one(share):
    n = 40_000
    numbers = [f"AJ-{2025 + i % 2}-{i:06d}" for i in range(n)]
    drawn = sum(draw_value(case_no, "2026-11") < share for case_no in numbers)
    # Binomial: the observed share is within 5 standard deviations (fails by chance < 1e-6).
    bound = 5 * math.sqrt(share * (1 - share) / n)
    assert abs(drawn / n - share) < bound, (drawn / n, share, bound)
    # Another month draws a (nearly) independent set: the overlap is about share².
    again = sum(draw_value(c, "2026-11") < share and draw_value(c, "2026-12") < share for c in numbers)
    assert abs(again / n - share ** 2) < 5 * math.sqrt(share ** 2 * (1 - share ** 2) / n)


def test_the_configured_groups():
    groups = {g.name: g for g in registry().spot_checks}
    assert (groups["onsite_settlement"].share, groups["onsite_settlement"].chains) == (0.15, ("in_network",))
    assert groups["sporadic_claim"].share == 0.25
    assert set(groups["sporadic_claim"].chains) == {"window_intake", "out_of_network"}


@pytest.mark.parametrize(("text", "says"), [
    ('share = 15', "share must be a number from 0 to 1"),
    ('chains = "in_network"', "chains must list chain names"),
    ('zhh = "x"', "needs exactly name, zh, en, share and chains"),
])
def test_a_bad_spot_check_table_is_refused(tmp_path, text, says):
    good = {"name": 'name = "g"', "zh": 'zh = "组"', "en": 'en = "G"', "share": "share = 0.1",
            "chains": 'chains = ["in_network"]'}
    key = text.split(" =")[0]
    lines = [text if k == key else v for k, v in good.items()] + ([text] if key not in good else [])
    path = tmp_path / "workflow.toml"
    path.write_text("[[spot_check]]\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=says):
        load_rules(path)


def test_months():
    assert parse_month("2026-02") == "2026-02"
    for bad in ("2026-13", "26-01", "2026/01", "2026-1"):
        with pytest.raises(BadRequest, match="YYYY-MM"):
            parse_month(bad)
    assert month_bounds("2026-12") == (datetime(2026, 12, 1, tzinfo=CHINA),
                                       datetime(2027, 1, 1, tzinfo=CHINA))
