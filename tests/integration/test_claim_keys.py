"""The claim keys table follows the documents as read and as corrected (SQLite and PostgreSQL):
a corrected invoice number or stay is what the duplicate and stay flags look up next."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import select

from archive.intake.corrections import delete_document
from archive.intake.field_corrections import correct_field
from archive.models import Case, ClaimKey
from archive.schema import alembic_config, upgrade
from archive.workflows import findings_of
from tests import factories
from tests.e2e.claim_api import inpatient_invoice


def keys(rt, case_no: str) -> list[tuple]:
    with rt.sessions() as session:
        return sorted(session.execute(
            select(ClaimKey.kind, ClaimKey.value, ClaimKey.person, ClaimKey.admitted, ClaimKey.discharged)
            .join(Case, Case.id == ClaimKey.case_id).where(Case.case_no == case_no)).all())


def correct(rt, user, document_id: int, field: str, value: str) -> None:
    with rt.sessions.begin() as session:
        correct_field(session, document_id, actor=user, field=field, value=value, reason="按原件更正")


def codes(rt, case_no: str) -> dict[str, str | None]:
    with rt.sessions() as session:
        case = session.scalar(select(Case).where(Case.case_no == case_no))
        return {f.code: f.other_case for f in findings_of(session, case)}


def test_keys_follow_reading_and_corrections(rt, desk):
    clerk = desk["intake_clerk"]
    person = "110101195710282613"
    first = factories.make_case(rt, clerk, claimant_id_number=person)
    factories.upload(rt, clerk, first, inpatient_invoice(admitted=date(2026, 3, 5),
                                                     discharged=date(2026, 3, 8)), kind="invoice")
    assert keys(rt, first) == [
        ("invoice_no", "0081234567", person, None, None),
        ("stay", None, person, date(2026, 3, 5), date(2026, 3, 8)),
        ("visit", None, person, date(2026, 3, 5), None)]

    second = factories.make_case(rt, clerk, claimant_id_number=person)
    other = factories.upload(rt, clerk, second, inpatient_invoice(admitted=date(2026, 4, 1),
                                                                  discharged=date(2026, 4, 3)),
                            kind="invoice")
    # The same printed number in both: a duplicate until the number is corrected from the paper.
    assert codes(rt, second).get("duplicate_invoice") == first
    correct(rt, desk["reviewer"], other.document_id, "invoice_number", "0081239999")
    assert ("invoice_no", "0081239999", person, None, None) in keys(rt, second)
    assert "duplicate_invoice" not in codes(rt, second)

    # A stay corrected to overlap the first one: the overlap is found on the corrected dates.
    assert "stay_overlap" not in codes(rt, second)
    correct(rt, desk["reviewer"], other.document_id, "admission_date", "2026年3月7日")
    assert ("stay", None, person, date(2026, 3, 7), date(2026, 4, 3)) in keys(rt, second)
    assert codes(rt, second)["stay_overlap"] == first
    assert codes(rt, first)["stay_overlap"] == second

    # The claimant's ID number corrected on the case: the keys are the new person's.
    with rt.sessions.begin() as session:
        session.scalar(select(Case).where(Case.case_no == second)).claimant_id_number = "310101195508254835"
    assert {k[2] for k in keys(rt, second) if k[0] == "stay"} == {"310101195508254835"}
    assert "stay_overlap" not in codes(rt, first)

    # The invoice deleted from the case (filed by mistake): its keys go with it.
    with rt.sessions.begin() as session:
        delete_document(session, other.document_id, actor=desk["intake_clerk"], reason="误传")
    assert keys(rt, second) == []


def test_the_migration_fills_the_keys_of_cases_already_read(rt, desk):
    clerk = desk["intake_clerk"]
    case_no = factories.make_case(rt, clerk, claimant_id_number="110101195710282613")
    factories.upload(rt, clerk, case_no, inpatient_invoice(admitted=date(2026, 3, 5),
                                                           discharged=date(2026, 3, 8)), kind="invoice")
    before = keys(rt, case_no)
    with rt.engine.begin() as connection:
        config = alembic_config(rt.engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0017")  # the table gone, as before this release
    upgrade(rt.engine)
    assert before and keys(rt, case_no) == before


def test_init_after_upgrading_to_provider_codes_rebuilds_the_keys(rt, desk):
    # Keys written before 0029 lack the codes a provider is matched by: `archive init` across
    # that upgrade rebuilds every case's keys from its documents (here: keys lost altogether).
    from archive.setup import initialise

    clerk = desk["intake_clerk"]
    case_no = factories.make_case(rt, clerk, claimant_id_number="110101195710282613")
    factories.upload(rt, clerk, case_no, inpatient_invoice(admitted=date(2026, 3, 5),
                                                           discharged=date(2026, 3, 8)), kind="invoice")
    before = keys(rt, case_no)
    with rt.engine.begin() as connection:
        connection.execute(ClaimKey.__table__.delete())
        config = alembic_config(rt.engine)
        config.attributes["connection"] = connection
        command.downgrade(config, "0028")
    assert keys(rt, case_no) == []
    assert any(line.startswith("claim keys rebuilt for 1 cases") for line in initialise(rt))
    assert before and keys(rt, case_no) == before
    assert not any(line.startswith("claim keys rebuilt") for line in initialise(rt))  # once
