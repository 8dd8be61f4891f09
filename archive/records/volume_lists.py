"""The lists an archive hands over with its volumes (卷): the monthly filing list (立卷清单: the
volumes made up in a month, by the day each case closed) and the transfer list (移交清单: the
volumes of a fonds and year handed to the archive room, box by box), as XLSX and PDF.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.auth import require
from archive.models import ArchiveRecord, ArchiveVolume, Case
from archive.records.errors import Invalid, _
from archive.tabular import write_xlsx

HEADER = ("序号", "档号", "原档号", "案卷题名", "年度", "保管期限", "起止日期", "盒号", "页数", "案卷号")
HEADER_EN = ("No.", "Archive no.", "Original no.", "Title", "Year", "Retention", "Dates", "Box",
             "Pages", "Case no.")


@dataclass(frozen=True)
class Line:
    number: int
    archive_no: str
    original_no: str
    title: str
    year: int
    retention: str
    dates: str
    box_no: str
    pages: int
    case_no: str

    def cells(self) -> tuple:
        return (self.number, self.archive_no, self.original_no, self.title, self.year,
                self.retention, self.dates, self.box_no, self.pages, self.case_no)


@dataclass
class VolumeList:
    title: str
    lines: list[Line] = field(default_factory=list)

    @property
    def volumes(self) -> int:
        return len(self.lines)

    @property
    def boxes(self) -> int:
        return len({line.box_no for line in self.lines})

    @property
    def pages(self) -> int:
        return sum(line.pages for line in self.lines)

    @property
    def summary(self) -> str:
        return f"共 {self.volumes} 卷，{self.boxes} 盒，{self.pages} 页"


def filing_list(session: Session, actor, month: str) -> VolumeList:
    """立卷清单 of a month ("YYYY-MM"): the volumes whose case closed in it, by archive number."""
    require(actor, "records.view")
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise Invalid(_("A month is written YYYY-MM, not %(month)s."), month=month) from None
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    query = _volumes().where(ArchiveVolume.closed_on >= first, ArchiveVolume.closed_on < after)
    return _list(session, f"立卷清单 {month}", query.order_by(ArchiveRecord.archive_no))


def transfer_list(session: Session, actor, *, fonds_code: str, year: int,
                  run_id: int | None = None) -> VolumeList:
    """移交清单 of a fonds and year (or of one back-scanning run): box by box, by archive number."""
    require(actor, "records.view")
    query = _volumes().where(ArchiveVolume.fonds_code == fonds_code, ArchiveVolume.archive_year == year)
    if run_id is not None:
        query = query.where(ArchiveVolume.run_id == run_id)
    return _list(session, f"移交清单 {fonds_code} {year}",
                 query.order_by(ArchiveVolume.box_no, ArchiveRecord.archive_no))


def _volumes():
    return (select(ArchiveVolume, ArchiveRecord.archive_no, Case.case_no)
            .join(ArchiveRecord, ArchiveRecord.case_id == ArchiveVolume.case_id)
            .join(Case, Case.id == ArchiveVolume.case_id))


def _list(session: Session, title: str, query) -> VolumeList:
    result = VolumeList(title)
    for number, (volume, archive_no, case_no) in enumerate(session.execute(query), start=1):
        result.lines.append(Line(number, archive_no, volume.original_no or "", volume.title,
                                 volume.archive_year, volume.retention_code,
                                 f"{volume.opened_on.isoformat()}—{volume.closed_on.isoformat()}",
                                 volume.box_no, volume.pages, case_no))
    return result


def as_xlsx(volumes: VolumeList) -> bytes:
    """The list under its title, then the totals and the lines the two sides sign on."""
    out = io.BytesIO()
    write_xlsx(out, [(volumes.title, [volumes.title], [
        list(HEADER), *(line.cells() for line in volumes.lines), [volumes.summary],
        ["移交人：", "", "", "接收人：", "", "", "日期："]])])
    return out.getvalue()


def as_pdf(volumes: VolumeList) -> bytes:
    """A printable A4 landscape list in reportlab's built-in Chinese font (no font files)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    small = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    heading = ParagraphStyle("title", fontName=font, fontSize=14, leading=18)
    rows = [list(HEADER)] + [[Paragraph(_escape(str(value)), small) for value in line.cells()]
                             for line in volumes.lines]
    table = Table(rows, repeatRows=1, colWidths=[28, 110, 80, 190, 34, 44, 110, 40, 32, 90])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 8),
                               ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=landscape(A4), title=volumes.title,
                                 leftMargin=24, rightMargin=24, topMargin=28, bottomMargin=28)
    document.build([Paragraph(_escape(volumes.title), heading), Spacer(1, 8), table, Spacer(1, 10),
                    Paragraph(_escape(volumes.summary), small), Spacer(1, 18),
                    Paragraph("移交人：__________　　接收人：__________　　日期：__________", small)])
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
