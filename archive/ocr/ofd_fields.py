"""A VAT invoice's fields from an OFD's own data, and how they agree with its printed page.

Three places carry them, each producer filling some:
- `OFD.xml` DocInfo/CustomDatas: `<CustomData Name="发票号码">…` (Chinese names);
- the document's custom tags (`Doc_0/Tags/CustomTag.xml`, `Tag_Invoice.xml`): an element per
  field (`InvoiceNo`, `TaxInclusiveTotalAmount`, …) pointing at the text objects printed for it
  (`<ObjectRef PageRef="61">6922</ObjectRef>`); the value is those objects' text, and their
  place on the page is where the field is shown;
- an attached invoice XML (`Attachs/original_invoice.xml`), read by `einvoice_xml`.
The attached XML wins over CustomData, which wins over the tagged text. A declared value (XML or
CustomData) that differs from the tagged text, or that the page does not print at all, is an
ERROR finding: the data and the page a person reads disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from archive.ocr.einvoice_xml import normal_value, read_invoice_xml, signed_amount, tax_rate
from archive.ocr.lines import union
from archive.ocr.ofd_document import OfdDocument, TextItem
from archive.ocr.ofd_package import OfdError, resolve, text_of

CUSTOM_DATA = {"发票代码": "invoice_code", "发票号码": "invoice_number", "开票日期": "issue_date",
               "购买方名称": "buyer_name", "购买方纳税人识别号": "buyer_tax_id", "销售方名称": "seller_name",
               "销售方纳税人识别号": "seller_tax_id", "合计金额": "amount", "合计税额": "tax",
               "价税合计": "total_amount", "校验码": "check_code"}
TAGS = {"InvoiceCode": "invoice_code", "InvoiceNo": "invoice_number", "IssueDate": "issue_date",
        "BuyerName": "buyer_name", "BuyerTaxID": "buyer_tax_id", "SellerName": "seller_name",
        "SellerTaxID": "seller_tax_id", "TaxExclusiveTotalAmount": "amount", "TaxTotalAmount": "tax",
        "TaxInclusiveTotalAmount": "total_amount", "InvoiceCheckCode": "check_code"}
ITEM_TAGS = {"Item": "name", "Specification": "spec", "Quantity": "quantity", "Price": "unit_price",
             "Amount": "amount", "TaxScheme": "tax_rate", "TaxAmount": "tax"}


@dataclass
class OfdData:
    fields: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)  # field → {"page", "boxes", "source": "xml"}
    printed: dict = field(default_factory=dict)  # field → the tagged text's value
    refused: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # parts that could not be read
    qr: str | None = None  # the QR payload an attached XML states
    declared: set[str] = field(default_factory=set)  # fields from XML or CustomData


def read_ofd_data(document: OfdDocument, texts: dict[str, tuple[int, TextItem]],
                  sizes: dict[int, tuple[float, float]]) -> OfdData:
    """`texts`: every page's text objects by ID, with their page number; `sizes`: page sizes."""
    data = OfdData()
    tagged, places = _tagged(document, texts, sizes, data)
    for name, value in tagged.items():
        if name == "items":
            data.fields["items"] = value
            continue
        taken, reason = normal_value(name, value)
        if taken is not None:
            data.printed[name] = taken
    data.fields.update(data.printed)
    custom = {}
    for item in (document.info.findall("CustomDatas/CustomData") if document.info is not None else []):
        name = CUSTOM_DATA.get((item.get("Name") or "").strip())
        if name and item.text and item.text.strip():
            custom[name] = item.text.strip()
    for name, value in custom.items():
        taken, reason = normal_value(name, value)
        if taken is None:
            data.refused.append({"field": name, "read": value, "reason": reason})
        else:
            data.fields[name] = taken
            data.declared.add(name)
    attached = _attached_invoice(document, data)
    if attached is not None:
        fields, refused, data.qr = read_invoice_xml(attached)
        data.fields.update(fields)
        data.declared |= set(fields) - {"items"}
        data.refused += refused
    for name in data.fields:
        data.sources[name] = {**places.get(name, {}), "source": "xml"}
    return data


def mismatches(data: OfdData, page_text: str) -> list[tuple[str, str, str | None]]:
    """(field, declared value, printed value or None when the page does not print it) for each
    declared value the page contradicts."""
    compact = _compact(page_text)
    found = []
    for name in sorted(data.declared):
        value = data.fields.get(name)
        if value is None or name == "items":
            continue
        if name in data.printed:
            if data.printed[name] != value:
                found.append((name, value, data.printed[name]))
        elif not any(_compact(form) in compact for form in printed_forms(name, value)):
            found.append((name, value, None))
    return found


