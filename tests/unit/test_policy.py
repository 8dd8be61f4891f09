"""The policy computation against examples worked by hand from the seeds' figures (seed 003:
起付线 100/200/300/500 by level, 60/40/35/35 %, 县外 55/50 %, cap 50,000; outpatient 30 % up to
90 a year; seed 000: no deductible for children), and the claimed amount from the invoices."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from archive.claims import Claim, PolicyError, amount_findings, claimed_amount, compute, policy_book
from archive.claims.policy import POLICY_FILE, parse_book


@pytest.fixture(scope="module")
def ncms():
    return policy_book().find(None, 2026)


def fen(yuan: str) -> int:
    return int(Decimal(yuan) * 100)


def lines(result) -> dict[str, tuple]:
    return {line.key: (line.base_fen, line.rate, line.amount_fen) for line in result.lines}


def test_the_default_policy_carries_the_seed_figures(ncms):
    inpatient = ncms.benefits["inpatient"]
    assert dict(inpatient.deductible_fen) == {"township": 10000, "county": 20000, "city": 30000,
                                              "province": 50000}
    assert dict(inpatient.rate) == {"township": Decimal("0.60"), "county": Decimal("0.40"),
                                    "city": Decimal("0.35"), "province": Decimal("0.35")}
    assert inpatient.annual_cap_fen == 5_000_000
    assert dict(inpatient.out_of_county) == {"designated": Decimal("0.55"), "non_designated": Decimal("0.50")}
    assert ncms.benefits["outpatient"].annual_cap_fen == 9000
    assert ncms.zero_deductible_under_age == 14


def test_county_hospital_with_self_funded_and_class_b_items(ncms):
    # 10,000.00 claimed, 500.00 自费, 1,000.00 乙类 (10 % = 100.00 paid first by the insured):
    # eligible 9,400.00; less the county deductible 200.00 = 9,200.00 × 40 % = 3,680.00.
    result = compute(ncms, Claim("inpatient", fen("10000.00"), self_funded_fen=fen("500.00"),
                                 class_b_fen=fen("1000.00"), level="county"))
    assert lines(result) == {
        "claimed": (None, None, 1_000_000),
        "self_funded": (50_000, None, -50_000),
        "class_b": (100_000, Decimal("0.10"), -10_000),
        "eligible": (None, None, 940_000),
        "deductible": (20_000, None, -20_000),
        "reimbursed": (920_000, Decimal("0.40"), 368_000),
        "approved": (None, None, 368_000)}
    assert (result.eligible_fen, result.approved_fen) == (940_000, 368_000)


def test_township_health_centre_rounds_half_up_to_the_fen(ncms):
    # 2,021.31 − 100.00 = 1,921.31 × 60 % = 1,152.786 → 1,152.79
    result = compute(ncms, Claim("inpatient", fen("2021.31"), level="township"))
    assert result.approved_fen == 115_279
    # 500.05 at a non-designated provider: (500.05 − 500.00) × 50 % = 2.5 fen → 3 fen (half-up,
    # not the banker's 2)
    odd = Claim("inpatient", fen("500.05"), level="province", designated=False)
    assert compute(ncms, odd).approved_fen == 3


def test_out_of_county_and_non_designated_rates(ncms):
    # 县外定点, city hospital: (15,000.00 − 300.00) × 55 % = 8,085.00
    result = compute(ncms, Claim("inpatient", fen("15000.00"), level="city", out_of_county=True))
    assert lines(result)["reimbursed"] == (1_470_000, Decimal("0.55"), 808_500)
    # 非协议 (not designated), out of county: × 50 % = 7,350.00
    result = compute(ncms, Claim("inpatient", fen("15000.00"), level="city", out_of_county=True,
                                 designated=False))
    assert result.approved_fen == 735_000


def test_the_annual_cap_counts_what_was_paid_earlier_in_the_year(ncms):
    # Province hospital, 200,000.00: (200,000 − 500) × 35 % = 69,825.00; 20,000.00 already paid
    # this year leaves 30,000.00 of the 50,000.00 cap.
    result = compute(ncms, Claim("inpatient", fen("200000.00"), level="province",
                                 paid_this_year_fen=fen("20000.00")))
    assert lines(result)["reimbursed"][2] == 6_982_500
    assert lines(result)["cap"] == (3_000_000, None, 3_000_000 - 6_982_500)
    assert result.approved_fen == 3_000_000
    spent = compute(ncms, Claim("inpatient", fen("1000.00"), level="county", paid_this_year_fen=fen("50000")))
    assert spent.approved_fen == 0


def test_children_pay_no_deductible_and_small_claims_stop_at_the_deductible(ncms):
    assert compute(ncms, Claim("inpatient", fen("1000.00"), level="township", age=9)).approved_fen == 60_000
    assert compute(ncms, Claim("inpatient", fen("1000.00"), level="township", age=14)).approved_fen == 54_000
    small = compute(ncms, Claim("inpatient", fen("80.00"), level="township"))
    assert lines(small)["deductible"] == (10_000, None, -8_000)
    assert small.approved_fen == 0


def test_an_unknown_hospital_level_is_computed_at_the_strictest(ncms):
    result = compute(ncms, Claim("inpatient", fen("1000.00"), level=None))
    # (1,000 − 500) × 35 % = 175.00, and the line says why
    assert result.approved_fen == 17_500
    deductible = next(line for line in result.lines if line.key == "deductible")
    assert "strictest" in deductible.note.en


def test_outpatient_thirty_percent_up_to_ninety_a_year(ncms):
    assert compute(ncms, Claim("outpatient", fen("200.00"), level="county")).approved_fen == 6000
    assert compute(ncms, Claim("outpatient", fen("500.00"), level="county")).approved_fen == 9000
    assert compute(ncms, Claim("outpatient", fen("500.00"), level="county",
                               paid_this_year_fen=fen("60.00"))).approved_fen == 3000


def test_hospital_levels_from_names():
    book = policy_book()
    names = ("省立医院", "市第一人民医院", "县人民医院", "镇卫生院", "某诊所", None)
    assert [book.level_of(name) for name in names] == ["province", "city", "county", "township", None, None]


def test_a_policy_file_with_a_float_or_a_missing_level_is_refused():
    import tomllib

    raw = tomllib.loads(POLICY_FILE.read_text(encoding="utf-8"))
    raw["ncms"]["2026"]["inpatient"]["rate"]["county"] = 0.4
    with pytest.raises(PolicyError, match=r"rate.county.*never a float"):
        parse_book(raw)
    raw["ncms"]["2026"]["inpatient"]["rate"]["county"] = "0.40"
    del raw["ncms"]["2026"]["inpatient"]["deductible"]["city"]
    with pytest.raises(PolicyError, match="deductible.city"):
        parse_book(raw)


# --- the claimed amount from the documents ----------------------------------------------------

def invoice(doc_id, total, *, sha=None, code="12345678", number=None, status="processed", **more):
    fields = {"total_amount": total, "invoice_code": code, "invoice_number": number or f"{doc_id:08d}",
              **more}
    return SimpleNamespace(id=doc_id, kind="invoice", status=status, fields=fields,
                           stored_object=SimpleNamespace(sha256=sha or f"sha-{doc_id}"))


def case_with(*documents, typed=None):
    return SimpleNamespace(documents=list(documents), amount_fen=typed)


def test_claimed_is_the_invoices_total_with_duplicates_counted_once():
    claimed = claimed_amount(case_with(
        invoice(1, "2021.31", hospital="县人民医院", issue_date="2026-03-02"),
        invoice(2, "2021.31", number="00000001"),  # same 票据代码 + 号码 as #1
        invoice(3, "500.00", sha="sha-1"),  # same file as #1
        invoice(4, "78.69", self_funded="20.00"),
        invoice(5, "999.00", status="received"),  # not read yet
        typed=fen("15000.00")))
    assert (claimed.documented_fen, claimed.fen, claimed.source) == (210_000, 210_000, "documents")
    assert claimed.counted == (1, 4) and claimed.duplicates == ((2, 1), (3, 1))
    assert (claimed.self_funded_fen, claimed.hospital) == (2000, "县人民医院")
    assert str(claimed.treated_on) == "2026-03-02"
    codes = {f["code"]: f for f in amount_findings(claimed)}
    assert codes["claimed_amount_mismatch"]["severity"] == "error"
    assert "15,000.00" in codes["claimed_amount_mismatch"]["message"]
    assert "2,100.00" in codes["claimed_amount_mismatch"]["message"]
    assert set(codes) == {"claimed_amount_mismatch", "duplicate_invoice_in_case"}


def test_typed_amount_only_until_an_invoice_is_read():
    claimed = claimed_amount(case_with(invoice(1, "10.00", status="received"), typed=fen("15000.00")))
    assert (claimed.fen, claimed.source) == (1_500_000, "typed")
    assert [f["code"] for f in amount_findings(claimed)] == ["claimed_amount_unverified"]
    matching = claimed_amount(case_with(invoice(1, "15000.00"), typed=fen("15000.00")))
    assert amount_findings(matching) == []


def test_class_b_items_come_from_the_daily_statements():
    statement = SimpleNamespace(id=9, kind="daily_statement", status="processed",
                                stored_object=SimpleNamespace(sha256="s9"),
                                fields={"days": [{"items": [{"amount": "120.00", "insurance_class": "乙"},
                                                            {"amount": "30.00", "insurance_class": "甲"}]},
                                                 {"items": [{"amount": "80.50", "insurance_class": "乙"}]}]})
    assert claimed_amount(case_with(invoice(1, "500.00"), statement)).class_b_fen == 20_050


# --- more hand-worked examples (seed 003's figures; 乙类 share 10 % as policy.toml sets it) ---

@pytest.mark.parametrize(("level", "deductible", "rate", "approved"), [
    # 2,000.00 claimed in the county: (2,000.00 − 起付线) × 补偿比例
    ("township", "100.00", "0.60", "1140.00"),  # 1,900.00 × 60 %
    ("county", "200.00", "0.40", "720.00"),     # 1,800.00 × 40 %
    ("city", "300.00", "0.35", "595.00"),       # 1,700.00 × 35 %
    ("province", "500.00", "0.35", "525.00"),   # 1,500.00 × 35 %
])
def test_deductible_and_rate_by_hospital_level_in_the_county(ncms, level, deductible, rate, approved):
    result = compute(ncms, Claim("inpatient", fen("2000.00"), level=level))
    assert lines(result)["deductible"] == (fen(deductible), None, -fen(deductible))
    assert lines(result)["reimbursed"] == (fen("2000.00") - fen(deductible), Decimal(rate), fen(approved))
    assert result.approved_fen == fen(approved)


def test_a_non_designated_provider_in_the_county_is_paid_at_the_non_designated_rate(ncms):
    # County hospital, not designated: (2,000.00 − 200.00) × 50 % = 900.00 (not the county's 40 %)
    result = compute(ncms, Claim("inpatient", fen("2000.00"), level="county", designated=False))
    assert lines(result)["reimbursed"] == (fen("1800.00"), Decimal("0.50"), fen("900.00"))


def test_every_line_at_once_out_of_county_up_to_what_is_left_of_the_cap(ncms):
    # 30,000.00 at a designated city hospital out of the county; 2,500.00 自费 excluded; 5,000.00
    # 乙类 of which the insured pays 10 % = 500.00 first: eligible 27,000.00; less the city
    # deductible 300.00 = 26,700.00 × 55 % = 14,685.00; 40,000.00 already reimbursed this year
    # leaves 10,000.00 of the 50,000.00 cap.
    result = compute(ncms, Claim("inpatient", fen("30000.00"), self_funded_fen=fen("2500.00"),
                                 class_b_fen=fen("5000.00"), level="city", out_of_county=True,
                                 paid_this_year_fen=fen("40000.00")))
    assert lines(result) == {
        "claimed": (None, None, fen("30000.00")),
        "self_funded": (fen("2500.00"), None, -fen("2500.00")),
        "class_b": (fen("5000.00"), Decimal("0.10"), -fen("500.00")),
        "eligible": (None, None, fen("27000.00")),
        "deductible": (fen("300.00"), None, -fen("300.00")),
        "reimbursed": (fen("26700.00"), Decimal("0.55"), fen("14685.00")),
        "cap": (fen("10000.00"), None, fen("10000.00") - fen("14685.00")),
        "approved": (None, None, fen("10000.00"))}


def test_self_funded_items_never_make_a_negative_claim_and_the_class_b_share_rounds_half_up(ncms):
    # 自费 1,200.00 on a 1,000.00 bill (read wrongly, or a refund): nothing is eligible, nothing paid.
    nothing = compute(ncms, Claim("inpatient", fen("1000.00"), self_funded_fen=fen("1200.00"),
                                  class_b_fen=fen("300.00"), level="township"))
    assert (lines(nothing)["self_funded"][2], lines(nothing)["class_b"][2]) == (-fen("1000.00"), 0)
    assert (nothing.eligible_fen, nothing.approved_fen) == (0, 0)
    # 乙类 333.35 × 10 % = 33.335 → 33.34; (1,000.00 − 33.34 − 100.00) × 60 % = 519.996 → 520.00
    result = compute(ncms, Claim("inpatient", fen("1000.00"), class_b_fen=fen("333.35"), level="township"))
    assert lines(result)["class_b"][2] == -3334
    assert result.approved_fen == fen("520.00")
