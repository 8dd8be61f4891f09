import random
from datetime import date

from archive.demo import documents as gen
from archive.ocr.checks import check_document

TODAY = date(2026, 11, 23)


def codes(kind, fields):
    return [f["code"] for f in check_document(kind, fields, today=TODAY)]


def test_correct_documents_raise_no_findings():
    rng = random.Random(7)
    for _ in range(100):
        for maker in (gen.invoice, gen.referral):
            document = maker(rng)
            assert codes(document.kind, document.truth) == []
        assert codes("agreement", gen.agreement(rng, year=2026).truth) == []


def test_invoice_findings():
    truth = gen.invoice(random.Random(1)).truth
    assert codes("invoice", {**truth, "total_amount_capital": "1.00"}) == ["capital_mismatch"]
    assert codes("invoice", {**truth, "fund_paid": "0.01"}) == ["split_mismatch"]
    assert codes("invoice", {**truth, "line_items": truth["line_items"][:1]}) == ["items_mismatch"]
    assert codes("invoice", {**truth, "issue_date": "2027-01-01"}) == ["future_date"]
    without_total = {k: v for k, v in truth.items() if k != "total_amount"}
    assert codes("invoice", without_total) == ["missing_field"]


def test_daily_statement_findings():
    items = [{"name": "血常规", "unit_price": "20.00", "quantity": "2", "amount": "40.00"},
             {"name": "床位费", "unit_price": "30.00", "quantity": "1", "amount": "35.00"}]
    assert codes("daily_statement", {"items": items, "daily_total": "75.00", "signed_by": "张伟"}) == [
        "item_amount_mismatch"]
    assert codes("daily_statement", {"items": items[:1], "daily_total": "50.00"}) == [
        "daily_total_mismatch", "missing_signature"]


def test_referral_and_agreement_findings():
    rng = random.Random(3)
    assert codes("referral", gen.referral(rng, valid_id=False).truth) == ["invalid_id_number"]
    assert codes("referral", {"id_number": "110101209901011234"}) == ["invalid_id_number"]
    late = {"referral_date": "2026-03-05", "admission_date": "2026-03-01"}
    assert codes("referral", late) == ["referral_after_admission"]
    assert codes("agreement", gen.agreement(rng, valid_code=False).truth) == ["invalid_credit_code"]
    assert codes("agreement", {"valid_from": "2026-12-31", "valid_to": "2026-01-01"}) == [
        "validity_reversed", "agreement_expired"]
    assert codes("agreement", gen.agreement(rng, year=2024).truth) == ["agreement_expired"]
