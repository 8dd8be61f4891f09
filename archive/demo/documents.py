"""Generated claim documents with known content: demo data and test fixtures.

Born-digital PDFs use reportlab's built-in Chinese CID font (STSong-Light), so they need no
font files; "scans" are images drawn with Pillow using a CJK TrueType font when one is
installed (fonts-noto-cjk / fonts-wqy), otherwise Pillow's default font.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

CID_FONT = "STSong-Light"
CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)

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


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _pdf(pages: list[list[str]], title: str) -> bytes:
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.setTitle(title)
    width, height = A4
    for lines in pages:
        pdf.setFont(CID_FONT, 16)
        pdf.drawCentredString(width / 2, height - 60, title)
        pdf.setFont(CID_FONT, 11)
        y = height - 100
        for line in lines:
            pdf.drawString(50, y, line)
            y -= 18
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def invoice(rng: random.Random, *, patient: str | None = None, pages: int = 1) -> GeneratedDocument:
    patient = patient or person_name(rng)
    hospital = rng.choice(HOSPITALS)
    number = f"{rng.randrange(10**7, 10**8)}"
    lines_per_page = []
    for page in range(pages):
        amounts = {cat: rng.randrange(1000, 200000) / 100 for cat in ("西药费", "检查费", "治疗费")}
        total = sum(amounts.values())
        lines = [f"票据代码：{rng.randrange(10**7, 10**8)}    票据号码：{number}-{page + 1}",
                 f"交款人：{patient}    收款单位：{hospital}", "住院", "开票日期：2026年3月5日"]
        lines += [f"{cat}    {amt:,.2f}" for cat, amt in amounts.items()]
        lines.append(f"合计（小写）：￥{total:,.2f}")
        lines_per_page.append(lines)
    return GeneratedDocument("invoice", f"医疗收费票据-{patient}.pdf",
                             _pdf(lines_per_page, "医疗收费票据"), "application/pdf", pages,
                             [line for page in lines_per_page for line in page])


def daily_statement(rng: random.Random, *, patient: str | None = None, days: int = 2) -> GeneratedDocument:
    patient = patient or person_name(rng)
    hospital = rng.choice(HOSPITALS)
    pages = []
    for day in range(days):
        lines = [f"姓名：{patient}    住院号：{rng.randrange(100000, 999999)}",
                 f"医院：{hospital}    科室：{rng.choice(DEPARTMENTS)}",
                 f"日期：2026-03-{day + 5:02d}", "项目    规格    单价    数量    金额    类别"]
        total = 0.0
        for name, spec, cls in rng.sample(ITEMS, 4):
            price, qty = rng.randrange(100, 50000) / 100, rng.randrange(1, 4)
            total += price * qty
            lines.append(f"{name}    {spec}    {price:.2f}    {qty}    {price * qty:.2f}    {cls}")
        lines += [f"当日合计：{total:.2f}", f"患者或家属签字：{patient}"]
        pages.append(lines)
    return GeneratedDocument("daily_statement", f"住院费用一日清单-{patient}.pdf",
                             _pdf(pages, "住院费用一日清单"), "application/pdf", days,
                             [line for page in pages for line in page])


def referral(rng: random.Random, *, patient: str | None = None) -> GeneratedDocument:
    patient = patient or person_name(rng)
    lines = [f"姓名：{patient}    身份证号：110101199003071234",
             f"医保号：{rng.randrange(10**9, 10**10)}", "诊断：股骨颈骨折",
             f"转出医院：{HOSPITALS[0]}    转入医院：{HOSPITALS[4]}",
             "转诊日期：2026年3月1日", "转诊原因：本院不具备手术条件",
             "村审核：同意 2026-03-01", "乡镇审核：同意 2026-03-02", "区审核：同意 2026-03-02"]
    return GeneratedDocument("referral", f"转诊转院审批表-{patient}.pdf",
                             _pdf([lines], "转诊转院审批表"), "application/pdf", 1, lines)


def agreement(rng: random.Random) -> GeneratedDocument:
    hospital = rng.choice(HOSPITALS)
    lines = [f"协议编号：XY-2026-{rng.randrange(1000, 9999)}", "甲方：县医疗保障事务中心",
             f"乙方：{hospital}", "统一社会信用代码：91350100M000100Y43",
             "有效期：2026年1月1日至2026年12月31日", "签订日期：2025年12月20日",
             "第三条 乙方住院病人自费药品费用占比不得超过20%。"]
    return GeneratedDocument("agreement", f"定点医疗机构服务协议-{hospital}.pdf",
                             _pdf([lines], "定点医疗机构服务协议"), "application/pdf", 1, lines)


def scanned_image(lines: list[str], *, fmt: str = "PNG", pages: int = 1,
                  size: tuple[int, int] = (1240, 1754)) -> bytes:
    """A page image ("scan") at 150 dpi A4; several pages make a multi-page TIFF."""
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


def _cjk_font(size: int):
    for candidate in CJK_FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


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
                scanned_image(scan.lines, fmt="TIFF", pages=2), "image/tiff", 2, scan.lines))
        cases.append((patient, claim_type, documents))
    cases.append(("定点医院协议", "settlement", [agreement(rng)]))
    return cases
