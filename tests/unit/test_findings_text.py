"""A document's checks are stored with their code and values and drawn in the reader's language
(archive.findings_text): English from the template, Chinese from the catalogue — the same text
the check computed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.support import Translations

from archive import findings_text
from archive.ocr.checks import check_document

TODAY = date(2026, 3, 1)
CATALOGUE = Path(__file__).resolve().parents[2] / "archive" / "translations"

DOCUMENTS = [
    ("invoice", {"total_amount": "100.00", "total_amount_capital": "90.00", "fund_paid": "50.00",
                 "personal_account_paid": "0", "self_paid": "0", "self_funded": "0",
                 "line_items": [{"amount": "70.00"}], "issue_date": "2026-04-01"}),
    ("invoice", {}),
    ("daily_statement", {"daily_total": "50.00", "items": [
        {"name": "床位费", "unit_price": "30.00", "quantity": "2", "amount": "40.00"}]}),
    ("referral", {"id_number": "110101199003070000", "admission_date": "2026-01-02",
                  "referral_date": "2026-01-05"}),
    ("agreement", {"credit_code": "123", "valid_from": "2026-02-01", "valid_to": "2025-01-01"}),
    ("vat_invoice", {"amount": "100.00", "tax": "6.00", "total_amount": "107.00",
                     "total_amount_capital": "100.00", "invoice_number": "123",
                     "issue_date": "2026-04-01"}),
]
FINDINGS = [f for kind, fields in DOCUMENTS for f in check_document(kind, fields, today=TODAY)]


def test_the_checks_found_what_the_cases_were_built_for():
    assert {f["code"] for f in FINDINGS} >= {
        "capital_mismatch", "split_mismatch", "items_mismatch", "future_date", "missing_field",
        "item_amount_mismatch", "daily_total_mismatch", "missing_signature", "invalid_id_number",
        "referral_after_admission", "invalid_credit_code", "validity_reversed", "agreement_expired",
        "vat_sum_mismatch", "invoice_number_shape"}


@pytest.mark.parametrize("found", FINDINGS, ids=lambda f: f["code"])
def test_each_check_is_drawn_from_its_template_in_english(found):
    english = findings_text.text(found["code"], found.get("params"), None)
    assert english, f"{found['code']}: no template fits its values {found.get('params')}"
    assert not any("\u3400" <= ch <= "\u9fff" for ch in english.replace("床位费", ""))


@pytest.mark.parametrize("found", FINDINGS, ids=lambda f: f["code"])
def test_in_chinese_a_check_reads_as_it_was_computed(found):
    zh = Translations.load(str(CATALOGUE), ["zh_Hans_CN"])
    drawn = findings_text.text(found["code"], found.get("params"), None, translate=zh.gettext)
    if found["message"].startswith(("价税合计", "合计金额", "明细金额之和", "发票号码")):  # VAT wording
        assert drawn and "\u4e00" <= drawn[0] <= "\u9fff"
    else:
        assert drawn == found["message"]


def test_a_finding_stored_before_it_had_values_keeps_its_text():
    assert findings_text.text("capital_mismatch", None, "大写金额 1 与小写金额 2 不一致") == \
        "大写金额 1 与小写金额 2 不一致"
    assert findings_text.text("missing_signature", None, "旧文字") == \
        "The daily statement lacks the signature of the patient or a relative"
    assert findings_text.text("no_such_code", {}, "原文", fallback="English") == "English"


READMITTED = {"hospital": "县人民医院", "other_case": "AJ-2026-000001", "other_start": "2026-03-01",
              "other_end": "2026-03-05", "start": "2026-03-06", "end": "2026-03-09", "days": 15}


@pytest.mark.parametrize(("gap", "words"), [(1, "1 day after discharge"), (2, "2 days after discharge")])
def test_a_finding_with_a_number_takes_the_form_of_its_number(gap, words):
    english = findings_text.text("readmission", {**READMITTED, "gap": gap}, None)
    assert words in english
    zh = Translations.load(str(CATALOGUE), ["zh_Hans_CN"])
    drawn = findings_text.text("readmission", {**READMITTED, "gap": gap}, None, translate=zh.gettext,
                               ngettext=zh.ngettext)
    assert drawn.startswith(f"分解住院嫌疑：在县人民医院出院后 {gap} 天内再次入院")
