"""Fields of a VAT e-invoice from its own XML: exact values, source `xml`.

Two schemas arrive, and both are read (element names without namespaces):

- the 数电票 (fully digitalised e-invoice) XML the tax platform issues, root `EInvoice`:
  `Header/EIid` (the 20-digit number), `TaxSupervisionInfo/InvoiceNumber` and `IssueTime`,
  `EInvoiceData/SellerInformation/{SellerName,SellerIdNum}`, `BuyerInformation/{BuyerName,BuyerIdNum}`,
  `BasicInformation/{TotalAmWithoutTax,TotalTaxAm,TotalTax-includedAmount,
  TotalTax-includedAmountInChinese,RequestTime}` and one `IssuItemInformation` per line
  (`ItemName, SpecMod, MeaUnits, Quantity, UnPrice, Amount, TaxRate, ComTaxAm`). Samples in public
  code put the issue date in `TaxSupervisionInfo/IssueTime` (a date, or a date and time), some
  only in `BasicInformation/RequestTime`; the number in `TaxSupervisionInfo/InvoiceNumber` and in
  `Header/EIid`. Both places are read, the first found wins.
- the 2019 e-invoice XML (`http://www.edrm.org.cn/schema/e-invoice/2019`, root `eInvoice`) that
  OFD invoices embed as `original_invoice.xml`: `InvoiceCode, InvoiceNo, IssueDate,
  InvoiceCheckCode, Buyer/{BuyerName,BuyerTaxID}, Seller/{SellerName,SellerTaxID},
  TaxExclusiveTotalAmount, TaxTotalAmount, TaxInclusiveTotalAmount, GraphCode` (the QR payload) and
  `GoodsInfos/GoodsInfo/{Item,Specification,Quantity,Price,Amount,TaxScheme,TaxAmount}`.

A value that is present but not what its field must be (a date that is no date) is not taken and
is reported; nothing is worked out from other values.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from archive.ocr.normalize import read_amount, read_capital_amount, read_date
from archive.ocr.ofd_package import child, text_of

ROOTS = ("EInvoice", "eInvoice")

# field → paths tried in order (each a tuple of local names under the root)
_DIGITAL = {
    "invoice_number": [("TaxSupervisionInfo", "InvoiceNumber"), ("Header", "EIid")],
    "issue_date": [("TaxSupervisionInfo", "IssueTime"), ("EInvoiceData", "BasicInformation", "RequestTime")],
    "seller_name": [("EInvoiceData", "SellerInformation", "SellerName")],
    "seller_tax_id": [("EInvoiceData", "SellerInformation", "SellerIdNum")],
    "buyer_name": [("EInvoiceData", "BuyerInformation", "BuyerName")],
    "buyer_tax_id": [("EInvoiceData", "BuyerInformation", "BuyerIdNum")],
    "amount": [("EInvoiceData", "BasicInformation", "TotalAmWithoutTax")],
    "tax": [("EInvoiceData", "BasicInformation", "TotalTaxAm")],
    "total_amount": [("EInvoiceData", "BasicInformation", "TotalTax-includedAmount")],
    "total_amount_capital": [("EInvoiceData", "BasicInformation", "TotalTax-includedAmountInChinese")],
}
_DIGITAL_ITEM = {"name": "ItemName", "spec": "SpecMod", "quantity": "Quantity", "unit_price": "UnPrice",
                 "amount": "Amount", "tax_rate": "TaxRate", "tax": "ComTaxAm"}
_EINVOICE_2019 = {
    "invoice_code": [("InvoiceCode",)],
    "invoice_number": [("InvoiceNo",)],
    "issue_date": [("IssueDate",)],
    "check_code": [("InvoiceCheckCode",)],
    "buyer_name": [("Buyer", "BuyerName")],
    "buyer_tax_id": [("Buyer", "BuyerTaxID")],
    "seller_name": [("Seller", "SellerName")],
    "seller_tax_id": [("Seller", "SellerTaxID")],
    "amount": [("TaxExclusiveTotalAmount",)],
    "tax": [("TaxTotalAmount",)],
    "total_amount": [("TaxInclusiveTotalAmount",)],
}
_EINVOICE_2019_ITEM = {"name": "Item", "spec": "Specification", "quantity": "Quantity", "unit_price": "Price",
                       "amount": "Amount", "tax_rate": "TaxScheme", "tax": "TaxAmount"}
AMOUNTS = ("amount", "tax", "total_amount")
CODES = ("invoice_code", "invoice_number", "check_code", "buyer_tax_id", "seller_tax_id")


def is_einvoice(root: Element) -> bool:
    return root.tag in ROOTS


def read_invoice_xml(root: Element) -> tuple[dict, list[dict], str | None]:
    """(fields, values present but refused as {"field", "read", "reason"}, the QR payload the
    XML carries or None)."""
    digital = child(root, "EInvoiceData") is not None
    paths, item_names = (_DIGITAL, _DIGITAL_ITEM) if digital else (_EINVOICE_2019, _EINVOICE_2019_ITEM)
    raw = {}
    for name, candidates in paths.items():
        for path in candidates:
            if (value := text_of(root, *path)) is not None:
                raw[name] = value
                break
    fields, refused = normalise(raw)
    rows = (root.findall("EInvoiceData/IssuItemInformation") if digital
            else root.findall("GoodsInfos/GoodsInfo"))
    items = [item for row in rows if (item := _item(row, item_names))]
    if items:
        fields["items"] = items
    return fields, refused, text_of(root, "GraphCode")


def normalise(raw: dict[str, str]) -> tuple[dict, list[dict]]:
    """Values as the XML writes them → the fields' forms (ISO dates, two-place amounts)."""
    fields, refused = {}, []
    for name, value in raw.items():
        taken, reason = normal_value(name, value)
        if taken is None:
            refused.append({"field": name, "read": value, "reason": reason})
        else:
            fields[name] = taken
    return fields, refused


