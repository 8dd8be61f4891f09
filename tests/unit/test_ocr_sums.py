"""Sums and products a document prints hold; read by OCR (photos, scans), values that break one
hold a misread value and end absent and reported, not wrong (issue 17: wrong ≤ 0.5 %)."""

import pytest

from archive.ocr.fields import read_fields
from archive.ocr.lines import Line

GAP = "    "
SPLIT = "统筹基金支付：3000.00  个人账户支付：202.73  个人自付：1000.00  个人自费：0.00"
HEADER = GAP.join(("项目名称", "规格", "单价", "数量", "金额", "类别"))


def ocr(text: str, confidence: float = 97.0) -> Line:
    return Line(text, tuple(confidence for _ in text))


def refused(reading) -> set[str]:
    return {item["field"] for item in reading.unreadable if item["reason"] == "contradicted"}


def test_a_fund_split_beside_funds_it_does_not_name_is_not_refused_for_not_adding_up():
    # 大病保险支付 and 个人现金支付 printed too, the account paying part of 自付: the four terms need
    # not add up to the total on a real bill, so their not adding up proves no misread.
    lines = [ocr("合计（小写）：400.00"), ocr("统筹基金支付：200.00  大病保险支付：100.00"),
             ocr("个人账户支付：50.00  个人现金支付：50.00"), ocr("个人自付：80.00  个人自费：20.00")]
    reading = read_fields("invoice", lines)
    assert not refused(reading)
    taken = ("total_amount", "fund_paid", "personal_account_paid", "self_paid", "self_funded")
    assert [reading.fields[name] for name in taken] == ["400.00", "200.00", "50.00", "80.00", "20.00"]


def test_a_sum_that_holds_leaves_every_term_taken():
    lines = [ocr("合计（小写）：4202.73"), ocr("合计（大写）：肆仟贰佰零贰元柒角叁分"), ocr(SPLIT)]
    reading = read_fields("invoice", lines)
    assert reading.fields["personal_account_paid"] == "202.73" and not refused(reading)


def test_a_vat_total_its_amount_and_tax_contradict_with_nothing_to_confirm_it_is_refused_with_them():
    lines = [ocr("合计金额：100.00"), ocr("合计税额：13.00"), ocr("价税合计（小写）：¥118.00")]
    reading = read_fields("vat_invoice", lines)
    assert refused(reading) >= {"amount", "tax", "total_amount"}
    assert not {"amount", "tax", "total_amount"} & reading.fields.keys()


def test_a_statement_total_its_items_do_not_add_up_to_is_refused_with_the_items():
    rows = [GAP.join(("阿莫西林胶囊", "0.25g", "12.50", "2", "25.00", "甲")),
            GAP.join(("胸部X线摄影", "次", "80.00", "1", "80.00", "甲"))]
    lines = [ocr("姓名：张三"), ocr("清单日期：2026-03-05"), ocr(HEADER), *map(ocr, rows),
             ocr("合计：185.00")]
    reading = read_fields("daily_statement", lines)
    assert "daily_total" not in reading.fields and "items" not in reading.fields
    assert refused(reading) == {"daily_total", "items"}
    # With the total read as printed, both are taken.
    lines[-1] = ocr("合计：105.00")
    reading = read_fields("daily_statement", lines)
    assert reading.fields["daily_total"] == "105.00" and len(reading.fields["items"]) == 2


def test_a_text_layer_keeps_a_broken_sum_for_the_checks_to_report():
    lines = [Line("合计金额：100.00"), Line("合计税额：13.00"), Line("价税合计（小写）：¥118.00")]
    fields = read_fields("vat_invoice", lines).fields
    assert (fields["amount"], fields["tax"], fields["total_amount"]) == ("100.00", "13.00", "118.00")


def test_an_ocr_row_whose_price_times_quantity_is_not_its_amount_is_not_taken():
    # 12.50 × 2 printed 25.00, read 26.00 with confidence (a 5 read as 6).
    misread = GAP.join(("阿莫西林胶囊", "0.25g", "12.50", "2", "26.00", "甲"))
    lines = [ocr("姓名：张三"), ocr("清单日期：2026-03-05"), ocr(HEADER), ocr(misread)]
    reading = read_fields("daily_statement", lines)
    assert "items" not in reading.fields
    assert [item["reason"] for item in reading.unreadable if item["field"] == "items"] == ["row_unreadable"]
    # The same row from a text layer is what was printed.
    assert read_fields("daily_statement", [Line(text.text) for text in lines]).fields["items"][0]["amount"] \
        == "26.00"


