"""The payment flags' rules on hand-worked examples: stays that overlap or follow within N days,
the keys a case is matched on, and the daily statements' items (挂床, 目录外, 串换, a wrong sum)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from archive.models.claim_key_rules import case_keys, person_of, qr_key
from archive.workflows.claim_flags import overlaps, readmitted_within
from archive.workflows.flag_settings import flag_settings, load
from archive.workflows.statement_flags import statement_findings

D = date


def test_stays_overlap_by_a_night_and_a_transfer_day_is_no_overlap():
    march_1_to_10 = (D(2026, 3, 1), D(2026, 3, 10))
    assert overlaps(march_1_to_10, (D(2026, 3, 9), D(2026, 3, 12)))  # the night of the 9th twice
    assert not overlaps(march_1_to_10, (D(2026, 3, 10), D(2026, 3, 15)))  # discharged, admitted elsewhere
    assert overlaps(march_1_to_10, (D(2026, 3, 5), D(2026, 3, 5)))  # a day case inside the stay
    assert not overlaps(march_1_to_10, (D(2026, 3, 10), D(2026, 3, 10)))
    assert overlaps((D(2026, 3, 1), D(2026, 3, 1)), (D(2026, 3, 1), D(2026, 3, 2)))


def test_readmission_is_counted_from_discharge_to_admission_either_way():
    first = (D(2026, 3, 1), D(2026, 3, 10))
    assert readmitted_within(first, (D(2026, 3, 20), D(2026, 3, 25)), 15) == 10
    assert readmitted_within((D(2026, 3, 20), D(2026, 3, 25)), first, 15) == 10  # the earlier stay
    assert readmitted_within(first, (D(2026, 3, 25), D(2026, 3, 28)), 15) == 15  # the 15th day counts
    assert readmitted_within(first, (D(2026, 3, 26), D(2026, 3, 28)), 15) is None
    assert readmitted_within(first, (D(2026, 3, 10), D(2026, 3, 12)), 15) == 0  # same-day readmission
    assert readmitted_within(first, (D(2026, 3, 9), D(2026, 3, 12)), 15) is None  # an overlap instead


def doc(id_, kind, fields, status="processed", filename="f.pdf"):
    return SimpleNamespace(id=id_, kind=kind, fields=fields, status=status, filename=filename)


def test_case_keys_from_invoices_statements_and_agreements():
    invoice = doc(1, "invoice", {"invoice_code": "35010126", "invoice_number": "0081234567",
                                 "hospital": "县人民医院", "admission_date": "2026-03-05",
                                 "discharge_date": "2026-03-08", "issue_date": "2026-03-08",
                                 "qr_codes": ["https://bill.example/v?c=1", "https://bill.example/v?c=1"]})
    unread = doc(2, "invoice", {"invoice_number": "1"}, status="processing")
    keys = case_keys(7, "350102199001011234", [invoice, unread])
    by_kind = {k["kind"]: k for k in keys}
    assert sorted(k["kind"] for k in keys) == ["invoice_no", "qr", "stay", "visit"]  # one QR: deduplicated
    assert by_kind["invoice_no"]["value"] == "0081234567" and by_kind["invoice_no"]["extra"] == "35010126"
    assert by_kind["qr"]["value"] == qr_key(" https://bill.example/v?c=1 ")
    assert len(by_kind["qr"]["value"]) == 64
    assert (by_kind["stay"]["admitted"], by_kind["stay"]["discharged"]) == (D(2026, 3, 5), D(2026, 3, 8))
    assert by_kind["visit"]["admitted"] == D(2026, 3, 5) and by_kind["visit"]["hospital"] == "县人民医院"
    # Without a stay on the invoice, the statements give it: to the night after the last day.
    statement = doc(3, "daily_statement", {"days": [
        {"statement_date": "2026-04-02", "hospital": "县中医院"},
        {"statement_date": "2026-04-01", "hospital": "县中医院"}]})
    stay = next(k for k in case_keys(8, "P", [statement]) if k["kind"] == "stay")
    assert (stay["admitted"], stay["discharged"], stay["hospital"]) == (
        D(2026, 4, 1), D(2026, 4, 3), "县中医院")
    # Nobody known: the keys are kept (the agreement check needs the days), for no person.
    unknown = case_keys(9, None, [invoice])
    assert sorted(k["kind"] for k in unknown) == ["invoice_no", "qr", "stay", "visit"]
    assert {k["person"] for k in unknown} == {None}
    agreement = doc(4, "agreement", {"party_b": "县人民医院", "valid_from": "2025-01-01",
                                     "valid_to": "2025-12-31"})
    [key] = case_keys(10, "P", [agreement])
    assert (key["kind"], key["hospital"], key["admitted"], key["discharged"], key["person"]) == (
        "agreement", "县人民医院", D(2025, 1, 1), D(2025, 12, 31), None)
    assert person_of(" 35010219900101123x ", "99") == "35010219900101123X"
    assert person_of(None, "99") == "医保号:99" and person_of("", None) is None


def item(name, price, quantity, amount, cls="甲", **more):
    return {"name": name, "unit_price": price, "quantity": quantity, "amount": amount,
            "insurance_class": cls, **more}


def test_statement_items_bed_only_days_catalogue_substitution_and_sums():
    settings = flag_settings()
    days = [
        {"statement_date": "2026-03-05", "items": [item("床位费", "50.00", "1", "50.00"),
                                                   item("血常规", "25.00", "2", "50.00")]},
        {"statement_date": "2026-03-06", "items": [item("床位费", "50.00", "1", "50.00")]},  # 挂床
        {"statement_date": "2026-03-07", "items": [
            item("营养针", "80.00", "1", "80.00", "丙"),                # not on the catalogue
            item("CT平扫", "120.00", "1", "120.00", "甲"),              # 乙 billed as 甲: 串换
            item("静脉输液", "300.00", "1", "300.00"),                 # under a code, below
            item("头孢呋辛钠", "12.50", "3", "40.00")]},               # 12.50 × 3 = 37.50
    ]
    code = next(c for c, entry in settings.catalogue.items() if entry["name"] == "血常规")
    days[2]["items"][2]["code"] = code  # a 血常规 code billed as 静脉输液: 串换
    found = {f["code"]: f for f in statement_findings([doc(5, "daily_statement", {"days": days},
                                                           filename="清单.pdf")], settings)}
    assert sorted(found) == ["bed_only_day", "item_amount", "item_substituted", "not_on_catalogue"]
    bed_only = found["bed_only_day"]["message"]
    assert "2026-03-06" in bed_only and "2026-03-05" not in bed_only
    assert "营养针" in found["not_on_catalogue"]["message"]
    substituted = found["item_substituted"]["message"]
    assert "CT平扫 按甲类收费（目录为乙类）" in substituted and f"编码 {code} 为“血常规”" in substituted
    assert "12.50 × 数量 3 = 37.50，清单金额 40.00" in found["item_amount"]["message"]
    assert {f["severity"] for c, f in found.items() if c != "not_on_catalogue"} == {"error"}
    assert found["not_on_catalogue"]["severity"] == "warning"
    assert found["bed_only_day"]["id"] == "bed_only_day:5" and found["bed_only_day"]["document_id"] == 5
    # Rounding within the tolerance, an unread figure and a statement still being read: nothing.
    quiet = [doc(6, "daily_statement", {"statement_date": "2026-03-05", "items": [
        item("头孢呋辛钠", "0.333", "3", "1.00"), {"name": "血常规", "unit_price": "25.00"}]}),
        doc(7, "daily_statement", {"days": days}, status="processing")]
    assert statement_findings(quiet, settings) == []


def test_flag_settings_are_checked_when_loaded():
    catalogue = 'items = [{ code = "A", name = "床位费", class = "甲" }]'
    settings = load('[thresholds]\nreadmission_days = 7\n[severity]\nreadmission = "warning"', catalogue)
    assert settings.readmission_days == 7 and settings.severity_of("readmission") == "warning"
    assert settings.severity_of("stay_overlap") == "error"  # unnamed: the strict default
    with pytest.raises(ValueError, match="thresholds.max_claims"):
        load('[thresholds]\nmax_claims = "four"', catalogue)
    with pytest.raises(ValueError, match="severity.readmission"):
        load('[severity]\nreadmission = "fatal"', catalogue)
    with pytest.raises(ValueError, match="unique"):
        load("", 'items = [{ code = "A", name = "a", class = "甲" }, '
                 '{ code = "A", name = "b", class = "甲" }]')


def test_item_codes_as_printed_are_compared_with_the_catalogue_by_code_and_name():
    """串换 by 项目编码 (a reader that gives an item's `code`): the code as printed (spaces, lower
    case) is the catalogue's; a listed name under a code the catalogue does not hold is an
    unlisted item billed as a listed one; the right code under the right name is quiet."""
    settings = flag_settings()
    code_of = {entry["name"]: c for c, entry in settings.catalogue.items()}
    spaced = " ".join(code_of["血常规"].lower())  # e.g. "f 0 0 0 4 2"
    days = [{"statement_date": "2026-03-05", "items": [
        item("血常规", "25.00", "1", "25.00", code=spaced),                 # the same item: quiet
        item("床位费", "50.00", "1", "50.00", code=code_of["床位费"]),       # quiet
        item("头孢他啶", "30.00", "1", "30.00", "乙", code="ZZ99999"),       # unlisted code, listed name
        item("换药", "15.00", "1", "15.00", code=code_of["CT平扫"].lower()),  # a CT's code as 换药
    ]}]
    found = {f["code"]: f for f in statement_findings([doc(9, "daily_statement", {"days": days})],
                                                      settings)}
    assert sorted(found) == ["item_substituted"]
    message = found["item_substituted"]["message"]
    assert f"头孢他啶（编码 ZZ99999 不在目录内，目录编码为 {code_of['头孢他啶']}）" in message
    assert f"换药（编码 {code_of['CT平扫']} 为“CT平扫”）" in message
    assert "血常规" not in message and "床位费" not in message
