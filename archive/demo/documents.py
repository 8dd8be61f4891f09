"""Generated claim documents with known content: demo data and test fixtures.

Born-digital PDFs use reportlab's built-in Chinese CID font (STSong-Light), so they need no
font files; "scans" are images drawn with Pillow using a CJK TrueType font when one is
installed (fonts-noto-cjk / fonts-wqy), otherwise Pillow's default font.
"""

from __future__ import annotations

import functools
import io
import random
import warnings
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from stdnum.cn import ric, uscc

from archive.ocr.normalize import amount_to_capital

CID_FONT = "STSong-Light"
CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
# Kai (楷体), in which many hospital and provincial forms are printed or typed: AR PL UKai from
# Debian's fonts-arphic-ukai (scripts/test.sh installs it). Where it is missing, Song is drawn
# instead, with a warning: a scan or photo then has one font fewer than it says.
KAI_FONT = "/usr/share/fonts/truetype/arphic/ukai.ttc"
KAI_SHARE = 0.25  # of scans and photos printed in Kai whatever their family's font

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"
HOSPITALS = ("县人民医院", "县中医院", "市第一人民医院", "镇卫生院", "省立医院", "妇幼保健院")
DEPARTMENTS = ("内科", "外科", "骨科", "妇产科", "儿科", "神经内科")
ITEMS = (("头孢呋辛钠", "0.75g", "甲"), ("葡萄糖注射液", "250ml", "甲"), ("血常规", "次", "甲"),
         ("CT平扫", "次", "乙"), ("床位费", "日", "甲"), ("护理费", "日", "甲"), ("丹参注射液", "10ml", "乙"))


@dataclass
class GeneratedDocument:
    kind: str
    filename: str
    content: bytes
    content_type: str
    pages: int
    lines: list[str] = field(default_factory=list)  # the text printed, page by page joined
    truth: dict = field(default_factory=dict)  # the fields a perfect reader extracts
    # Layout families (archive/demo/families/): the printed title, the pages as rows, where a
    # row is a line of text at the left margin or cells at fractions of the line's width (a grid),
    # or RULE (a ruled line); and the family's name and scan font ("sans" Hei, "serif" Song).
    title: str = ""
    layout: list[list[Row]] | None = None
    family: str = "classic"
    font: str = "sans"
    paged_scan: bool = False  # scanned a page per printed page (archive/demo/scans.py), not on one


Cells = tuple[tuple[float, str], ...]
Row = str | Cells
RULE = "\x00rule"


def row_text(row: Row) -> str:
    """A row as plain text: cells parted by a wide gap."""
    return row if isinstance(row, str) else "    ".join(text for _, text in row if text)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _pdf(pages: list[list[Row]], title: str, *, size: float = 11, step: float = 18) -> bytes:
    """A4 pages with the title on each; a row of cells draws each cell at its fraction of the
    width between the margins (its own text object, as form software prints a grid)."""
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setTitle(title)
    width, height = A4
    for lines in pages:
        pdf.setFont(CID_FONT, 16)
        pdf.drawCentredString(width / 2, height - 60, title)
        pdf.setFont(CID_FONT, size)
        y = height - 100
        for line in lines:
            if line == RULE:
                pdf.line(50, y + size, width - 50, y + size)
            elif isinstance(line, str):
                pdf.drawString(50, y, line)
            else:
                for x, text in line:
                    pdf.drawString(50 + x * (width - 100), y, text)
            y -= step
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def from_layout(kind: str, family: str, title: str, pages: list[list[Row]], truth: dict,
                filename: str, *, font: str = "sans", size: float = 11,
                paged_scan: bool = False) -> GeneratedDocument:
    """A born-digital document of a layout family: its PDF, its text rows and its truth."""
    lines = [row_text(row) for page in pages for row in page if row != RULE]
    return GeneratedDocument(kind, filename, _pdf(pages, title, size=size), "application/pdf", len(pages),
                             lines, truth, title=title, layout=pages, family=family, font=font,
                             paged_scan=paged_scan)


