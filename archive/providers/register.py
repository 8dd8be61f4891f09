"""The register of designated providers (定点医疗机构): who they are, their agreements as the
archive holds them, validity with renewal reminders, and violations, warnings and suspensions.

A provider's agreements are the `agreement` documents whose party B is the provider (by the
credit code or 医保 code they state, else the name normalised or an alias: see
archive/providers/matching.py), as read and as corrected: their claim keys
(archive/models/claim_key_rules.py) already hold party B and the validity, so the register looks
them up there instead of keeping a second copy that a correction would not reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_case
from archive.auth import require
from archive.models import Case, ClaimKey, Provider, ProviderAlias, ProviderSanction
from archive.providers import inputs
from archive.providers.matching import Directory, normal_name
from archive.providers.rules import register_settings, reminder_stage, uscc_reason
from archive.signoff import BadRequest, Conflict
from archive.signoff.errors import _
from archive.signoff.workdays import today_in_china

SANCTION_KINDS = ("violation", "warning", "suspension")
SUSPENSION = "suspension"


def register_provider(session: Session, user, *, name, level, kind, uscc, insurance_code=None,
                      township=None, deposit=None) -> Provider:
    """Add a provider to the register. A wrong USCC is refused (400) with the reason."""
    require(user, "providers.manage")
    settings = register_settings()
    name = inputs.text(name, "name")
    level = inputs.choice(level, tuple(settings.levels), "level")
    kind = inputs.choice(kind, tuple(settings.types), "type")
    code = (uscc or "").strip().upper()
    if problem := uscc_reason(code):
        raise BadRequest(_("The unified social credit code %(code)s is not valid: %(reason)s."),
                         code=code or "-", reason=problem, concerns="uscc")
    insurance_code = inputs.text(insurance_code, "insurance_code", limit=32, required=False)
    township = inputs.text(township, "township", limit=64, required=False)
    deposit_fen = inputs.fen(deposit, "deposit", required=False)
    clash = session.scalar(select(Provider).where(or_(
        Provider.name == name, Provider.uscc == code,
        Provider.insurance_code == insurance_code if insurance_code else False)).limit(1))
    if clash is not None:
        raise Conflict(_("Provider %(name)s (%(uscc)s) is already registered with this name or code."),
                       name=clash.name, uscc=clash.uscc, concerns="name")
    _refuse_same_name(session, name)
    provider = Provider(name=name, level=level, kind=kind, uscc=code, insurance_code=insurance_code,
                        township=township, deposit_fen=deposit_fen,
                        deposit_status="held" if deposit_fen else "none",
                        created_by_name=user.display_name or user.username)
    session.add(provider)
    session.flush()
    audit.record(session, "provider.registered", actor=user, target=provider, details={
        "provider": provider.id, "name": name, "level": level, "type": kind, "uscc": code,
        "insurance_code": insurance_code, "township": township, "deposit_fen": deposit_fen})
    return provider


EDITABLE = ("name", "level", "kind", "uscc", "insurance_code", "township")


def edit_provider(session: Session, user, provider_id, *, reason, **changes) -> Provider:
    """Change a provider's name, level, type, USCC (checked), 医保 code or township, with the
    reason; the trail keeps each old and new value. A value left out (None) stays as it is; an
    empty insurance code or township clears it. The name is the one party B signs agreements
    and invoices with: the register finds them by it, so a renamed provider is matched on the
    new name from now on."""
    require(user, "providers.manage")
    provider = get_provider(session, user, provider_id)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise BadRequest(_("%(what)s cannot be changed here."), what=", ".join(sorted(unknown)))
    reason = inputs.text(reason, "reason", limit=2000)
    wanted = _checked(session, provider, {k: v for k, v in changes.items() if v is not None})
    changed = {field: {"old": getattr(provider, field), "new": value}
               for field, value in wanted.items() if getattr(provider, field) != value}
    if not changed:
        raise BadRequest(_("Nothing was changed: every value is as the register already holds it."))
    for field, values in changed.items():
        setattr(provider, field, values["new"])
    session.flush()
    audit.record(session, "provider.edited", actor=user, target=provider,
                 details={"provider": provider.id, "changes": changed, "reason": reason})
    return provider


def _checked(session: Session, provider: Provider, values: dict) -> dict:
    """The new values as the register keeps them, each checked as when registering."""
    settings = register_settings()
    checked = {}
    if "name" in values:
        checked["name"] = inputs.text(values["name"], "name")
    if "level" in values:
        checked["level"] = inputs.choice(values["level"], tuple(settings.levels), "level")
    if "kind" in values:
        checked["kind"] = inputs.choice(values["kind"], tuple(settings.types), "type")
    if "uscc" in values:
        code = str(values["uscc"] or "").strip().upper()
        if problem := uscc_reason(code):
            raise BadRequest(_("The unified social credit code %(code)s is not valid: %(reason)s."),
                             code=code or "-", reason=problem, concerns="uscc")
        checked["uscc"] = code
    if "insurance_code" in values:
        checked["insurance_code"] = inputs.text(values["insurance_code"], "insurance_code", limit=32,
                                                required=False)
    if "township" in values:
        checked["township"] = inputs.text(values["township"], "township", limit=64, required=False)
    clashes = [Provider.name == checked["name"]] if "name" in checked else []
    if "uscc" in checked:
        clashes.append(Provider.uscc == checked["uscc"])
    if checked.get("insurance_code"):
        clashes.append(Provider.insurance_code == checked["insurance_code"])
    clash = session.scalar(select(Provider).where(Provider.id != provider.id, or_(*clashes)).limit(1)) \
        if clashes else None
    if clash is not None:
        raise Conflict(_("Provider %(name)s (%(uscc)s) is already registered with this name or code."),
                       name=clash.name, uscc=clash.uscc, concerns="name")
    if "name" in checked:
        _refuse_same_name(session, checked["name"], provider.id)
    return checked


def _refuse_same_name(session: Session, name: str, provider_id: int | None = None, *,
                      concerns: str = "name") -> None:
    """A name that, normalised, is another provider's name or alias would make their claims
    impossible to tell apart (archive/providers/matching.py)."""
    directory = Directory.load(session)
    normal = normal_name(name)
    taken = (directory.by_name.get(normal, set()) | directory.by_alias.get(normal, set())) - {provider_id}
    if taken:
        raise Conflict(_("%(alias)s is already a name or alias of %(name)s."), alias=name,
                       name=directory.names[min(taken)], concerns=concerns)


def add_alias(session: Session, user, provider_id, *, alias) -> ProviderAlias:
    """Another name the provider's papers print, matched as its register name. Refused when,
    once normalised, it is already the provider's name (nothing to add) or another provider's
    name or alias (claims under it could not be told apart)."""
    require(user, "providers.manage")
    provider = get_provider(session, user, provider_id)
    alias = inputs.text(alias, "alias")
    normal = normal_name(alias)[:128]
    if not normal or normal == normal_name(provider.name):
        raise BadRequest(_("%(alias)s is already matched as the provider's name."), alias=alias,
                         concerns="alias")
    _refuse_same_name(session, alias, concerns="alias")
    added = ProviderAlias(provider_id=provider.id, alias=alias, normal=normal,
                          recorded_by_name=user.display_name or user.username)
    session.add(added)
    session.flush()
    audit.record(session, "provider.alias_added", actor=user, target=provider,
                 details={"provider": provider.id, "alias": alias, "normal": normal})
    return added


def aliases_of(session: Session, provider: Provider) -> list[ProviderAlias]:
    return list(session.scalars(select(ProviderAlias).where(ProviderAlias.provider_id == provider.id)
                                .order_by(ProviderAlias.id)))


def get_provider(session: Session, user, provider_id) -> Provider:
    require(user, "providers.view")
    provider = session.get(Provider, inputs.number(provider_id, "provider"))
    if provider is None:
        raise inputs.ProviderNotFound(_("There is no provider %(id)s in the register."), id=provider_id)
    return provider


def providers(session: Session, user) -> list[Provider]:
    require(user, "providers.view")
    return list(session.scalars(select(Provider).order_by(Provider.name)))


@dataclass(frozen=True)
class Agreement:
    case_no: str
    document_id: int | None
    valid_from: date
    valid_to: date


def agreements_of(session: Session, provider: Provider) -> list[Agreement]:
    """The provider's agreements in the archive, the latest ending last: those whose party B the
    register matches to this provider alone (by credit or 医保 code, else name or alias)."""
    directory = Directory.load(session)
    parties = session.execute(select(ClaimKey.hospital, ClaimKey.value, ClaimKey.extra)
                              .where(ClaimKey.kind == "agreement").distinct()).all()
    mine = [(party, credit, insured) for party, credit, insured in parties
            if directory.match(party, (credit, insured)).provider_id == provider.id]
    if not mine:
        return []
    rows = session.execute(
        select(Case.case_no, ClaimKey.document_id, ClaimKey.admitted, ClaimKey.discharged)
        .join(Case, Case.id == ClaimKey.case_id)
        .where(ClaimKey.kind == "agreement", or_(*(
            and_(ClaimKey.hospital == party, _same(ClaimKey.value, credit), _same(ClaimKey.extra, insured))
            for party, credit, insured in mine)))
        .order_by(ClaimKey.discharged, ClaimKey.id))
    return [Agreement(*row) for row in rows]


def _same(column, value):
    return column.is_(None) if value is None else column == value


@dataclass(frozen=True)
class Validity:
    valid_from: date | None
    valid_to: date | None
    in_force: bool  # an agreement covers today and no suspension does
    days_left: int | None
    reminder: int | None  # 60, 30 (days before valid_to), 0 ended, None not yet due
    suspended: bool


def validity(session: Session, provider: Provider, today: date | None = None) -> Validity:
    """In force when an agreement covers today and no suspension does; the reminder counts to
    the end of the latest agreement, so a renewal already archived silences it."""
    today = today or today_in_china()
    agreements = agreements_of(session, provider)
    suspended = suspension_on(session, provider.id, today) is not None
    if not agreements:
        return Validity(None, None, False, None, None, suspended)
    latest = agreements[-1]
    covering = any(a.valid_from <= today <= a.valid_to for a in agreements)
    stage = reminder_stage(latest.valid_to, today, register_settings().reminder_days)
    return Validity(latest.valid_from, latest.valid_to, covering and not suspended,
                    (latest.valid_to - today).days, stage, suspended)


@dataclass(frozen=True)
class Reminder:
    provider_id: int
    name: str
    valid_to: date
    days_left: int
    stage: int  # 60 or 30 days before; 0: ended


def renewal_reminders(session: Session, user, today: date | None = None) -> list[Reminder]:
    """Providers whose latest agreement ends within the first reminder's days (60), or has
    ended: the soonest first. One query over the register and the agreements' keys."""
    require(user, "providers.view")
    today = today or today_in_china()
    days = register_settings().reminder_days
    directory = Directory.load(session)
    latest: dict[int, date] = {}
    for party, credit, insured, valid_to in session.execute(
            select(ClaimKey.hospital, ClaimKey.value, ClaimKey.extra, func.max(ClaimKey.discharged))
            .where(ClaimKey.kind == "agreement").group_by(ClaimKey.hospital, ClaimKey.value, ClaimKey.extra)):
        provider_id = directory.match(party, (credit, insured)).provider_id
        if provider_id is not None and valid_to > latest.get(provider_id, date.min):
            latest[provider_id] = valid_to
    found = []
    for provider_id, valid_to in latest.items():
        name = directory.names[provider_id]
        stage = reminder_stage(valid_to, today, days)
        if stage is not None:
            found.append(Reminder(provider_id, name, valid_to, (valid_to - today).days, stage))
    return sorted(found, key=lambda r: (r.valid_to, r.name))


