"""Flags on what the daily statements (一日清单) bill, item by item and day by day.

- 挂床 (`bed_only_day`): a day that bills nothing but the bed (the `bed_only_items` of
  storage_config/flags.toml): the patient was on the ward's list but not treated, or not there.
- Not on the catalogue (`not_on_catalogue`): an item storage_config/catalogue.toml does not list
  by its name (nor, when the statement prints one, by its code).
- 串换 (`item_substituted`): an item billed under another name — its printed code (项目编码, the
  item's `code` when the reader gives one) is the catalogue's code of another item, or a code
  the catalogue does not hold under a listed name — or a listed item billed under another class
  (甲/乙/丙) than the catalogue gives it, so the fund would pay another share than it owes.
- A wrong sum (`item_amount`): unit price × quantity differs from the amount by more than the
  tolerance (rounding).
Each finding names the document and the days and items concerned. Whether the days cover the
stay is checked when the case is sent on (archive/workflows/statements.py), not here.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from archive.models.cases import DocumentStatus
from archive.workflows.flag_settings import FlagSettings

SHOWN = 5  # items or days named in one finding; the rest are counted


def statement_findings(documents, settings: FlagSettings) -> list[dict]:
    """The item and day findings of a case's read daily statements (CaseFinding keywords)."""
    found = []
    by_name = settings.by_name()
    for document in documents:
        if document.kind != "daily_statement" or document.status != DocumentStatus.PROCESSED:
            continue
        fields = document.fields or {}
        bed_only, unknown, substituted, wrong = [], [], [], []
        # The same entries in a notation without words, for pages in either language.
        noted: dict[str, list[str]] = {"substituted": [], "wrong": []}
        for day in fields.get("days") or [fields]:
            on = day.get("statement_date") or "?"
            items = [item for item in day.get("items") or [] if isinstance(item, dict)]
            names = {item.get("name") for item in items}
            if items and names <= settings.bed_only_items:
                bed_only.append(on)
            for item in items:
                name, code = item.get("name") or "", _code(item.get("code"))
                listed = settings.catalogue.get(code) if code else None
                if listed is not None and listed["name"] != name:
                    substituted.append(f"{on} {name}（编码 {code} 为“{listed['name']}”）")
                    noted["substituted"].append(f"{on} {name} ({code} = {listed['name']})")
                elif code and listed is None and name in by_name:
                    # A listed name under a code the catalogue does not hold: an unlisted item
                    # billed as a listed one.
                    substituted.append(f"{on} {name}（编码 {code} 不在目录内，目录编码为 "
                                       f"{by_name[name]['code']}）")
                    noted["substituted"].append(f"{on} {name} ({code} ≠ {by_name[name]['code']})")
                elif listed is None and name not in by_name:
                    unknown.append(f"{on} {name}")
                elif (cls := item.get("insurance_class")) and \
                        cls != (entry := listed or by_name[name])["class"]:
                    substituted.append(f"{on} {name} 按{cls}类收费（目录为{entry['class']}类）")
                    noted["substituted"].append(f"{on} {name} ({cls} ≠ {entry['class']})")
                if (why := _sum_wrong(item, settings.amount_tolerance)) is not None:
                    wrong.append(f"{on} {name} {why}")
                    noted["wrong"].append(f"{on} {name} ({_sum_noted(item)})")
        label = document.filename
        if bed_only:
            found.append(_finding("bed_only_day", document, settings,
                                  f"挂床嫌疑：{label} 中 {_listed(bed_only)} 仅收取床位费，未见诊疗",
                                  file=label, entries=_noted(bed_only)))
        if substituted:
            found.append(_finding("item_substituted", document, settings,
                                  f"串换项目：{label} 中 {_listed(substituted)}",
                                  file=label, entries=_noted(noted["substituted"])))
        if unknown:
            found.append(_finding("not_on_catalogue", document, settings,
                                  f"目录外项目：{label} 中 {_listed(unknown)} 不在医保目录内",
                                  file=label, entries=_noted(unknown)))
        if wrong:
            found.append(_finding("item_amount", document, settings,
                                  f"金额不符：{label} 中 {_listed(wrong)}",
                                  file=label, entries=_noted(noted["wrong"])))
    return found


def _code(value) -> str | None:
    """An item code (项目编码) as the catalogue holds it: without spaces, upper case."""
    text = "".join(str(value).split()).upper() if value is not None else ""
    return text or None


def _sum_wrong(item: dict, tolerance: Decimal) -> str | None:
    """Why price × quantity is not the amount, or None (also when a figure was not read)."""
    try:
        price, quantity, amount = (Decimal(str(item[key])) for key in ("unit_price", "quantity", "amount"))
    except (KeyError, InvalidOperation):
        return None
    expected = price * quantity
    if abs(expected - amount) <= tolerance:
        return None
    return f"单价 {price} × 数量 {quantity} = {expected:.2f}，清单金额 {amount}"


def _sum_noted(item: dict) -> str:
    price, quantity, amount = (Decimal(str(item[key])) for key in ("unit_price", "quantity", "amount"))
    return f"{price} × {quantity} = {price * quantity:.2f} ≠ {amount}"


def _noted(entries: list[str]) -> str:
    shown = "; ".join(entries[:SHOWN])
    return shown + (f" … ({len(entries)})" if len(entries) > SHOWN else "")


def _listed(entries: list[str]) -> str:
    shown = "；".join(entries[:SHOWN])
    return shown + (f" 等 {len(entries)} 项" if len(entries) > SHOWN else "")


def _finding(code: str, document, settings: FlagSettings, message: str, **params) -> dict:
    """`params`: the values the message names, for pages to draw it in the reader's language."""
    return {"id": f"{code}:{document.id}", "code": code, "severity": settings.severity_of(code),
            "message": message, "document_id": document.id, "params": params}
