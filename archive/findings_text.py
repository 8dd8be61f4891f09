"""The text of a finding, drawn from its code and parameters in the reader's language.

Findings (a document's checks, a case's findings, claim and statement flags) are stored as
{"code", "severity", "message", "params"}: `message` is the text as computed (kept for old rows,
the API and the audit trail), `params` the values it names. A page shows a finding through
`text(...)`: the template for its code, translated for the reader, filled with the parameters.
A finding stored before it had parameters, or whose code has no template here, is shown by its
stored message (`message_en` on English pages where the finding has one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from archive.errors import Plural, n_, template_text


def _(message: str) -> str:
    """Marks a template for extraction; it is translated when drawn (`text`)."""
    return message


TEMPLATES: dict[str, str | Plural] = {
    # A document's checks (archive.ocr.checks, archive.ocr.vat_checks).
    "missing_field": _("The total (in figures) could not be read; check it by hand"),
    "capital_mismatch": _("The amount in words %(capital)s differs from the amount in figures %(total)s"),
    "split_mismatch": _("Fund, personal account, co-payment and self-funded parts add up to %(split)s, "
                        "not the total %(total)s"),
    "items_mismatch": _("The items add up to %(items_total)s, not the total %(total)s"),
    "future_date": _("Issue date %(issued)s is later than today"),
    "item_amount_mismatch": _("%(name)s: unit price × quantity is %(expected)s, not the amount %(amount)s"),
    "daily_total_mismatch": _("The items add up to %(items_total)s, not the day's total %(total)s"),
    "missing_signature": _("The daily statement lacks the signature of the patient or a relative"),
    "invalid_id_number": _("ID number %(id_number)s fails its check (check digit or birth date wrong)"),
    "referral_after_admission": _("Referral date %(referred)s is later than the admission date %(admitted)s"),
    "invalid_credit_code": _("Unified social credit code %(credit_code)s fails its check"),
    "validity_reversed": _("Valid from %(start)s is later than valid to %(end)s"),
    "agreement_expired": _("The agreement expired on %(end)s"),
    "vat_sum_mismatch": _("Amount %(amount)s plus tax %(tax)s is not the total with tax %(total)s"),
    "invoice_number_shape": _("Invoice number %(number)s should have 8 digits (VAT invoice) or 20 "
                              "(digital invoice)"),
    "invoice_code_unexpected": _("A 20-digit digital invoice has no invoice code, yet invoice code "
                                 "%(code)s was read"),
    # A case's checks across its documents (archive.ocr.case_checks).
    "missing_daily_statements": _("An inpatient claim without the daily itemised statements is not "
                                  "accepted"),
    "daily_totals_mismatch": _("The daily statements' total %(daily_total)s differs from the inpatient "
                               "invoices' total %(invoice_total)s"),
    "patient_name_mismatch": _("The patient's name differs between the documents: %(names)s"),
    # The claimed amount (archive.claims.money).
    "claimed_amount_mismatch": _("The amount typed (%(typed)s) differs from the invoices' total "
                                 "(%(documented)s); the invoices' total counts"),
    "claimed_amount_unverified": _("No invoice read yet: the typed amount %(typed)s is used for "
                                   "routing and the computation until one is"),
    "claimed_amount_unknown": _("No invoice read and no amount typed"),
    "duplicate_invoice_in_case": _("Invoice #%(left_out)s repeats invoice #%(first)s of this case; "
                                   "counted once"),
    # Against other cases (archive.workflows.duplicates, archive.signoff.hospitals).
    "duplicate_invoice": _("Duplicate invoice: %(filename)s has the same %(what)s as an invoice in "
                           "case %(other_case)s; it may be claimed twice. Check it and give a reason "
                           "to go on"),
    "hospital_mismatch": _("The hospital typed (%(typed)s) is not the one the documents name "
                           "(%(read)s); the documents count"),
    # Flags that compare the claim with other claims (archive.workflows.claim_flags).
    "stay_overlap": _("Overlapping stays: this case's stay from %(start)s to %(end)s overlaps the stay "
                      "in case %(other_case)s at %(hospital)s (%(other_start)s to %(other_end)s); "
                      "one person cannot be in hospital twice at once"),
    "readmission": n_("Possible split stay: readmitted to %(hospital)s %(gap)s day after discharge "
                      "(case %(other_case)s: %(other_start)s to %(other_end)s; this case %(start)s "
                      "to %(end)s), within %(days)s days",
                      "Possible split stay: readmitted to %(hospital)s %(gap)s days after discharge "
                      "(case %(other_case)s: %(other_start)s to %(other_end)s; this case %(start)s "
                      "to %(end)s), within %(days)s days", "gap"),
    "claim_frequency": _("Claims too frequent: %(count)s claims by the same person within %(days)s "
                         "days around %(day)s (more than %(most)s): %(cases)s"),
    "agreement_missing": _("The archive holds no designated-provider agreement of %(hospital)s; it "
                           "cannot be confirmed that it was a designated provider on %(day)s"),
    "agreement_suspended": _("Agreement suspended: %(hospital)s suspended its agreement from "
                             "%(start)s to %(end)s (%(description)s); the day of treatment %(day)s "
                             "falls within it"),
    "provider_ambiguous": _("Provider unclear: %(hospital)s on the invoice fits several registered "
                            "providers (%(providers)s); whether its agreement was suspended cannot be "
                            "checked"),
    "provider_unregistered": _("%(hospital)s on the invoice is not in the provider register under "
                               "any name, alias or code; whether its agreement was suspended cannot "
                               "be checked"),
    # A daily statement's items against the catalogue (archive.workflows.statement_flags).
    "bed_only_day": _("Possibly a bed kept without treatment: in %(file)s, only the bed was charged "
                      "on %(entries)s"),
    "item_substituted": _("Items billed under another code, name or class: in %(file)s, %(entries)s"),
    "not_on_catalogue": _("Items not on the insurance catalogue: in %(file)s, %(entries)s"),
    "item_amount": _("Unit price × quantity is not the amount: in %(file)s, %(entries)s"),
}
# A code two checks share, with different values: the template whose values the finding has.
ALTERNATIVES: dict[str, str] = {
    "agreement_expired": _("Agreement not in force: the agreement of %(hospital)s (case %(case_no)s, "
                           "valid %(start)s to %(end)s) was not in force on the day of treatment "
                           "%(day)s"),
}

# Words a parameter may hold that are themselves the application's (not data).
WORDS: dict[str, str] = {
    "invoice_number": _("invoice number"),
    "invoice_code_and_number": _("invoice code and number"),
    "qr_code": _("QR code content"),
    "file": _("file content (the same hash)"),
}

_NAMED = re.compile(r"%\((\w+)\)s")


def _identity(text: str) -> str:
    return text


def text(code: str | None, params: Mapping[str, Any] | None, message: str | None, *,
         translate: Callable[[str], str] = _identity, wrap: Callable[[Any], Any] = str,
         fallback: str | None = None,
         ngettext: Callable[[str, str, int], Any] | None = None) -> Any:
    """The finding's text: its code's template through `translate` (one with a number in it
    through `ngettext`, English forms without), each parameter through `wrap` (a page marks them
    as data). Without a template or with a parameter missing, the stored text: `fallback` (the
    English one) if given, else `message`."""
    params = dict(params or {})
    fits = [t for t in (ALTERNATIVES.get(code or ""), TEMPLATES.get(code or ""))
            if t is not None and set(_NAMED.findall(t.plural if isinstance(t, Plural) else t))
            <= set(params)]
    if not fits:
        return fallback or message or ""
    template = fits[0]
    values = {key: translate(WORDS[value]) if key == "what" and value in WORDS else wrap(value)
              for key, value in params.items()}
    if isinstance(template, Plural):
        forms = ngettext or (lambda one, many, number: one if number == 1 else many)
        return template_text(template, params, translate, forms) % values
    return translate(template) % values