def normal_value(name: str, value: str) -> tuple[str | None, str | None]:
    value = value.strip()
    if name == "issue_date":
        # `2024-05-28`, `2024-05-28 10:11:12`, `2024年05月28日`
        day = read_date(re.split(r"[ T]", value, maxsplit=1)[0])
        return (day, None) if day else (None, "not_a_date")
    if name in AMOUNTS:
        amount = signed_amount(value)
        return (amount, None) if amount else (None, "not_an_amount")
    if name == "total_amount_capital":
        negative = value.startswith(("（负数）", "(负数)"))
        amount = read_capital_amount(re.sub(r"^[（(]负数[）)]", "", value))
        if amount is None:
            return None, "not_a_capital_amount"
        return ("-" + amount if negative else amount), None
    if name in CODES:
        code = re.sub(r"\s", "", value).upper()
        return (code, None) if re.fullmatch(r"[0-9A-Z]+", code) else (None, "unexpected_characters")
    return value, None


def signed_amount(value: str) -> str | None:
    """A two-place amount; a red-letter invoice's amounts are negative."""
    value = value.strip()
    negative = value.startswith("-")
    amount = read_amount(value.lstrip("-").strip())
    return None if amount is None else ("-" + amount if negative and Decimal(amount) else amount)


def _item(row: Element, names: dict[str, str]) -> dict:
    item = {}
    for field, tag in names.items():
        value = text_of(row, tag)
        if value is None:
            continue
        if field in ("amount", "tax"):
            value = signed_amount(value)
        elif field == "tax_rate":
            value = tax_rate(value)
        if value is not None:
            item[field] = value
    return item


def tax_rate(value: str) -> str | None:
    """`0.06`, `0.060000`, `6%` → `6%`; `免税`, `不征税` as printed."""
    value = value.strip()
    try:
        rate = Decimal(value.rstrip("%")) if value.endswith("%") else Decimal(value) * 100
    except InvalidOperation:
        return value or None
    return f"{rate.normalize():f}%"