def locate(name: str, value: str, pages) -> dict | None:
    """Where the page prints a declared value (CustomData and the attached XML say no place):
    {"page", "boxes"} of the first line that holds one of its printed forms, or None."""
    forms = [_compact(form) for form in printed_forms(name, value) if _compact(form)]
    for page in pages:
        for line in page.lines or []:
            kept = [index for index, char in enumerate(line.text) if _compact(char)]
            compact = "".join(line.text[index] for index in kept)
            for form in forms:
                start = compact.find(form)
                if start >= 0:
                    box = union(line.boxes[index] for index in kept[start:start + len(form)])
                    if box is not None:
                        return {"page": page.number, "boxes": [box]}
    return None


def printed_forms(name: str, value: str) -> list[str]:
    """The ways a page may print a field's value."""
    if name == "issue_date":
        year, month, day = value.split("-")
        return [f"{year}年{month}月{day}日", f"{year}年{int(month)}月{int(day)}日", value]
    if name in ("amount", "tax", "total_amount"):
        whole, cents = value.lstrip("-").split(".")
        return [value, f"{int(whole):,}.{cents}"]
    return [value]


def _compact(text: str) -> str:
    return re.sub(r"[\s¥￥]", "", text)


def _tagged(document: OfdDocument, texts: dict[str, tuple[int, TextItem]],
            sizes: dict[int, tuple[float, float]], data: OfdData) -> tuple[dict, dict]:
    """Values of the tagged text objects by field, and where they are printed."""
    values: dict = {}
    places: dict = {}
    location = text_of(document.root, "CustomTags")
    if location is None:
        return values, places
    try:
        index_path = resolve(document.document_path, location)
        index = document.package.xml(index_path)
        roots = [document.package.xml(resolve(index_path, text_of(tag, "FileLoc") or ""))
                 for tag in index.findall("CustomTag") if text_of(tag, "FileLoc")]
    except OfdError as exc:
        data.problems.append(str(exc))
        return values, places
    for root in roots:
        for element in root.iter():
            name = TAGS.get(element.tag)
            if name is None or name in values:
                continue
            refs = [ref.text.strip() for ref in element.findall("ObjectRef") if ref.text]
            found = [texts[ref] for ref in refs if ref in texts]
            if found:
                values[name] = "".join(item.text for _, item in found).strip()
                places[name] = _place(found, sizes)
        items = _tagged_items(root, texts)
        if items and "items" not in values:
            values["items"] = items
    return values, places


def _tagged_items(root, texts: dict[str, tuple[int, TextItem]]) -> list[dict]:
    """Line items: one GoodsInfo element per line (2019 tags), or flat lists of Item, Amount, …
    elements in line order (数电票 tags)."""
    groups = list(root.iter("GoodsInfo")) or [root]
    rows: list[dict] = []
    for group in groups:
        columns: dict[str, list[str]] = {}
        for element in group:
            name = ITEM_TAGS.get(element.tag)
            if name is None:
                continue
            refs = [ref.text.strip() for ref in element.findall("ObjectRef") if ref.text]
            text = "".join(texts[ref][1].text for ref in refs if ref in texts).strip()
            if text:
                columns.setdefault(name, []).append(text)
        count = max((len(values) for values in columns.values()), default=0)
        for index in range(count):
            row = {}
            for name, values in columns.items():
                if index < len(values):
                    value = values[index]
                    if name in ("amount", "tax"):
                        value = signed_amount(value)
                    elif name == "tax_rate":
                        value = tax_rate(value)
                    if value is not None:
                        row[name] = value
            if row:
                rows.append(row)
    return rows


def _place(found: list[tuple[int, TextItem]], sizes: dict[int, tuple[float, float]]) -> dict:
    page = found[0][0]
    width, height = sizes[page]
    boxes = []
    for number, item in found:
        if number != page or not item.glyphs:
            continue
        left, top, box_width, box_height = item.boundary
        boxes.append([round(left / width, 5), round(top / height, 5), round((left + box_width) / width, 5),
                      round((top + box_height) / height, 5)])
    return {"page": page, "boxes": boxes}


def _attached_invoice(document: OfdDocument, data: OfdData):
    location = text_of(document.root, "Attachments")
    if location is None:
        return None
    try:
        index_path = resolve(document.document_path, location)
        index = document.package.xml(index_path)
        for attachment in index.findall("Attachment"):
            name = text_of(attachment, "FileLoc")
            if name and ((attachment.get("Format") or "").lower() == "xml" or name.lower().endswith(".xml")):
                root = document.package.xml(resolve(index_path, name))
                if root.tag in ("EInvoice", "eInvoice"):
                    return root
    except OfdError as exc:
        data.problems.append(str(exc))
    return None