def test_an_admission_read_after_the_discharge_leaves_both_dates_absent():
    # 2026-03-05 read 2026-08-05 (a 3 read as 8): the stay would end before it began.
    lines = [ocr("入院日期：2026-08-05"), ocr("出院日期：2026-03-12")]
    reading = read_fields("invoice", lines)
    assert not {"admission_date", "discharge_date"} & reading.fields.keys()
    assert refused(reading) == {"admission_date", "discharge_date"}
    in_order = read_fields("invoice", [ocr("入院日期：2026-03-05"), ocr("出院日期：2026-03-12")])
    dates = (in_order.fields["admission_date"], in_order.fields["discharge_date"])
    assert dates == ("2026-03-05", "2026-03-12")


def fee_bill(*, fund: str = "3000.00", cash: str = "1200.00", total: str = "5000.00",
             capital: str | None = "伍仟元整", cash_line: bool = True,
             other_funds: str = "其他支付：500.00") -> list[Line]:
    """A medical fee bill as the MoF template (财综〔2018〕72号) prints it, read by OCR: 合计 =
    统筹 + 其他基金 + 账户 + 现金 (3000 + 500 + 300 + 1200), the account paying part of 自付."""
    lines = [ocr("医疗收费票据（电子）"), ocr("票据代码：44060126  票据号码：0012345678"),
             ocr("交款人：张三  开票日期：2026-03-05"), ocr(f"合计（小写）：{total}")]
    lines += [ocr(f"合计（大写）：{capital}")] if capital else []
    lines += [ocr(f"医保统筹基金支付：{fund}  {other_funds}"),
              ocr("个人账户支付：300.00" + (f"  个人现金支付：{cash}" if cash_line else "")),
              ocr("个人自付：1100.00  个人自费：400.00"), ocr("收款单位（章）：某某县人民医院")]
    return lines


FUND_BLOCK = ("total_amount", "fund_paid", "personal_account_paid", "self_paid", "self_funded")


def test_a_real_style_bill_with_other_funds_and_the_account_paying_part_of_self_paid_is_not_refused():
    reading = read_fields("invoice", fee_bill())
    assert not refused(reading)
    assert [reading.fields[name] for name in FUND_BLOCK] == [
        "5000.00", "3000.00", "300.00", "1100.00", "400.00"]


@pytest.mark.parametrize("other_funds", [
    "其他支付：500.00  大病保险支付：500.00",  # 其他支付 already holds the 大病保险 beside it
    "其他支付：0.00  大病保险支付：500.00", "其他支付：0.00  民政救助：500.00",
    "其他支付：0.00  医院减免：500.00", "其他支付：0.00  离休统筹支付：500.00",
    "其他支付：0.00  大额医疗费用补助：500.00", "其他支付：0.00  商业保险赔付：500.00",
    "其他支付：0.00  职工大额：500.00",
    "大病保险支付：500.00",  # the other funds line by line, no 其他支付: the identity is not printed
])
def test_payers_the_identity_does_not_know_leave_it_unjudged(other_funds):
    # Each bill is right; added up as the MoF template's four payers it would break (or not be
    # printed), so nothing is refused for it.
    reading = read_fields("invoice", fee_bill(other_funds=other_funds))
    assert not refused(reading)
    assert [reading.fields[name] for name in FUND_BLOCK] == [
        "5000.00", "3000.00", "300.00", "1100.00", "400.00"]


def test_a_misread_fund_payment_breaking_the_bills_payment_identity_is_refused():
    # 3000.00 read 3600.00 with confidence (a 0 read as 6): the payers no longer add up to 合计,
    # which its capital writing upholds; the fund and the account are refused, not given.
    reading = read_fields("invoice", fee_bill(fund="3600.00"))
    assert "fund_paid" not in reading.fields and "personal_account_paid" not in reading.fields
    assert refused(reading) == {"fund_paid", "personal_account_paid"}
    assert reading.fields["total_amount"] == "5000.00"


def test_a_misread_total_with_no_capital_is_refused_with_the_payers():
    reading = read_fields("invoice", fee_bill(total="5800.00", capital=None))
    assert refused(reading) == {"total_amount", "fund_paid", "personal_account_paid"}
    assert not {"total_amount", "fund_paid", "personal_account_paid"} & reading.fields.keys()


def test_a_bill_printing_only_some_payers_is_not_judged_by_the_identity():
    # No 个人现金支付 printed: the identity is not stated, so nothing it names is refused.
    reading = read_fields("invoice", fee_bill(fund="3600.00", cash_line=False))
    assert not refused(reading) and reading.fields["fund_paid"] == "3600.00"


def test_a_payer_printed_but_read_in_doubt_leaves_the_identity_unjudged():
    lines = fee_bill(fund="3600.00")
    lines[-3] = Line(lines[-3].text, tuple(40.0 if ch.isdigit() and n > 20 else 97.0
                                           for n, ch in enumerate(lines[-3].text)))
    reading = read_fields("invoice", lines)
    assert not refused(reading) and reading.fields["fund_paid"] == "3600.00"