def _amount(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def invoice(rng: random.Random, *, patient: str | None = None, pages: int = 1) -> GeneratedDocument:
    patient = patient or person_name(rng)
    hospital = rng.choice(HOSPITALS)
    code, number = f"{rng.randrange(10**7, 10**8)}", f"{rng.randrange(10**7, 10**8)}"
    insurance = f"{rng.randrange(10**9, 10**10)}"
    visit = rng.choice(("住院", "门诊"))
    issued = date(2026, rng.randint(1, 9), rng.randint(1, 28))
    items = {cat: Decimal(rng.randrange(1000, 200000)) / 100
             for cat in rng.sample(("西药费", "中药费", "检查费", "治疗费", "床位费", "化验费"), 3)}
    total = sum(items.values(), Decimal("0"))
    fund = (total * Decimal(rng.choice(("0.5", "0.6", "0.7")))).quantize(Decimal("0.01"))
    account = min(total - fund, Decimal(rng.randrange(0, 50000)) / 100)
    self_funded = min(total - fund - account, Decimal(rng.randrange(0, 20000)) / 100)
    self_paid = total - fund - account - self_funded
    split = {"统筹基金支付": fund, "个人账户支付": account, "个人自付": self_paid, "个人自费": self_funded}
    lines_per_page = []
    for page in range(pages):
        lines = [visit, f"票据代码：{code}    票据号码：{number}",
                 f"交款人：{patient}    收款单位：{hospital}", f"医保号：{insurance}",
                 f"开票日期：{issued.year}年{issued.month}月{issued.day}日"]
        lines += [f"{cat}    {amt:,.2f}" for cat, amt in items.items()]
        lines += [f"合计（小写）：￥{total:,.2f}", f"合计（大写）：{amount_to_capital(_amount(total))}",
                  "    ".join(f"{label}：{value:.2f}" for label, value in split.items())]
        if page:
            lines.append(f"第 {page + 1} 页")
        lines_per_page.append(lines)
    truth = {
        "invoice_code": code, "invoice_number": number, "issue_date": issued.isoformat(),
        "payer_name": patient, "hospital": hospital, "insurance_number": insurance,
        "visit_type": "inpatient" if visit == "住院" else "outpatient",
        "total_amount": _amount(total), "total_amount_capital": _amount(total),
        "fund_paid": _amount(fund), "personal_account_paid": _amount(account),
        "self_paid": _amount(self_paid), "self_funded": _amount(self_funded),
        "line_items": [{"category": c, "amount": _amount(a)} for c, a in items.items()],
    }
    return GeneratedDocument("invoice", f"医疗收费票据-{patient}.pdf",
                             _pdf(lines_per_page, "医疗收费票据"), "application/pdf", pages,
                             [line for page in lines_per_page for line in page], truth)


def daily_statement(rng: random.Random, *, patient: str | None = None, days: int = 2,
                    start: date = date(2026, 3, 5), signed: bool = True) -> GeneratedDocument:
    """One page per inpatient day; truth holds the first day's fields and every day in "days"."""
    patient = patient or person_name(rng)
    hospital, department = rng.choice(HOSPITALS), rng.choice(DEPARTMENTS)
    inpatient_number = f"{rng.randrange(100000, 999999)}"
    pages, truths = [], []
    for day in range(days):
        on = start + timedelta(days=day)
        lines = [f"姓名：{patient}    住院号：{inpatient_number}",
                 f"医院：{hospital}    科室：{department}",
                 f"日期：{on.isoformat()}", "项目    规格    单价    数量    金额    类别"]
        items = []
        for name, spec, cls in rng.sample(ITEMS, 4):
            price, quantity = Decimal(rng.randrange(100, 50000)) / 100, rng.randrange(1, 4)
            amount = price * quantity
            items.append({"name": name, "spec": spec, "unit_price": _amount(price),
                          "quantity": str(quantity), "amount": _amount(amount), "insurance_class": cls})
            lines.append(f"{name}    {spec}    {price:.2f}    {quantity}    {amount:.2f}    {cls}")
        total = sum((Decimal(i["amount"]) for i in items), Decimal("0"))
        lines.append(f"当日合计：{total:.2f}")
        if signed:
            lines.append(f"患者或家属签字：{patient}")
        pages.append(lines)
        truths.append({"patient_name": patient, "inpatient_number": inpatient_number,
                       "hospital": hospital, "department": department,
                       "statement_date": on.isoformat(), "items": items, "daily_total": _amount(total),
                       **({"signed_by": patient} if signed else {})})
    truth = {**truths[0], "days": truths} if days > 1 else truths[0]
    return GeneratedDocument("daily_statement", f"住院费用一日清单-{patient}.pdf",
                             _pdf(pages, "住院费用一日清单"), "application/pdf", days,
                             [line for page in pages for line in page], truth)


def id_number(rng: random.Random, *, valid: bool = True) -> str:
    """A citizen ID number (GB 11643) with a correct check digit, or a wrong one."""
    born = date(rng.randint(1940, 2010), rng.randint(1, 12), rng.randint(1, 28))
    body = f"{rng.choice(('110101', '350102', '440305', '310101'))}{born:%Y%m%d}{rng.randrange(1000):03d}"
    check = ric.calc_check_digit(body + "0")  # it ignores the last character
    if not valid:
        check = "0123456789X"[("0123456789X".index(check) + 1) % 11]
    return body + check


def credit_code(rng: random.Random, *, valid: bool = True) -> str:
    """A unified social credit code (GB 32100) with a correct check character, or a wrong one."""
    body = f"1235{rng.randrange(10**5, 10**6)}{rng.randrange(10**7, 10**8)}"[:17]
    check = uscc.calc_check_digit(body)
    if not valid:
        check = "0" if check != "0" else "1"
    return body + check


def referral(rng: random.Random, *, patient: str | None = None, valid_id: bool = True) -> GeneratedDocument:
    patient = patient or person_name(rng)
    ident, insurance = id_number(rng, valid=valid_id), f"{rng.randrange(10**9, 10**10)}"
    referred = date(2026, rng.randint(1, 9), rng.randint(1, 26))
    lines = [f"姓名：{patient}    身份证号：{ident}",
             f"医保号：{insurance}", "诊断：股骨颈骨折",
             f"转出医院：{HOSPITALS[0]}    转入医院：{HOSPITALS[4]}",
             f"转诊日期：{referred.year}年{referred.month}月{referred.day}日", "转诊原因：本院不具备手术条件",
             f"村审核：同意 {referred.isoformat()}", f"乡镇审核：同意 {referred.isoformat()}"]
    truth = {"patient_name": patient, "id_number": ident, "insurance_number": insurance,
             "diagnosis": "股骨颈骨折", "from_hospital": HOSPITALS[0], "to_hospital": HOSPITALS[4],
             "referral_date": referred.isoformat(), "reason": "本院不具备手术条件"}
    return GeneratedDocument("referral", f"转诊转院审批表-{patient}.pdf",
                             _pdf([lines], "转诊转院审批表"), "application/pdf", 1, lines, truth)


def agreement(rng: random.Random, *, valid_code: bool = True, year: int = 2026) -> GeneratedDocument:
    hospital = rng.choice(HOSPITALS)
    number, code = f"XY-{year}-{rng.randrange(1000, 9999)}", credit_code(rng, valid=valid_code)
    lines = [f"协议编号：{number}", "甲方：县医疗保障事务中心",
             f"乙方：{hospital}", f"统一社会信用代码：{code}",
             f"有效期：{year}年1月1日至{year}年12月31日", f"签订日期：{year - 1}年12月20日",
             "第三条 乙方住院病人自费药品费用占比不得超过20%。"]
    truth = {"agreement_number": number, "party_a": "县医疗保障事务中心", "party_b": hospital,
             "provider_name": hospital, "credit_code": code, "valid_from": f"{year}-01-01",
             "valid_to": f"{year}-12-31", "signed_date": f"{year - 1}-12-20"}
    return GeneratedDocument("agreement", f"定点医疗机构服务协议-{hospital}.pdf",
                             _pdf([lines], "定点医疗机构服务协议"), "application/pdf", 1, lines, truth)


def scanned_image(lines: list[str], *, title: str = "", fmt: str = "PNG", pages: int = 1,
                  size: tuple[int, int] = (1240, 1754)) -> bytes:
    """A page image ("scan") at 150 dpi A4; several pages make a multi-page TIFF."""
    lines = [title, *lines] if title else lines
    font = _cjk_font(28)
    frames = []
    for page in range(pages):
        image = Image.new("L", size, 255)
        draw = ImageDraw.Draw(image)
        y = 80
        for line in lines:
            draw.text((80, y), line if page == 0 else f"{line} ({page + 1})", fill=0, font=font)
            y += 44
        frames.append(image)
    buffer = io.BytesIO()
    if len(frames) > 1:
        frames[0].save(buffer, format=fmt, save_all=True, append_images=frames[1:],
                       compression="tiff_deflate" if fmt == "TIFF" else None)
    else:
        frames[0].save(buffer, format=fmt)
    return buffer.getvalue()


def printed_font(font: str, seed: int) -> str:
    """The font a scan or photo of a document is drawn in: its family's (Hei or Song), or, for
    one image seed in four, Kai (its own stream: the seed's other choices stay as they were)."""
    return "kai" if random.Random(f"font:{seed}").random() < KAI_SHARE else font


def _cjk_font(size: int, style: str = "sans"):
    """A CJK font: Hei (`sans`), Song (`serif`) or Kai (`kai`) where installed, else the first
    one found."""
    if style == "kai":
        if Path(KAI_FONT).exists():
            return ImageFont.truetype(KAI_FONT, size)
        _warn_no_kai()
        style = "serif"
    wanted = [c for c in CJK_FONT_CANDIDATES if ("Serif" in c) == (style == "serif")]
    for candidate in (*wanted, *CJK_FONT_CANDIDATES):
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


@functools.cache
def _warn_no_kai() -> None:
    warnings.warn(f"no Kai font at {KAI_FONT} (Debian: fonts-arphic-ukai): drawn in Song instead",
                  stacklevel=3)


def demo_set(seed: int = 2026) -> list[tuple[str, str, list[GeneratedDocument]]]:
    """(claimant, claim type, documents) for a few demo cases covering every kind."""
    rng = random.Random(seed)
    cases = []
    for claim_type in ("inpatient", "referral", "outpatient"):
        patient = person_name(rng)
        documents = [invoice(rng, patient=patient)]
        if claim_type == "inpatient":
            documents.append(daily_statement(rng, patient=patient, days=3))
        if claim_type == "referral":
            documents.append(referral(rng, patient=patient))
            scan = referral(rng, patient=patient)
            documents.append(GeneratedDocument(
                "referral", f"转诊审批表扫描件-{patient}.tif",
                scanned_image(scan.lines, title="转诊转院审批表", fmt="TIFF", pages=2), "image/tiff", 2,
                scan.lines))
        cases.append((patient, claim_type, documents))
    cases.append(("定点医院协议", "settlement", [agreement(rng)]))
    return cases