def record_sanction(session: Session, user, provider_id, *, kind, starts_on, ends_on=None,
                    description, case_no=None) -> ProviderSanction:
    """A violation, warning or suspension of a provider, with the case or audit that found it."""
    require(user, "providers.manage")
    provider = get_provider(session, user, provider_id)
    kind = inputs.choice(kind, SANCTION_KINDS, "kind")
    start = inputs.day(starts_on, "starts_on")
    # A suspension says until when (inclusive): the rows are immutable, so an open-ended one
    # could never be lifted.
    end = inputs.day(ends_on, "ends_on") if kind == SUSPENSION else None
    if end is not None and end < start:
        raise BadRequest(_("A suspension cannot end before it starts."), concerns="ends_on")
    description = inputs.text(description, "description", limit=2000)
    case = get_case(session, user, case_no.strip()) if case_no and str(case_no).strip() else None
    sanction = ProviderSanction(provider_id=provider.id, kind=kind, starts_on=start, ends_on=end,
                                description=description, case_id=None if case is None else case.id,
                                recorded_by_name=user.display_name or user.username)
    session.add(sanction)
    session.flush()
    audit.record(session, f"provider.{kind}", actor=user, target=provider, details={
        "provider": provider.id, "sanction": sanction.id, "starts_on": start.isoformat(),
        "ends_on": None if end is None else end.isoformat(), "description": description,
        "case_no": None if case is None else case.case_no})
    return sanction


def sanctions_of(session: Session, provider: Provider) -> list[tuple[ProviderSanction, str | None]]:
    rows = session.execute(select(ProviderSanction, Case.case_no)
                           .outerjoin(Case, Case.id == ProviderSanction.case_id)
                           .where(ProviderSanction.provider_id == provider.id)
                           .order_by(ProviderSanction.starts_on.desc(), ProviderSanction.id.desc()))
    return [(row[0], row[1]) for row in rows]


def suspension_on(session: Session, provider_id: int, day: date) -> ProviderSanction | None:
    """The suspension in force on `day`, if any."""
    return session.scalar(select(ProviderSanction).where(
        ProviderSanction.provider_id == provider_id, ProviderSanction.kind == SUSPENSION,
        ProviderSanction.starts_on <= day,
        ProviderSanction.ends_on >= day)
        .order_by(ProviderSanction.starts_on.desc()).limit(1))
