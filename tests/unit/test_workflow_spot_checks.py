"""The spot-check draw (抽查): an exact quota, ranked by HMAC with the month's committed seed."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import pytest

from archive.signoff import BadRequest, registry
from archive.signoff.months import month_bounds, parse_month
from archive.signoff.rules import load_rules
from archive.signoff.workdays import CHINA
from archive.workflows.spot_draws import draw_cases, quota, rank


def test_the_quota_is_exact_and_rounded_up():
    assert [quota(0.25, n) for n in (0, 1, 3, 4, 5, 8, 9, 100)] == [0, 1, 1, 1, 2, 2, 3, 25]
    assert [quota(0.15, n) for n in (1, 7, 20, 21, 100)] == [1, 2, 3, 4, 15]  # 0.15 × 20 is 3, not 4
    assert [quota(0.02, n) for n in (0, 1, 50, 51, 120)] == [0, 1, 1, 2, 3]


def test_the_draw_is_the_documented_hmac_ranking_and_takes_exactly_the_quota():
    seed = "ab" * 32
    cases = [f"AJ-2026-{i:06d}" for i in range(1, 41)]
    drawn = draw_cases(seed, "2026-11", "sporadic_claim", 0.25, list(reversed(cases)))
    assert len(drawn) == 10 and drawn == sorted(drawn) and set(drawn) <= set(cases)

    # printf '%s' '2026-11|sporadic_claim|CASE' | openssl dgst -sha256 -mac HMAC -macopt hexkey:SEED
    def documented(case_no):
        return hmac.new(bytes.fromhex(seed), f"2026-11|sporadic_claim|{case_no}".encode(),
                        hashlib.sha256).hexdigest()

    assert drawn == sorted(sorted(cases, key=documented)[:10])
    assert rank(seed, "2026-11", "sporadic_claim", cases[0]) == documented(cases[0])
    # Another seed draws another set of the same size; the case number alone predicts nothing.
    other = draw_cases("cd" * 32, "2026-11", "sporadic_claim", 0.25, cases)
    assert len(other) == 10 and other != drawn


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
