"""Language choice and display helpers. Simplified Chinese by default, English on request."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.numbers import format_decimal, get_minus_sign_symbol
from flask import current_app, has_app_context, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from archive import findings_text
from archive.ocr.fields import correctable_fields
from archive.ocr.fields import field_label as ocr_field_label

LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
# Babel reads "zh_CN" as zh_Hans_CN, so the Chinese catalogue lives in translations/zh_Hans_CN.

STATUS_LABELS = {
    "received": _l("received"),
    "processing": _l("processing"),
    "processed": _l("processed"),
    "failed": _l("failed"),
    "intake": _l("intake"),
    "in_review": _l("in review"),
    "returned": _l("returned for correction"),
    "rejected": _l("rejected"),
    "approved": _l("approved"),
    "paid": _l("paid"),
    "filed": _l("filed"),  # registered by back-scanning (archive.backscan)
}


def select_locale() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LANGUAGES:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def lang_url(code: str) -> str:
    """This page in another language: the same path and query, `lang` replaced (a search keeps
    its words and filters)."""
    query = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return f"{request.path}?{urlencode([*query, ('lang', code)])}"


CLAIM_TYPE_LABELS = {
    "outpatient": _l("outpatient"),
    "inpatient": _l("inpatient"),
    "maternity": _l("maternity"),
    "trauma": _l("trauma"),
    "referral": _l("out-of-area referral"),
    "settlement": _l("provider settlement"),
    "other": _l("other"),
    "audit": _l("audit"),
}

KIND_LABELS = {
    "invoice": _l("medical invoice"),
    "daily_statement": _l("daily itemised statement"),
    "referral": _l("referral form"),
    "agreement": _l("provider agreement"),
    "vat_invoice": _l("VAT invoice"),
    "other": _l("other document"),
    None: _l("not yet recognised"),
}


ACTION_LABELS = {
    "case.create": _l("case opened"),
    "case.view": _l("case viewed"),
    "document.upload": _l("document uploaded"),
    "document.upload_duplicate": _l("same file uploaded again"),
    "document.processed": _l("document processed"),
    "document.failed": _l("processing failed"),
    "document.download": _l("original downloaded"),
    "object.restored": _l("lost original restored from a new upload"),
    "case.update": _l("case corrected"),
    "field.correct": _l("field corrected"),
    "workflow.started": _l("sent for sign-off"),
    "workflow.resubmitted": _l("resubmitted after correction"),
    "workflow.resumed": _l("sign-off chain resumed"),
    "workflow.approve": _l("approved a step"),
    "workflow.return": _l("returned for correction"),
    "workflow.reject": _l("rejected"),
    "workflow.reopened": _l("sent back: the case changed after sign-off"),
    "records.classified": _l("record class set"),
    "records.four_properties": _l("four-property check (authenticity, integrity, usability, security)"),
    "records.filed": _l("filed in the archive"),
    "records.hold_placed": _l("legal hold placed"),
    "records.hold_lifted": _l("legal hold lifted"),
    "records.appraised": _l("appraised"),
    "records.destruction_approved": _l("destruction approved"),
    "records.destroyed": _l("destroyed after appraisal"),
    "case.export": _l("case file exported"),
    "loan.grant": _l("loan registered"),
    "loan.approve": _l("loan approved"),
    "loan.revoke": _l("loan ended early"),
    "objection.recorded": _l("objection to the notice registered (payment held)"),
    "objection.closed": _l("objection to the notice closed"),
    "backscan.started": _l("back-scanning run started"),
    "backscan.finished": _l("back-scanning run ended"),
}
# Events shown on case and audit pages that had no label: each one in the reader's language.
ACTION_LABELS.update({
    "document.view": _l("document viewed"),
    "document.delete": _l("document deleted"),
    "document.reclassify": _l("document kind changed"),
    "finding.resolved": _l("finding let through with a reason"),
    "claim.adjusted": _l("approved amount adjusted"),
    "payment.batch_bound": _l("added to a payment batch"),
    "phone_follow_up.recorded": _l("phone follow-up recorded"),
    "spot_check.drawn": _l("drawn for a spot check"),
    "spot_check.recorded": _l("spot check recorded"),
    "spot_check.committed": _l("spot-check draw committed"),
    "publication.created": _l("included in a public notice"),
    "fixity.check": _l("fixity checked"),
    "records.register_exported": _l("archive register exported"),
    "search.query": _l("searched"),
    "object.orphan_swept": _l("orphaned stored file removed"),
})


def label(text) -> str:
    """A label as a list, a cell or a heading shows it: with a capital in English, where the
    catalogue keeps the lowercase form that also reads inside a sentence (Chinese has no case)."""
    text = str(text)
    return text[:1].upper() + text[1:]


def action_label(action: str) -> str:
    return label(ACTION_LABELS.get(action, action))


def field_label(kind: str | None, name: str) -> str:
    from flask_babel import get_locale

    if str(get_locale()).startswith("en"):
        return label(name.replace("_", " "))
    return ocr_field_label(kind, name)


def status_label(status: str) -> str:
    return label(STATUS_LABELS.get(status, status))


def claim_type_label(claim_type: str) -> str:
    return label(CLAIM_TYPE_LABELS.get(claim_type, claim_type))


def kind_label(kind: str | None) -> str:
    return label(KIND_LABELS.get(kind, kind))


def money(amount) -> str:
    """An amount in yuan as desks show it, `¥1,234.50` with the reader's locale's separators and
    always two decimals (babel, on the Decimal itself: no float ever rounds it); "—" when there is
    none. A value that is not a number (a reading gone wrong) is shown as it is."""
    if amount is None or amount == "":
        return "—"
    try:
        value = Decimal(str(amount).replace(",", ""))
    except InvalidOperation:
        return str(amount)
    if not value.is_finite():
        return str(amount)
    locale = reader_locale()
    figure = format_decimal(abs(value), "#,##0.00", locale=locale)
    return f"{get_minus_sign_symbol(locale) if value < 0 else ''}¥{figure}"


def reader_locale() -> Locale:
    """The reader's locale; the default one outside a request (a job, a unit test), where no
    reader has chosen."""
    from flask_babel import get_locale

    chosen = get_locale() if has_request_context() else None
    if chosen is None:
        default = current_app.config["BABEL_DEFAULT_LOCALE"] if has_app_context() else "zh_CN"
        chosen = Locale.parse(default)
    return chosen


def field_value(kind: str | None, name: str, value) -> str:
    """A field's value as desks show it: amounts as money, the visit type by its label."""
    if name == "visit_type":
        return claim_type_label(value)
    if name in _amount_fields(kind):
        return money(value)
    if isinstance(value, list):  # the raw QR payloads kept with a document
        return "；".join(map(str, value))
    return value


