"""The `vat_invoice` kind (增值税发票 / 数电票): read from its printed labels, checked, and listed
wherever kinds are."""

from __future__ import annotations

from datetime import date

from archive.models.cases import DOCUMENT_KINDS
from archive.ocr.checks import check_document
from archive.ocr.fields import guess_kind, read_fields
from archive.web.i18n import KIND_LABELS
from archive.workflows.checklist import KIND_NAMES

DIGITAL = """电子发票（普通发票）
发票号码：24112000000048542163
开票日期：2024年05月28日
购买方名称：海南麒麟云服科技有限公司
购买方纳税人识别号：91460300MAA92DJN95
销售方名称：北京互联三六五科技有限公司
销售方纳税人识别号：91110108690017781B
合计金额：¥4197.17  合计税额：¥251.83
价税合计（大写）：肆仟肆佰肆拾玖圆整  （小写）：¥4449.00"""


def test_a_digital_invoice_is_recognised_and_read_by_its_labels():
    assert guess_kind(DIGITAL) == "vat_invoice"
    fields = read_fields("vat_invoice", DIGITAL).fields
    assert fields == {
        "invoice_number": "24112000000048542163", "issue_date": "2024-05-28",
        "buyer_name": "海南麒麟云服科技有限公司", "buyer_tax_id": "91460300MAA92DJN95",
        "seller_name": "北京互联三六五科技有限公司", "seller_tax_id": "91110108690017781B",
        "amount": "4197.17", "tax": "251.83", "total_amount": "4449.00", "total_amount_capital": "4449.00"}


def test_an_older_vat_invoice_has_a_code_an_8_digit_number_and_a_check_code():
    text = ("增值税电子普通发票\n发票代码：050001700111\n发票号码：12235358\n开票日期：2020年08月05日\n"
            "校验码：16630 28298 09915 10014")
    fields = read_fields("vat_invoice", text).fields
    assert fields == {"invoice_code": "050001700111", "invoice_number": "12235358",
                      "issue_date": "2020-08-05", "check_code": "16630282980991510014"}


def test_a_number_of_another_length_is_not_taken():
    reading = read_fields("vat_invoice", "发票号码：2411200000004854216")  # 19 digits
    assert "invoice_number" not in reading.fields
    assert reading.unreadable[0]["field"] == "invoice_number"


def test_checks_add_amount_and_tax_up_to_the_total():
    fields = {"invoice_number": "24112000000048542163", "amount": "4197.17", "tax": "251.83",
              "total_amount": "4449.00", "total_amount_capital": "4449.00", "issue_date": "2024-05-28"}
    assert check_document("vat_invoice", fields, today=date(2026, 1, 1)) == []
    wrong = check_document("vat_invoice", {**fields, "tax": "251.38"}, today=date(2026, 1, 1))
    assert [c["code"] for c in wrong] == ["vat_sum_mismatch"]
    assert wrong[0]["severity"] == "error"
    shape = check_document("vat_invoice", {**fields, "invoice_number": "2411200000"}, today=date(2026, 1, 1))
    assert [c["code"] for c in shape] == ["invoice_number_shape"]


def test_the_kind_is_listed_wherever_kinds_are():
    assert "vat_invoice" in DOCUMENT_KINDS
    assert "vat_invoice" in KIND_LABELS
    assert KIND_NAMES["vat_invoice"].zh == "增值税发票"
