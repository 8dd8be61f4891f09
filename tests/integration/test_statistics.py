"""Every figure of the statistics against a brute-force recount in Python over the same rows:
varied cases (tests/integration/statistics_data.py) around 2026-Q1, counted by the SQL service
and by plain loops here — for the whole agency and for a township officer's scope."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select, true
from sqlalchemy.orm import object_session, selectinload
from stdnum.cn import uscc

from archive.claims import claimed_amount
from archive.claims.money import fen_of
from archive.hospital_levels import hospital_level
from archive.models import (
    Case,
    Document,
    Provider,
    RecheckOutcome,
    SignOff,
    SpotCheckFollowUp,
    WorkflowInstance,
)
from archive.providers import add_alias, register_provider
from archive.providers.matching import Directory
from archive.signoff.hospitals import name_form
from archive.signoff.workdays import CHINA
from archive.statistics import parse_period, set_insured_count, statistics_report
from archive.statistics.claims import claim_figures
from archive.statistics.processing import processing
from archive.statistics.tables import line_cells
from archive.statistics.totals import check
from tests import factories
from tests.integration import statistics_data
from tests.integration.statistics_data import in_period

# How the cases write the registered 市中医院 (tests/integration/statistics_data.py).
WRITTEN = ("市中医院", "市 中医院", "市中医院（章）", "城关中医馆")


@pytest.fixture
def varied(rt):
    users = factories.users_for_all_roles(rt)
    statistics_data.build(rt, users, cases=70, seed=19)
    with rt.sessions.begin() as session:
        admin = session.merge(users["admin"])
        for township, insured in ((factories.TOWNSHIP, 800), ("河西乡", 500), ("北山镇", 300)):
            set_insured_count(session, admin, year=2026, township=township, insured=insured)
        set_insured_count(session, admin, year=2025, township="河西乡", insured=999)  # another year
        # In the provider register: its level there wins over what "市" in its name says.
        provider = register_provider(session, admin, name="市中医院", level="county", kind="hospital",
                                     uscc="12350100MB0000031" + uscc.calc_check_digit("12350100MB0000031"))
        # Added after the facts were counted: the statistics follow the register as it stands.
        add_alias(session, admin, provider.id, alias="城关中医馆")
    return users


def hospital_line(session, hospital: str | None) -> str:
    """The register's name of the one provider a hospital's name matches, else its name form."""
    match = Directory.load(session).match(hospital)
    if match.provider_id is not None:
        return session.get(Provider, match.provider_id).name
    return name_form(hospital)


def keys_of(case: Case) -> dict:
    session = object_session(case)
    return {"claim_type": case.claim_type, "township": case.township or "",
            "village": (case.township or "", case.village or ""),
            "hospital": hospital_line(session, case.hospital),
            "hospital_level": hospital_level(session, case.hospital, scale="statistics")}


def recount(session, period, visible) -> dict:
    """The figures by plain loops over every row."""
    first, end = period.first_day, period.end_day
    cases = {c.id: c for c in session.scalars(select(Case).options(
        selectinload(Case.documents).selectinload(Document.stored_object)))}
    shown = {i for i, c in cases.items() if visible(c)}
    instances = {i.id: i for i in session.scalars(select(WorkflowInstance))}
    sign_offs = list(session.scalars(select(SignOff)))
    lines = defaultdict(lambda: defaultdict(Counter))
    total = Counter()
    people, people_by_line = set(), defaultdict(set)
    for case in cases.values():
        if case.id in shown and case.claim_type != "audit" and in_period(case.created_at, first, end):
            for dimension, key in keys_of(case).items():
                lines[dimension][key]["received"] += 1
            total["received"] += 1
    for instance in instances.values():
        case = cases[instance.case_id]
        if (instance.definition != "payment" or instance.status != "approved" or case.id not in shown
                or case.claim_type == "audit" or not in_period(instance.finished_at, first, end)):
            continue
        entries = [s for s in sign_offs if s.instance_id == instance.id and s.step == "cashier_entry"
                   and s.decision == "approve"]
        if not entries:
            continue
        paid = fen_of(max(entries, key=lambda s: s.id).findings["amount_paid"])
        claimed = claimed_amount(case)
        figures = Counter(paid=1, paid_fen=paid, cost_fen=claimed.fen or 0,
                          costed=int(claimed.fen is not None), self_funded_fen=claimed.self_funded_fen)
        for dimension, key in keys_of(case).items():
            lines[dimension][key].update(figures)
        total.update(figures)
        person = case.claimant_id_number or case.insurance_number or case.case_no
        people.add(person)
        for dimension, key in keys_of(case).items():
            people_by_line[(dimension, key)].add(person)
    # Processing: each decision of the period from the one before it (or the run's start).
    steps = defaultdict(list)
    returns, returned = 0, set()
    for s in sign_offs:
        if s.case_id not in shown or not in_period(s.signed_at, first, end):
            continue
        instance = instances[s.instance_id]
        before = [o.signed_at for o in sign_offs if o.instance_id == s.instance_id and o.seq < s.seq]
        began = max(before) if before else instance.started_at
        steps[(instance.definition, s.step)].append(((s.signed_at - began).total_seconds(), s.decision))
        if s.decision == "return":
            returns += 1
            returned.add(s.case_id)
    chains = defaultdict(Counter)
    for instance in instances.values():
        if (instance.status in ("approved", "rejected") and instance.case_id in shown
                and in_period(instance.finished_at, first, end)):
            chains[instance.definition]["finished"] += 1
            finished_on = instance.finished_at.astimezone(CHINA).date()
            chains[instance.definition]["late"] += finished_on > instance.chain_due_on
    # Re-checks: the latest finding of each case and month of the period.
    latest = {}
    for r in session.scalars(select(RecheckOutcome).order_by(RecheckOutcome.id)):
        if r.month in period.month_labels and r.case_id in shown:
            latest[(r.case_id, r.month)] = r
    follow_ups = Counter()
    for f in session.scalars(select(SpotCheckFollowUp)):
        if f.case_id in shown and in_period(f.opened_at, first, end):
            follow_ups[f.kind] += 1
            follow_ups[f.kind + "_fen"] += f.amount_fen or 0
    handled = {}
    for s in sorted(sign_offs, key=lambda s: s.id):
        if (instances[s.instance_id].definition == "audit" and s.step == "handling"
                and s.decision == "approve" and in_period(s.signed_at, first, end)):
            handled[s.instance_id] = s
    deductions = [fen_of(s.findings["deductions_total"]) for s in handled.values() if s.case_id in shown]
    return {"lines": lines, "total": total, "people": people, "people_by_line": people_by_line,
            "steps": steps, "returns": (returns, len(returned)), "chains": chains,
            "rechecks": list(latest.values()),
            "follow_ups": follow_ups, "deductions": deductions}


def report_insured(report) -> dict[str, int]:
    return {line.key: line.insured for line in report.claims.dimensions["township"] if line.insured}


def assert_matches(report, expected) -> None:
    fields = ("received", "paid", "paid_fen", "cost_fen", "costed", "self_funded_fen")
    for dimension, lines in report.claims.dimensions.items():
        got = {line.key: {f: getattr(line, f) for f in fields} for line in lines
               if any(getattr(line, f) for f in fields)}
        want = {key: {f: counter[f] for f in fields} for key, counter in expected["lines"][dimension].items()}
        assert got == want, dimension
    total = report.claims.total
    assert {f: getattr(total, f) for f in fields} == {f: expected["total"][f] for f in fields}
    assert_shown_shares(report, expected)
    assert total.paid > 0 and total.received > 0  # the data does reach the period
    assert total.beneficiaries == len(expected["people"])
    for line in report.claims.dimensions["township"]:  # people paid, each once per township (受益率)
        assert (line.beneficiaries or 0) == len(expected["people_by_line"].get(("township", line.key), ()))
    if total.cost_fen:
        share = (Decimal(total.paid_fen) / total.cost_fen).quantize(Decimal("0.0001"))
        assert total.compensation_ratio == share
    steps = {(s.definition, s.step): s for s in report.processing.steps}
    assert set(steps) == set(expected["steps"])
    for key, spans in expected["steps"].items():
        seconds = [span for span, _ in spans]
        assert steps[key].decisions == len(spans)
        assert steps[key].returns == sum(1 for _, decision in spans if decision == "return")
        assert steps[key].mean_hours == pytest.approx(sum(seconds) / len(seconds) / 3600, abs=0.006)
        assert steps[key].max_hours == pytest.approx(max(seconds) / 3600, abs=0.006)
    assert (report.processing.returns, report.processing.returned_cases) == expected["returns"]
    assert {c.definition: (c.finished, c.late) for c in report.processing.chains} == {
        name: (c["finished"], c["late"]) for name, c in expected["chains"].items()}
    o, rechecks = report.oversight, expected["rechecks"]
    assert (o.rechecked, o.confirmed, o.discrepancies) == (
        len(rechecks), sum(r.outcome == "confirmed" for r in rechecks),
        sum(r.outcome == "discrepancy" for r in rechecks))
    assert o.difference_fen == sum(r.difference_fen or 0 for r in rechecks if r.outcome == "discrepancy")
    f = expected["follow_ups"]
    assert (o.recoveries, o.recovery_fen, o.audits_opened) == (f["recovery"], f["recovery_fen"], f["audit"])
    d = expected["deductions"]
    assert (o.audits_handled, o.audits_with_deductions, o.deduction_fen) == (
        len(d), sum(x > 0 for x in d), sum(d))


def shown_shares(counter) -> tuple:
    """实际补偿比, 次均费用 and 自费比例 as the tables show them (percent and yuan to two places,
    half up), from the recount's sums in exact Decimal."""
    cent = Decimal("0.01")

    def percent(part, whole):
        return (Decimal(part) * 100 / whole).quantize(cent, ROUND_HALF_UP) if whole else None

    average = ((Decimal(counter["cost_fen"]) / counter["costed"] / 100).quantize(cent, ROUND_HALF_UP)
               if counter["costed"] else None)
    return (percent(counter["paid_fen"], counter["cost_fen"]), average,
            percent(counter["self_funded_fen"], counter["cost_fen"]))