ITEM_COLUMNS = {  # the columns of an item table, in this order, where any item has them
    "date": _l("date"), "code": _l("code"), "name": _l("item"), "spec": _l("specification"),
    "unit": _l("unit"), "insurance_class": _l("class"), "quantity": _l("quantity"),
    "unit_price": _l("unit price"), "amount": _l("amount"), "tax_rate": _l("tax rate"),
    "tax": _l("tax"), "category": _l("category"),
}
MONEY_COLUMNS = frozenset({"unit_price", "amount", "tax"})


def item_columns(items: list) -> list[tuple[str, str]]:
    """(key, label) of the columns an item table needs: the known ones any item has, in order."""
    present = {key for item in items if isinstance(item, dict) for key in item}
    return [(key, label(name)) for key, name in ITEM_COLUMNS.items() if key in present]


def item_cell(key: str, value) -> str:
    if value in (None, ""):
        return ""
    return money(value) if key in MONEY_COLUMNS else str(value)


@cache
def _amount_fields(kind: str | None) -> frozenset[str]:
    return frozenset(name for name, kind_of in correctable_fields(kind).items() if kind_of == "amount")


_STRFTIME = {"Y": "yyyy", "m": "MM", "d": "dd", "H": "HH", "M": "mm", "S": "ss"}


def local_time(moment: datetime | None, pattern: str = "yyyy-MM-dd HH:mm") -> str:
    """A stored UTC time (a naive one is UTC) shown in the agency's time zone (app.timezone) by
    babel in the reader's locale. `pattern` is CLDR's; templates may still give strftime's
    `%Y-%m-%d %H:%M:%S` fields, which mean the same."""
    if moment is None:
        return "—"
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    cldr = re.sub(r"%([YmdHMS])", lambda field: _STRFTIME[field[1]], pattern)
    return format_datetime(moment, cldr, tzinfo=zone, locale=reader_locale())


def as_data(value) -> Markup:
    """A value a message names (a name, a file, a code): data, left as it is read. Figures and
    dates are the same in every language and stay bare."""
    if not re.search(r"[^\W\d_]", str(value)):
        return Markup(escape(value))
    return Markup('<span translate="no">%s</span>') % value


def finding_text(check) -> Markup:
    """A finding (a dict or a CaseFinding) in the reader's language, drawn from its code and
    parameters (archive.findings_text); the values it names are marked as data."""
    from flask_babel import get_locale, get_translations, gettext

    get = check.get if isinstance(check, dict) else (lambda key: getattr(check, key, None))
    english = str(get_locale()).startswith("en")
    message = get("message") or ""
    forms = get_translations().ngettext
    drawn = findings_text.text(get("code"), get("params"), None,
                               translate=lambda text: Markup(escape(gettext(text))), wrap=as_data,
                               ngettext=lambda one, many, n: Markup(escape(forms(one, many, n))))
    if drawn:
        return drawn
    if english and get("message_en"):
        return Markup(escape(get("message_en")))
    if english and get("code") in findings_text.TEMPLATES:
        # Stored before findings kept their values: the Chinese text as it was computed.
        return Markup('<span lang="zh-CN">%s</span>') % message
    return Markup(escape(message))
