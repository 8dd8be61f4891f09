"""E-invoice formats: how exactly and how fast OFD, 数电票 XML and QR codes are read.

For each real OFD sample in tests/fixtures/ofd: the fields read against the values read by hand
from its XML (the truth of tests/integration/test_ofd.py), and the time to read and to draw it;
for a 数电票 XML, the same; and what the QR search adds to a born-digital invoice PDF.
Run from the repository root: `.venv/bin/python benchmarks/einvoice_formats.py` (JSON on stdout).
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.demo import documents as gen  # noqa: E402
from archive.files import sniff  # noqa: E402
from archive.ocr.einvoice import draw_ofd_page, read_document  # noqa: E402
from archive.ocr.extract import analyse  # noqa: E402
from archive.ocr.pages import read_pages  # noqa: E402
from tests.fixtures.einvoices import OFD_DIR, digital_invoice_xml  # noqa: E402
from tests.integration.test_einvoice_xml import DIGITAL_FIELDS  # noqa: E402
from tests.integration.test_ofd import DIGITAL, OLDER, TEMPLATE  # noqa: E402


def timed(call, repeat: int = 5) -> tuple[object, float]:
    result = call()
    start = time.perf_counter()
    for _ in range(repeat):
        call()
    return result, round((time.perf_counter() - start) / repeat * 1000, 1)


def exact(read: dict, truth: dict) -> dict:
    names = [name for name in truth if name != "items"]
    right = [name for name in names if read.get(name) == truth[name]]
    invented = [name for name in read if name not in truth and name != "items"]
    return {"fields": len(names), "exact": len(right), "wrong": sorted(set(names) & set(read) - set(right)),
            "absent": sorted(set(names) - set(read)), "invented": invented}


def main() -> None:
    report = {"ofd": {}, "xml": {}, "qr": {}}
    for sample, truth in (("20240531141733.ofd", DIGITAL), ("999.ofd", OLDER), ("fptpl.ofd", TEMPLATE)):
        path = OFD_DIR / sample
        reading, read_ms = timed(lambda path=path: read_document(path, sniff.OFD, kind=None))
        _, draw_ms = timed(lambda path=path: draw_ofd_page(path, 0, 1400))
        report["ofd"][sample] = {**exact(reading.fields, truth), "read_ms": read_ms,
                                 "draw_1400px_ms": draw_ms,
                                 "errors": [c["code"] for c in reading.checks if c["severity"] == "error"]}
    with tempfile.TemporaryDirectory() as folder:
        xml = Path(folder) / "invoice.xml"
        xml.write_bytes(digital_invoice_xml())
        reading, read_ms = timed(lambda: read_document(xml, sniff.XML, kind=None))
        report["xml"] = {**exact(reading.fields, DIGITAL_FIELDS), "read_ms": read_ms}
        pdf = Path(folder) / "invoice.pdf"
        pdf.write_bytes(gen.invoice(random.Random(7)).content)
        _, plain_ms = timed(lambda: analyse(list(read_pages(pdf, sniff.PDF)), kind="invoice"))
        _, with_qr_ms = timed(lambda: read_document(pdf, sniff.PDF, kind="invoice"))
        report["qr"] = {"born_digital_invoice_pdf_ms": plain_ms, "with_qr_search_ms": with_qr_ms}
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