def assert_shown_shares(report, expected) -> None:
    """The shown figures themselves (the cells of every table, CSV and XLSX), not only their
    inputs: a wrong division or rounding in the report would pass the sums above."""
    lines = [(dimension, line.key, line) for dimension, rows in report.claims.dimensions.items()
             for line in rows] + [("total", "total", report.claims.total)]
    got = {(dimension, key): tuple(line_cells(line)[4:7]) for dimension, key, line in lines
           if line.costed}
    want = {(dimension, key): shown_shares(counter)
            for dimension, rows in expected["lines"].items() for key, counter in rows.items()
            if counter["costed"]}
    if expected["total"]["costed"]:
        want[("total", "total")] = shown_shares(expected["total"])
    assert got == want
    assert any(average is not None and share for _, average, share in got.values())


@pytest.mark.parametrize("period", ["2026-03", "2026-Q1"])
def test_every_figure_matches_a_recount(rt, varied, period):
    kind = "quarter" if "Q" in period else "month"
    shown = parse_period(**{kind: period})
    with rt.sessions() as session:
        director = session.merge(varied["director"])
        report = statistics_report(session, director, shown)  # from the day totals
        assert check(session) == []
        expected = recount(session, shown, lambda case: True)
        assert_matches(report, expected)
        # The same figures counted from the rows (as for a reader limited to part of the county).
        assert_matches(replace(report, claims=claim_figures(session, shown, true(), report_insured(report)),
                               processing=processing(session, shown, true())), expected)
        # 受益率: people paid in a township over the insured count entered for the year.
        township = {line.key: line for line in report.claims.dimensions["township"]}["河西乡"]
        assert township.insured == 500
        rate = (Decimal(township.beneficiaries) / 500).quantize(Decimal("0.0001"))
        assert township.beneficiary_rate == rate
        assert report.claims.total.insured == 1600
        # Each hospital is one line whichever way it was written, the registered one at the
        # register's level (its name says 市: city, by the name rules).
        for figures in (report.claims, claim_figures(session, shown, true(), {})):
            hospitals = {line.key: line for line in figures.dimensions["hospital"]}
            assert {"市中医院", "北山镇卫生院"} <= set(hospitals)
            assert not {"市 中医院", "市中医院（章）", "城关中医馆", "北山镇 卫生院"} & set(hospitals)
            received = Counter(c.hospital for c in session.scalars(select(Case))
                               if c.claim_type != "audit"
                               and in_period(c.created_at, shown.first_day, shown.end_day))
            registered = sum(received[name] for name in WRITTEN)
            assert hospitals["市中医院"].received == registered > 0
            levels = {line.key: line.received for line in figures.dimensions["hospital_level"]}
            assert levels["county"] == registered + received[factories.HOSPITAL]  # 县人民医院
            assert levels.get("city", 0) == 0


