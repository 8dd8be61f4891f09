import random
from types import SimpleNamespace

from archive.demo import documents as gen
from archive.ocr.case_checks import case_findings


def doc(generated, **fields):
    return SimpleNamespace(kind=generated.kind, status="processed", fields={**generated.truth, **fields})


def codes(case, documents):
    return [f["code"] for f in case_findings(case, documents)]


def test_inpatient_claim_needs_daily_statements_that_add_up():
    rng = random.Random(4)
    patient = "张伟"
    statement = gen.daily_statement(rng, patient=patient, days=3)
    total = sum(float(day["daily_total"]) for day in statement.truth["days"])
    invoice = doc(gen.invoice(rng, patient=patient), visit_type="inpatient", total_amount=f"{total:.2f}")
    case = SimpleNamespace(claimant_name=patient, claim_type="inpatient")
    assert codes(case, [invoice]) == ["missing_daily_statements"]
    assert codes(case, [invoice, doc(statement)]) == []
    short = doc(statement, days=statement.truth["days"][:2])
    assert codes(case, [invoice, short]) == ["daily_totals_mismatch"]


def test_outpatient_claim_needs_no_statement_but_the_same_patient():
    rng = random.Random(5)
    invoice = doc(gen.invoice(rng, patient="李娜"), visit_type="outpatient")
    case = SimpleNamespace(claimant_name="李娜", claim_type="outpatient")
    assert codes(case, [invoice]) == []
    other = doc(gen.referral(rng, patient="王芳"))
    assert codes(case, [invoice, other]) == ["patient_name_mismatch"]
