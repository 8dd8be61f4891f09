"""The one place that decides which records a user may see.

Lists, downloads, the API, exports and search all go through these functions. A record the
user may not see is reported as not found, so its existence does not leak.

Graded access (调阅权限分级): each archive record has an access grade (from its record class,
storage_config/retention.toml) and each person a clearance (storage_config/roles.toml
[clearances], or their own, set on the admin desk). A case whose record's grade is above the
user's clearance is invisible to them, unless they hold an approved, unexpired loan (借阅) of
it. A case without an archive record is still being worked on at the desks and counts as
grade 1 (general): the people handling a claim must see it; its grade applies from the moment
an archivist classifies or files it. Except where the record class of its claim type says
`from_start` (audit material, grade 3): that grade applies from the moment the case is opened,
so an audit of a hospital in progress is hidden from the hospital's clerk and the village
officer. The person who opened such a case still sees it (they hold its papers).

Scope (storage_config/roles.toml [scopes]): the roles outside the agency see, on top of all
that, only the cases of the part of the county they work for — a hospital clerk those treated at
their hospital (as the documents read, `treated_at`), a village officer those of their village,
a township officer those of their township — as set on their account; without one they see none
(fail closed). A loan does not widen a scope.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, and_, false, not_, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import True_

from archive.auth import can, clearance_of, scope_kind
from archive.errors import Refusal, _
from archive.models import ArchiveRecord, Case, ClaimKey, Document, Loan
from archive.models.types import utcnow
from archive.retention import schedule


class NotFound(Refusal):
    """No such record, or none the user may see (the same answer for both)."""

    status = 404
    code = "not_found"

    def __init__(self, what: str):
        super().__init__(_("Not found: %(what)s. It does not exist or is not visible to you."),
                         what=what.removeprefix("no "))


def case_condition(user) -> ColumnElement[bool]:
    """The condition a case `user` may see meets; `true()` means every case, which lets search
    skip filtering altogether (a clearance at the top grade)."""
    if not can(user, "case.view"):
        return false()
    scope = scope_condition(user)
    if scope is None:
        return graded_condition(user)
    return and_(scope, graded_condition(user))


def scope_condition(user) -> ColumnElement[bool] | None:
    """The part of the county a user outside the agency works for; None for the agency's staff."""
    kind = scope_kind(user.role)
    if kind is None:
        return None
    hospital, township, village = (getattr(user, name, None) for name in
                                   ("scope_hospital", "scope_township", "scope_village"))
    if kind == "hospital" and hospital:
        return treated_at(hospital)
    if kind == "township" and township:
        return Case.township == township
    if kind == "village" and village:
        # Village names repeat across townships: the township, when set, must match too.
        return and_(Case.village == village, *([Case.township == township] if township else []))
    return false()  # no scope set yet: nothing


def treated_at(hospital: str) -> ColumnElement[bool]:
    """Cases treated at `hospital` as their documents read (the claim keys of their stays and
    visits); the hospital typed on the case only while no document names one
    (archive.signoff.hospitals): a typed name cannot move a case to another hospital's clerk."""
    named = select(ClaimKey.case_id).where(ClaimKey.kind.in_(("stay", "visit")),
                                            ClaimKey.hospital.is_not(None))
    return or_(Case.id.in_(named.where(ClaimKey.hospital == hospital)),
               and_(Case.hospital == hospital, Case.id.not_in(named)))


def graded_condition(user) -> ColumnElement[bool]:
    """The access grades (and loans) part of `case_condition`: a case the grade rules
    (`_kept_by_grade`) do not keep from `user`, or one lent to them."""
    kept = _kept_by_grade(user)
    if kept is None:
        return true()
    return or_(not_(kept), _lent(user))


def hidden_by_grade(user) -> Select[tuple[int]] | None:
    """The ids of the cases `graded_condition` keeps from `user` — the same rules, loans taken
    out — for a user whose visibility is grades and loans alone; None for anyone else (a scoped
    role, or one who may see no case). Search counts a common word from kept counts less the
    rows of these cases (archive.search.pg_query.gram_counts)."""
    if not can(user, "case.view") or scope_kind(user.role) is not None:
        return None
    kept = _kept_by_grade(user)
    if kept is None:
        return select(Case.id).where(false())
    return select(Case.id).where(kept, not_(_lent(user)))


def _kept_by_grade(user) -> ColumnElement[bool] | None:
    """The one statement of the grade rules, loans aside: the cases whose record's grade is
    above the user's clearance, and those in progress (no archive record yet) of a claim type
    graded from the start above it but for the ones the user opened; None for a clearance at
    the top grade. Every column it reads is NOT NULL, so its negation is exactly the rest (no
    NULL that neither side would count)."""
    clearance = clearance_of(user)
    if clearance >= schedule().top_grade:
        return None
    kept = Case.id.in_(select(ArchiveRecord.case_id).where(ArchiveRecord.access_grade > clearance))
    restricted = sorted(t for t, grade in schedule().grades_from_start().items() if grade > clearance)
    if restricted:
        kept = or_(kept, and_(Case.claim_type.in_(restricted),
                              Case.id.not_in(select(ArchiveRecord.case_id)),
                              Case.created_by_id != user.id))
    return kept


def _lent(user) -> ColumnElement[bool]:
    return Case.id.in_(active_loans(user).with_only_columns(Loan.case_id))


def active_loans(user) -> Select[tuple[Loan]]:
    """The approved loans of `user` in force now: expiry is checked here, at every access."""
    return select(Loan).where(Loan.borrower_id == user.id, Loan.approved_at.is_not(None),
                              Loan.revoked_at.is_(None), Loan.until > utcnow())


def sees_every_case(user) -> bool:
    return isinstance(case_condition(user), True_)


def visible_cases(user) -> Select[tuple[Case]]:
    """A query of the cases `user` may see."""
    return select(Case).where(case_condition(user))


def get_case(session: Session, user, case_no: str) -> Case:
    case = session.scalar(visible_cases(user).where(Case.case_no == case_no))
    if case is None:
        raise NotFound(f"no case {case_no}")
    return case


def get_document(session: Session, user, document_id: int) -> Document:
    document = session.scalar(
        select(Document)
        .join(Document.case)
        .where(Document.id == document_id, Case.id.in_(visible_cases(user).with_only_columns(Case.id)))
    )
    if document is None:
        raise NotFound(f"no document {document_id}")
    return document


def loan_in_use(session: Session, user, case: Case) -> Loan | None:
    """The loan through which `user` sees `case`, or None when their clearance is enough (or
    they have no such loan). Views and downloads under a loan name it in their audit event."""
    grade = session.scalar(select(ArchiveRecord.access_grade).where(ArchiveRecord.case_id == case.id))
    if grade is None or grade <= clearance_of(user):
        return None
    return session.scalar(active_loans(user).where(Loan.case_id == case.id).order_by(Loan.until.desc())
                          .limit(1))


def loan_details(session: Session, user, case: Case) -> dict:
    """{"loan": id} to add to an audit event's details when the access is under a loan."""
    loan = loan_in_use(session, user, case)
    return {"loan": loan.id} if loan is not None else {}
