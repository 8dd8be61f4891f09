"""A search request from a URL's query string, the same for the web page and the API.

    q=张伟 &kind=invoice &kind=referral &status=in_review &step=initial_review
    &hospital=县人民医院 &patient_name=… &id_number=… &insurance_number=… &invoice_number=…
    &case_no=AJ-2026-000001 &year=2026 &date_from=2026-01-01 &date_to=2026-03-31
    &opened_from=… &opened_to=… &amount_min=100 &amount_max=5000.50
    &sort=relevance|date|-date|amount|-amount|opened &page=2 &page_size=20

(date and amount sort newest and largest first; -date and -amount the other way round.)

The API is strict (a bad value is a 400 with its reason); the web page drops what it cannot
use and says so, then searches with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from archive.errors import _, n_
from archive.search.errors import BadParameter
from archive.search.query import EXACT_FILTERS, MAX_PAGE_SIZE, PAGE_SIZE, SORTS

MULTI_VALUED = ("kind", "status", "hospital", "year", "step")  # facets: tick several
DATE_PARAMS = ("date_from", "date_to", "opened_from", "opened_to")
AMOUNT_PARAMS = ("amount_min", "amount_max")
KNOWN = {"q", "sort", "page", "page_size", "lang", *EXACT_FILTERS, *DATE_PARAMS, *AMOUNT_PARAMS}
MAX_QUERY = 500  # characters


@dataclass
class SearchParams:
    query: str = ""
    filters: dict = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = PAGE_SIZE
    problems: list[BadParameter] = field(default_factory=list)  # dropped (lenient mode only)

    @property
    def empty(self) -> bool:
        return not self.query.strip() and not self.filters


def read_params(args, *, strict: bool) -> SearchParams:
    """`args` is a werkzeug MultiDict (or any mapping with getlist)."""
    params = SearchParams()

    def refuse(name: str, reason: str, **values) -> None:
        if strict:
            raise BadParameter(name, reason, **values)
        params.problems.append(BadParameter(name, reason, **values))

    if strict:
        for name in args:
            if name not in KNOWN:
                refuse(name, _("unknown parameter"))
    query = args.get("q", "") or ""
    if len(query) > MAX_QUERY:
        refuse("q", n_("longer than %(most)s character", "longer than %(most)s characters", "most"),
               most=MAX_QUERY)
        query = query[:MAX_QUERY]
    if strict and query.strip() and not any(character.isalnum() for character in query):
        # Nothing to search for: an empty answer would look like "no such document".
        refuse("q", "only punctuation: type letters, digits or Chinese characters to search for")
    params.query = query
    for name in EXACT_FILTERS:
        values = [value.strip() for value in args.getlist(name) if value and value.strip()]
        if values:
            params.filters[name] = values if name in MULTI_VALUED else values[0]
    for name in DATE_PARAMS:
        if (value := (args.get(name) or "").strip()):
            try:
                date.fromisoformat(value)
                params.filters[name] = value
            except ValueError:
                refuse(name, _("%(value)s is not a date (YYYY-MM-DD)"), value=repr(value))
    for name in AMOUNT_PARAMS:
        if (value := (args.get(name) or "").strip()):
            try:
                amount = Decimal(value.replace(",", ""))
            except InvalidOperation:
                amount = Decimal("NaN")
            if not amount.is_finite() or amount < 0:
                refuse(name, _("%(value)s is not an amount in yuan"), value=repr(value))
            else:
                params.filters[name] = value
    params.sort = args.get("sort") or "relevance"
    if params.sort not in SORTS:
        refuse("sort", _("%(value)s is not one of %(known)s"), value=repr(params.sort),
               known=", ".join(SORTS))
        params.sort = "relevance"
    params.page = _whole(args, "page", 1, 10_000, refuse)
    params.page_size = _whole(args, "page_size", PAGE_SIZE, MAX_PAGE_SIZE, refuse)
    return params


def _whole(args, name: str, default: int, most: int, refuse) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        refuse(name, _("%(value)s is not a whole number from 1 to %(most)s"), value=repr(raw),
               most=most)
        return default
    return int(raw)
