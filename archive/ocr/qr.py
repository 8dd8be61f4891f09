"""QR codes on invoice pages, decoded with zxing-cpp: exact values, source `qr`.

A VAT invoice's QR holds `01,<type>,<code>,<number>,<amount>,<YYYYMMDD>,<check code>,<crc>` (a
数电票: the code empty, the number 20 digits, the amount the total with tax). Its values are what
the tax system issued, so they fill fields the page did not give, and a printed value that differs
from the QR's is an ERROR finding for the reviewer: one of the two was misread, or the paper was
altered. Any other QR (a medical e-bill's 财政电子票据 verification payload, a URL) is kept
as it is, raw, with the document (`fields["qr_codes"]`). A QR seen but not decodable is
reported, and nothing else depends on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import zxingcpp
from PIL import Image

from archive.ocr.normalize import read_amount

VAT_PREFIX = "01"
MAX_PAGES = 4  # an invoice prints its QR on the first page; a 200-page scan is not searched whole
FIELD_LABELS = {"invoice_code": "发票代码", "invoice_number": "发票号码", "amount": "合计金额",
                "total_amount": "价税合计",
                "issue_date": "开票日期", "check_code": "校验码"}


@dataclass(frozen=True)
class QrCode:
    page: int
    text: str | None  # None: located but not decodable
    box: list[float] | None  # fractions of the page
    error: str | None = None


def decode(image: Image.Image, page: int) -> list[QrCode]:
    """The QR codes on one page image, decodable or not."""
    width, height = image.size
    found = []
    for barcode in zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode,
                                          return_errors=True):
        position = barcode.position
        xs = [position.top_left.x, position.top_right.x, position.bottom_left.x, position.bottom_right.x]
        ys = [position.top_left.y, position.top_right.y, position.bottom_left.y, position.bottom_right.y]
        box = [round(min(xs) / width, 5), round(min(ys) / height, 5), round(max(xs) / width, 5),
               round(max(ys) / height, 5)]
        if barcode.error:
            found.append(QrCode(page, None, box, str(barcode.error)))
        else:
            found.append(QrCode(page, barcode.text, box))
    return found


def parse_vat_qr(text: str) -> dict | None:
    """The fields a VAT invoice QR states, or None when the text is not one."""
    parts = [part.strip() for part in text.strip().split(",")]
    if len(parts) < 7 or parts[0] != VAT_PREFIX:
        return None
    _, kind, code, number, amount, day, check = parts[:7]
    if not re.fullmatch(r"\d{8}|\d{20}", number) or not re.fullmatch(r"\d{8}", day):
        return None
    fields = {"invoice_number": number, "issue_date": f"{day[:4]}-{day[4:6]}-{day[6:]}"}
    if code:
        if not re.fullmatch(r"\d{10,12}", code):
            return None
        fields["invoice_code"] = code
    if (figures := read_amount(amount)) is not None:
        # The 2016 VAT invoice QR states the amount before tax (合计金额); the 数电票's states the
        # total with tax (价税合计): the real 数电票 in tests/fixtures/ofd shows 4449.00 where its
        # 合计金额 is 4197.17.
        fields["total_amount" if len(number) == 20 else "amount"] = figures
    if re.fullmatch(r"\d{20}", check):
        fields["check_code"] = check
    fields["invoice_type"] = kind
    return fields


def apply_codes(kind: str | None, codes: Iterable[QrCode], fields: dict, sources: dict) -> list[dict]:
    """Fill and check the fields from the page's QR codes; the findings."""
    codes = list(codes)
    decoded_pages = {code.page for code in codes if code.text is not None}
    # zxing may report one damaged symbol several times (at several scales): one finding a page,
    # and none where the page's QR did decode.
    findings = [{"code": "qr_unreadable", "severity": "warning",
                 "message": f"第 {page} 页的二维码无法解码（污损、遮挡或不完整），请人工核对"}
                for page in sorted({code.page for code in codes if code.text is None} - decoded_pages)]
    raw = []
    for code in codes:
        if code.text is None:
            continue
        raw.append(code.text)
        stated = parse_vat_qr(code.text) if kind in (None, "vat_invoice") else None
        if stated is None:
            continue
        stated.pop("invoice_type", None)
        where = {"page": code.page, "boxes": [code.box]} if code.box else {}
        for name, value in stated.items():
            if fields.get(name) is None:
                fields[name] = value
                sources[name] = {**where, "source": "qr"}
            elif str(fields[name]) != value:
                findings.append({"code": "qr_mismatch", "severity": "error", "field": name,
                                 "message": f"{FIELD_LABELS[name]}：票面为“{fields[name]}”，"
                                            f"二维码为“{value}”，不一致"})
    if raw:
        fields["qr_codes"] = list(dict.fromkeys(raw))
        shown = [code for code in codes if code.text is not None and code.box is not None]
        if shown and "qr_codes" not in sources:
            sources["qr_codes"] = {"page": shown[0].page, "source": "qr",
                                   "boxes": [code.box for code in shown if code.page == shown[0].page]}
    return findings