def test_a_township_officer_counts_their_township_only(rt, varied):
    shown = parse_period(quarter="2026-Q1")
    with rt.sessions() as session:
        officer = session.merge(varied["township_officer"])
        report = statistics_report(session, officer, shown)
        # Their township's cases; audit files are graded above their clearance from the start.
        assert_matches(report, recount(session, shown, lambda case: case.township == factories.TOWNSHIP
                                       and case.claim_type != "audit"))
        assert report.scoped
        assert {line.key for line in report.claims.dimensions["township"]} <= {factories.TOWNSHIP}
        assert report.claims.total.insured == 800


def test_a_register_change_counts_from_the_next_report(rt, varied):
    """The hospitals' matches are kept per process with the register they were made against: an
    alias added (or a level corrected) after a report counts in the next one, on both paths."""
    shown = parse_period(quarter="2026-Q1")

    def hospitals(session):
        director = session.merge(varied["director"])
        return [({line.key: line.received for line in figures.dimensions["hospital"]},
                 {line.key: line.received for line in figures.dimensions["hospital_level"]})
                for figures in (statistics_report(session, director, shown).claims,
                                claim_figures(session, shown, true(), {}))]

    with rt.sessions() as session:
        before = hospitals(session)
    lines, levels = before[0]
    assert before[1] == before[0] and lines["北山镇卫生院"] > 0 and lines["市中医院"] > 0
    with rt.sessions.begin() as session:
        admin = session.merge(varied["admin"])
        provider = session.scalar(select(Provider).where(Provider.name == "市中医院"))
        add_alias(session, admin, provider.id, alias="北山镇卫生院")  # 北山镇 卫生院 too, normalised
    with rt.sessions() as session:
        after = hospitals(session)
    assert after[1] == after[0]
    assert "北山镇卫生院" not in after[0][0]
    assert after[0][0]["市中医院"] == lines["市中医院"] + lines["北山镇卫生院"]
    moved = lines["北山镇卫生院"]
    assert after[0][1]["county"] == levels["county"] + moved
    assert after[0][1].get("township", 0) == levels.get("township", 0) - moved
    with rt.sessions.begin() as session:
        session.scalar(select(Provider).where(Provider.name == "市中医院")).level = "city"
    with rt.sessions() as session:
        corrected = hospitals(session)
    assert corrected[1] == corrected[0]
    assert corrected[0][1]["city"] == after[0][0]["市中医院"]
