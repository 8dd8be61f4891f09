"""Deductions (扣款) as the desk types them and as they are stored with a sign-off."""

from __future__ import annotations

from decimal import Decimal

import pytest

from archive.signoff import Incomplete
from archive.workflows import deduction_lines
from archive.workflows.deductions import recorded_deductions


def test_lines_of_amount_and_reason():
    text = "1200.50 超标准收费\n\n  300，重复收费：CT\n45元 挂床住院\n1,000.00\t分解住院"
    assert deduction_lines(text) == [
        {"amount": "1200.50", "reason": "超标准收费"}, {"amount": "300", "reason": "重复收费：CT"},
        {"amount": "45", "reason": "挂床住院"}, {"amount": "1,000.00", "reason": "分解住院"}]
    assert deduction_lines("") == [] and deduction_lines(None) == []


@pytest.mark.parametrize("line", ["超标准收费 1200", "1200", "  -5 负数"])
def test_a_line_without_amount_and_reason_is_refused_with_its_number(line):
    with pytest.raises(Incomplete, match="Deduction line 2 "):
        deduction_lines(f"10 ok\n{line}")


def test_recorded_with_two_places_and_their_total():
    recorded = recorded_deductions(deduction_lines("1,000.00 a\n0.5 b"), Decimal("1000.50"))
    assert recorded == {"deductions": [{"amount": "1000.00", "reason": "a"},
                                       {"amount": "0.50", "reason": "b"}],
                        "deductions_total": "1000.50"}
    with pytest.raises(Incomplete, match="exceed the amount audited"):
        recorded_deductions(deduction_lines("1,000.00 a\n0.51 b"), Decimal("1000.50"))
    assert recorded_deductions([], None) == {"deductions": [], "deductions_total": "0.00"}
    with pytest.raises(Incomplete, match="At most 200"):
        recorded_deductions([{"amount": "1", "reason": "x"}] * 201, None)
