"""Correcting a field read from a document (更正), by the clerk at intake or the reviewer.

The value in force is `Document.fields[name]`; each correction is a row that keeps the value the
machine read, the value before and the value set, with who and when, and an audit event in the
same transaction. The document's checks run again on the corrected fields. A case under legal
hold, filed or closed cannot be corrected; a chain whose signatures covered the old value goes
back to the first step affected (corrected values are part of what a signature covers).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from archive import audit
from archive.access import get_document
from archive.auth import require
from archive.follow_ups import follow_up
from archive.models import Document, FieldCorrection
from archive.ocr.extract import must_be_checked, recheck
from archive.ocr.fields import correctable_fields, field_label, read_typed_value
from archive.records.case_guard import ensure_changeable
from archive.records.errors import Invalid, _
from archive.workflows import content_changed

REASONS = {"unexpected_characters": _("it contains characters such a value never has"),
           "not_a_date": _("it is not a date"), "not_an_amount": _("it is not an amount in yuan"),
           "not_a_capital_amount": _("it is not an amount in capital characters or figures"),
           "not_an_id_number": _("it is not an 18-character ID number"),
           "not_a_credit_code": _("it is not an 18-character credit code"),
           "check_digit": _("its check digit does not match"),
           "not_a_name": _("it is not a person's name")}


class UntakableValue(Invalid):
    """A typed value that does not check out as the field's type (HTTP 422)."""

    def message(self, translate=lambda text: text, locale="en", ngettext=None) -> str:
        return translate(self.template) % {**self.params, "why": translate(self.params["why"])}


def correct_field(session: Session, document_id: int, *, actor, field: str, value: str | None,
                  reason: str) -> FieldCorrection:
    """Set field `field` of a document to `value` (typed as printed: "2026年3月5日", "1,234.5"),
    or clear it with an empty value; `reason` says why. Returns the correction."""
    require(actor, "document.correct")
    document = get_document(session, actor, document_id)
    case = document.case
    ensure_changeable(session, case, action="field.correct")  # held, filed or closed: refused
    if field not in correctable_fields(document.kind):
        raise Invalid(_("The field %(field)s of this document cannot be corrected here."), field=field)
    new = _typed(document, field, value)
    reason = (reason or "").strip()[:500]
    if not reason:
        raise Invalid(_("Say why the field is corrected."), concerns="reason")
    old = document.fields.get(field)
    earlier = next((c for c in document.corrections if c.field == field), None)
    machine = earlier.machine_value if earlier else old
    document.fields = _with_value(document.fields, field, new)
    corrected = {c.field for c in document.corrections} | {field}
    document.checks = recheck(document.kind, document.fields, document.checks, corrected=corrected)
    document.needs_check = must_be_checked(document.kind, document.checks)
    correction = FieldCorrection(document=document, field=field, machine_value=machine,
                                 previous_value=old, value=new, reason=reason, corrected_by_id=actor.id,
                                 corrected_by_name=getattr(actor, "display_name", None) or actor.username)
    session.add(correction)
    session.flush()
    content_changed(session, case, actor=actor, reason=reason)
    audit.record(session, "field.correct", actor=actor, target=document, details={
        "case_no": case.case_no, "field": field, "old": old, "new": new, "machine": machine,
        "reason": reason, "findings": [c["code"] for c in document.checks]})
    follow_up(session, "sync_index")  # the index follows the corrected value
    return correction


def _typed(document: Document, field: str, value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None  # cleared: a field that cannot be read is absent, never guessed
    if len(text) > 200:
        raise Invalid(_("The value is too long."), concerns="value")
    new, why = read_typed_value(document.kind, field, text)
    if why is not None:
        raise UntakableValue(_("“%(value)s” cannot be taken as %(field)s: %(why)s."), value=text,
                      field=field_label(document.kind, field), why=REASONS.get(why, why),
                             concerns="value")
    return new


def _with_value(fields: dict, field: str, value: str | None) -> dict:
    """A new dict (so the JSON column sees the change); a multi-day statement's top-level fields
    are its first day's, so the first day changes with them."""
    fields = {**fields}
    days = fields.get("days")
    if days:
        fields["days"] = [_set({**days[0]}, field, value), *days[1:]]
    return _set(fields, field, value)


def _set(fields: dict, field: str, value: str | None) -> dict:
    if value is None:
        fields.pop(field, None)
    else:
        fields[field] = value
    return fields


def corrections_by_field(document: Document) -> dict[str, list[FieldCorrection]]:
    """Each corrected field's corrections, newest first (the viewer shows the history)."""
    found: dict[str, list[FieldCorrection]] = {}
    for correction in reversed(document.corrections):
        found.setdefault(correction.field, []).append(correction)
    return found


@dataclass(frozen=True)
class FieldRow:
    """One field as the viewer shows it: value in force, where it was read, its corrections."""

    name: str
    value: str | None
    source: dict | None  # {"page", "boxes"} (fractions of the page) or None when not known
    corrections: list[FieldCorrection]  # newest first
    correctable: bool


LIST_FIELDS = ("line_items", "items", "days")  # shown in the page text, not as one value


def field_rows(document: Document, *, may_correct: bool) -> list[FieldRow]:
    """The document's fields in reading order; with `may_correct`, also the correctable fields
    that were not read, so a person can fill them in."""
    correctable = correctable_fields(document.kind) if may_correct else {}
    names = [n for n in document.fields if n not in LIST_FIELDS]
    names += [n for n in correctable if n not in document.fields]
    history = corrections_by_field(document)
    sources = document.field_sources or {}
    return [FieldRow(name, document.fields.get(name),
                     sources.get(name) if name in document.fields else None,
                     history.get(name, []), name in correctable) for name in names]
