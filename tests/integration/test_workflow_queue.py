"""Work queues: what waits for whom, oldest deadline first, with overdue and due-soon flags."""

from __future__ import annotations

from datetime import timedelta

from archive.signoff import calendar
from archive.signoff.workdays import today_in_china
from archive.workflows import work_queue
from tests import factories


def queue(rt, user, **kwargs):
    with rt.sessions() as session:
        return work_queue(session, user, **kwargs)


def test_a_reviewer_sees_cases_at_review_steps_oldest_deadline_first(rt, desk):
    made = {}
    for claim_type, extra in (("trauma", {}), ("outpatient", {}), ("maternity", {}),
                              ("inpatient", {"out_of_county": True})):
        made[claim_type] = factories.start_claim(rt, desk, claim_type=claim_type, amount="1000",
                                 documents=("invoice", "daily_statement"), **extra)
        factories.walk(rt, desk, made[claim_type], until="initial_review")
    waiting_elsewhere = factories.start_claim(rt, desk, claim_type="outpatient", amount="10",
                                              documents=("invoice",))

    shown = queue(rt, desk["reviewer"])
    # Chain limits: out-of-county inpatient 7, maternity 15, others 20, trauma 30 working days.
    assert [item.case_no for item in shown.items] == [
        made["inpatient"], made["maternity"], made["outpatient"], made["trauma"]]
    assert shown.total == 4 and {item.action for item in shown.items} == {"decide"}
    assert [item.step.en for item in shown.items] == ["Initial review"] * 4
    # A deadline past the last published holiday calendar is flagged as an estimate.
    today = today_in_china()
    assert [item.flags.estimated for item in shown.items] == [
        calendar().add(today, days).estimated for days in (7, 15, 20, 30)]
    assert [i.case_no for i in queue(rt, desk["checker"]).items] == [waiting_elsewhere]
    assert queue(rt, desk["re_reviewer"]).items == []
    assert [i.case_no for i in queue(rt, desk["reviewer"], limit=2, offset=2).items] == [
        made["outpatient"], made["trauma"]]


def test_overdue_and_due_soon_flags(rt, desk):
    case_no = factories.start_claim(rt, desk, claim_type="outpatient", amount="10", documents=("invoice",))
    factories.walk(rt, desk, case_no, until="initial_review")
    due = queue(rt, desk["reviewer"]).items[0].flags.due_on
    week_before = due - timedelta(days=14)
    flags = {name: queue(rt, desk["reviewer"], today=day).items[0].flags for name, day in (
        ("early", week_before), ("day_before", due - timedelta(days=1)), ("due", due),
        ("late", due + timedelta(days=1)))}
    assert not flags["early"].due_soon and not flags["early"].overdue
    assert flags["day_before"].due_soon and flags["due"].due_soon and not flags["due"].overdue
    assert flags["late"].overdue and not flags["late"].due_soon
    assert calendar().between(week_before, due) > 2


def test_separation_of_duties_keeps_cases_out_of_a_queue(rt, desk):
    case_no = factories.start_claim(rt, desk, claim_type="outpatient", amount="10", documents=("invoice",))
    # The clerk who opened it does not see it at the completeness check; the other clerk does.
    assert [i.case_no for i in queue(rt, desk["checker"]).items] == [case_no]
    assert queue(rt, desk["intake_clerk"]).items == []
    factories.walk(rt, desk, case_no, until="re_review")
    mover = desk["reviewer"]
    with rt.sessions.begin() as session:
        session.merge(mover).role = "re_reviewer"
    mover.role = "re_reviewer"
    assert queue(rt, mover).items == []  # signed the initial review: not the re-review too
    assert [i.case_no for i in queue(rt, desk["re_reviewer"]).items] == [case_no]


def test_a_returned_case_waits_in_intake_with_what_is_missing(rt, desk):
    case_no = factories.start_claim(rt, desk, claim_type="inpatient", amount="10")
    factories.sign(rt, desk["checker"], case_no, decision="return", opinion="清单未签字",
                   missing=["住院费用一日清单"])
    for clerk in (desk["intake_clerk"], desk["checker"]):
        items = queue(rt, clerk).items
        assert [(i.case_no, i.action, i.missing, i.step) for i in items] == [
            (case_no, "resubmit", ["住院费用一日清单"], None)]
    assert queue(rt, desk["reviewer"]).items == []


def test_pages_run_from_the_nearest_deadline_to_the_cases_without_one(rt, desk):
    returned = []
    for n in range(2):
        case_no = factories.start_claim(rt, desk, claim_type="outpatient", amount=str(10 + n),
                                        documents=("invoice",))
        factories.sign(rt, desk["checker"], case_no, decision="return", opinion="缺材料",
                       missing=["发票原件"])
        returned.append(case_no)
    waiting = [factories.start_claim(rt, desk, claim_type=claim_type, amount="100", documents=("invoice",))
               for claim_type in ("outpatient", "maternity", "outpatient")]

    whole = queue(rt, desk["checker"], limit=100)
    assert [i.case_no for i in whole.items] == [*waiting, *returned]  # deadlines first, then none
    assert [i.action for i in whole.items] == ["decide"] * 3 + ["resubmit"] * 2
    paged = [i.case_no for offset in (0, 2, 4)
             for i in queue(rt, desk["checker"], limit=2, offset=offset).items]
    assert paged == [i.case_no for i in whole.items] and whole.total == 5
    assert [i.case_no for i in queue(rt, desk["checker"], limit=3, offset=4).items] == [returned[1]]
    assert [i.case_no for i in queue(rt, desk["checker"], dated_only=True).items] == waiting
