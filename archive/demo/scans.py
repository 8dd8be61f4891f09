"""Realistic "scans" of generated documents: rendered at 200–300 dpi, then degraded.

`scan(document, seed=...)` draws a generated document's printed lines (with its title) on an
A4 page at a seeded resolution (in its family's font, or for one seed in four in Kai), then
applies seeded degradations in the order a paper copy meets them: a red circular stamp (印章)
partly over the text, a slight rotation (±1.5°), uneven lighting, blur, sensor noise and JPEG
artefacts (saved and reloaded at quality 60–85).
The same document and seed give the same bytes; no randomness comes from outside `seed`.
Pillow only (no numpy): the noise is drawn from `random.Random(seed)`.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import asdict, dataclass
from statistics import NormalDist

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from archive.demo.documents import RULE, GeneratedDocument, Row, _cjk_font, printed_font
from archive.demo.forms import FormPrint, dot_matrix, split

A4_INCHES = (8.27, 11.69)
TITLES = {"invoice": "医疗收费票据", "referral": "转诊转院审批表", "agreement": "定点医疗机构服务协议",
          "daily_statement": "住院费用一日清单"}
STAMP_TEXTS = ("县人民医院 收费专用章", "县中医院 财务专用章", "县医疗保障事务中心 业务专用章",
               "市第一人民医院 收费专用章", "镇卫生院 收费专用章")
# A pre-printed form's print and the words its printer fills in (archive.demo.forms).
Form = tuple[FormPrint, tuple[str, ...]]
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff"}


@dataclass(frozen=True)
class Degradation:
    """What was done to one scan; all drawn from the seed unless given."""

    dpi: int = 300
    rotation: float = 0.0  # degrees, counter-clockwise
    blur: float = 0.0  # Gaussian radius in pixels at this dpi
    noise: float = 0.0  # standard deviation of grey-level noise
    jpeg_quality: int | None = None  # None: no JPEG round trip
    stamp: bool = False
    lighting: float = 0.0  # darkest corner is (1 - lighting) of the brightest

    @classmethod
    def draw(cls, rng: random.Random, *, dpi: int | None = None) -> Degradation:
        dpi = dpi or rng.choice((200, 240, 300))
        return cls(dpi=dpi, rotation=round(rng.uniform(-1.5, 1.5), 2),
                   blur=round(rng.uniform(0.3, 1.0) * dpi / 200, 2), noise=round(rng.uniform(4, 12), 1),
                   jpeg_quality=rng.randint(60, 85), stamp=True, lighting=round(rng.uniform(0.08, 0.25), 2))


@dataclass
class Scan:
    content: bytes
    content_type: str
    dpi: int
    size: tuple[int, int]
    degradation: Degradation

    def describe(self) -> dict:
        return {"content_type": self.content_type, "size": list(self.size), **asdict(self.degradation)}


def title_of(document: GeneratedDocument) -> str:
    return document.title or TITLES.get(document.kind, "")


# Rows an A4 scan holds at the body size and line spacing `render` draws (11 pt, up to 1.9 lines).
ROWS_PER_PAGE = 34


def scan(document: GeneratedDocument, *, seed: int, fmt: str = "JPEG", dpi: int | None = None,
         degradation: Degradation | None = None, preprinted: bool = False) -> Scan:
    """A degraded scan of `document`: one page with all its lines (a layout family's rows with
    their cells where the family prints them), or, for a document whose pages do not fit on one
    (a long 一日清单) or that is scanned page by page (`paged_scan`), a multi-page TIFF with a page
    per printed page, each degraded on its own. With `preprinted`, each page is a coloured form
    filled by a dot-matrix printer off register (archive.demo.forms), from its own seeded stream:
    the page's layout, stamp and degradations are those the same seed gives without it."""
    fills = _fills(document) if preprinted else None
    if document.layout and len(document.layout) > 1 and (
            document.paged_scan or sum(map(len, document.layout)) > ROWS_PER_PAGE):
        return scan_pages(document.layout, title=title_of(document), seed=seed, dpi=dpi,
                          degradation=degradation, font=printed_font(document.font, seed), fills=fills)
    rows = [row for page in document.layout for row in page] if document.layout else document.lines
    return scan_lines(rows, title=title_of(document), seed=seed, fmt=fmt, dpi=dpi,
                      degradation=degradation, font=printed_font(document.font, seed), fills=fills)


def _fills(document: GeneratedDocument) -> tuple[str, ...]:
    """The truth's words, which the printer fills in wherever they stand (a name in a grid cell)."""
    return tuple(value for value in document.truth.values() if isinstance(value, str))


def _form(seed: int, page: int, fills: tuple[str, ...] | None) -> Form | None:
    return None if fills is None else (FormPrint.draw(random.Random(f"form:{seed}:{page}")), fills)


def scan_pages(pages: list[list[Row]], *, title: str, seed: int, dpi: int | None = None,
               degradation: Degradation | None = None, font: str = "sans",
               fills: tuple[str, ...] | None = None) -> Scan:
    """Each page drawn with the title and degraded (the same resolution throughout, each page its
    own rotation, stamp and noise: pages go through the scanner one by one); a multi-page TIFF."""
    rng = random.Random(f"scan:{seed}")
    first = degradation or Degradation.draw(rng, dpi=dpi)
    frames = []
    for number, rows in enumerate(pages):
        spec = first if number == 0 or degradation else Degradation.draw(rng, dpi=first.dpi)
        layout = random.Random(f"layout:{seed}:{number}")
        image = render(rows, title=title, dpi=spec.dpi, rng=layout, font=font,
                       form=_form(seed, number, fills))
        frames.append(degrade(image, spec, rng).convert("RGB"))
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:], compression="tiff_jpeg",
                   quality=first.jpeg_quality or 90, dpi=(first.dpi, first.dpi))
    return Scan(buffer.getvalue(), CONTENT_TYPES["TIFF"], first.dpi, frames[0].size, first)


def scan_lines(lines: list[Row], *, title: str = "", seed: int, fmt: str = "JPEG", dpi: int | None = None,
               degradation: Degradation | None = None, font: str = "sans",
               fills: tuple[str, ...] | None = None) -> Scan:
    rng = random.Random(f"scan:{seed}")
    spec = degradation or Degradation.draw(rng, dpi=dpi)
    # The layout has its own stream: the same seed without degradation gives the clean page.
    image = render(lines, title=title, dpi=spec.dpi, rng=random.Random(f"layout:{seed}"), font=font,
                   form=_form(seed, 0, fills))
    # A JPEG file is itself the JPEG round trip; other formats get it before saving.
    image = degrade(image, spec, rng, jpeg_round_trip=fmt.upper() != "JPEG")
    return _encode(image, spec, fmt)


def clean(lines: list[str], *, title: str = "", seed: int, dpi: int = 300, fmt: str = "PNG") -> Scan:
    """The page `scan_lines` would degrade for this seed, undegraded (a reference)."""
    return scan_lines(lines, title=title, seed=seed, fmt=fmt, degradation=Degradation(dpi=dpi))


def render(lines: list[Row], *, title: str, dpi: int, rng: random.Random, font: str = "sans",
           form: Form | None = None) -> Image.Image:
    """Black text on white A4 at `dpi`: 16 pt title, 11 pt body, left margin varied a little; a
    row of cells puts each cell at its fraction of the width between the margins. With `form`
    (its print and the words the printer fills in), title, labels and rules are in the form's
    ink and the filled-in words in dot-matrix black, off register by the form's offset."""
    width, height = round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi)
    image = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    body, heading = _cjk_font(round(11 / 72 * dpi), font), _cjk_font(round(16 / 72 * dpi), font)
    margin = round(dpi * rng.uniform(0.6, 0.9))
    y = round(dpi * rng.uniform(0.6, 0.9))
    ink = form[0].ink if form else (0, 0, 0)
    if title:
        draw.text((width // 2, y), title, fill=ink, font=heading, anchor="mt")
        y += round(16 / 72 * dpi * 2.2)
    step = round(11 / 72 * dpi * rng.uniform(1.6, 1.9))
    printer = _Printer(image, form, body, step) if form else None
    for line in lines:
        if line == RULE:
            draw.line((margin, y - step // 4, width - margin, y - step // 4),
                      fill=form[0].ink if form else (40, 40, 40), width=max(1, dpi // 150))
        else:
            cells = ((0.0, line),) if isinstance(line, str) else line
            for x, text in cells:
                left = margin + round(x * (width - 2 * margin))
                if printer:
                    printer.text(left, y, text)
                else:
                    draw.text((left, y), text, fill=(20, 20, 20), font=body)
        y += step
    if printer:
        image = printer.finish(dpi)
    image.info["text_box"] = (margin, round(dpi * 0.6), width - margin, y)
    return image


class _Printer:
    """The form's print drawn at once; the fill collected in a mask, dotted and laid over last."""

    def __init__(self, image: Image.Image, form: Form, body, step: int):
        self.image, (self.print, self.fills), self.body = image, form, body
        self.draw = ImageDraw.Draw(image)
        self.mask = Image.new("L", image.size, 0)
        self.fill = ImageDraw.Draw(self.mask)
        self.shift = (round(self.print.offset[0] * body.size), round(self.print.offset[1] * step))

    def text(self, left: int, y: int, text: str) -> None:
        for start, run, filled in split(text, self.fills):
            x = left + round(self.body.getlength(text[:start]))
            if filled:
                self.fill.text((x + self.shift[0], y + self.shift[1]), run, fill=255, font=self.body)
            elif run.strip():
                self.draw.text((x, y), run, fill=self.print.ink, font=self.body)

    def finish(self, dpi: int) -> Image.Image:
        dots = dot_matrix(self.mask, max(2, round(dpi / 85)))
        ribbon = Image.new("RGB", self.image.size, (self.print.ribbon,) * 3)
        return Image.composite(ribbon, self.image, dots)


def degrade(image: Image.Image, spec: Degradation, rng: random.Random, *,
            jpeg_round_trip: bool = True) -> Image.Image:
    box = image.info.get("text_box", (0, 0, image.width, image.height))
    if spec.stamp:
        image = _stamp(image, spec.dpi, box, rng)
    if spec.rotation:
        image = image.rotate(spec.rotation, resample=Image.Resampling.BICUBIC, fillcolor=(250, 250, 248))
    if spec.lighting:
        image = _lighting(image, spec.lighting, rng)
    if spec.blur:
        image = image.filter(ImageFilter.GaussianBlur(spec.blur))
    if spec.noise:
        image = _noise(image, spec.noise, rng)
    if spec.jpeg_quality and jpeg_round_trip:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=spec.jpeg_quality)
        image = Image.open(io.BytesIO(buffer.getvalue()))
        image.load()
    return image


def _stamp(image: Image.Image, dpi: int, box: tuple[int, int, int, int], rng: random.Random) -> Image.Image:
    """A red seal, 38–42 mm across, with its centre on the text block's lower half."""
    diameter = round(rng.uniform(38, 42) / 25.4 * dpi)
    seal = Image.new("L", (diameter, diameter), 0)  # alpha of the ink
    draw = ImageDraw.Draw(seal)
    ring = max(2, diameter // 45)
    draw.ellipse((ring, ring, diameter - ring, diameter - ring), outline=255, width=ring * 2)
    centre = diameter / 2
    star = [(centre + diameter * 0.12 * (1 if k % 2 == 0 else 0.4) * math.sin(k * math.pi / 5),
             centre - diameter * 0.12 * (1 if k % 2 == 0 else 0.4) * math.cos(k * math.pi / 5))
            for k in range(10)]
    draw.polygon(star, fill=255)
    text = rng.choice(STAMP_TEXTS)
    arc_text, bottom = text.split(" ") if " " in text else (text, "")
    size = round(diameter * 0.12)
    font = _cjk_font(size)
    radius = centre - ring * 2 - size * 0.7
    span = min(250.0, 22.0 * len(arc_text))
    for i, char in enumerate(arc_text):
        angle = -span / 2 + span * (i + 0.5) / len(arc_text)  # degrees from the top, clockwise
        glyph = Image.new("L", (size * 2, size * 2), 0)
        ImageDraw.Draw(glyph).text((size, size), char, fill=255, font=font, anchor="mm")
        glyph = glyph.rotate(-angle, resample=Image.Resampling.BICUBIC)
        x = centre + radius * math.sin(math.radians(angle)) - size
        y = centre - radius * math.cos(math.radians(angle)) - size
        seal.paste(glyph, (round(x), round(y)), glyph)
    if bottom:
        draw.text((centre, centre + diameter * 0.27), bottom, fill=255, font=_cjk_font(round(size * 0.8)),
                  anchor="mm")
    seal = seal.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC)
    # Ink is uneven: some of the seal is faint.
    strength = rng.uniform(0.55, 0.85)
    patches = Image.frombytes("L", (8, 8), rng.randbytes(64)).resize(seal.size, Image.Resampling.BICUBIC)
    alpha = ImageChops.multiply(seal, patches.point(lambda v: round(255 * strength * (0.6 + 0.4 * v / 255))))
    left, top, right, bottom_y = box
    cx = rng.uniform(left + diameter * 0.3, max(left + diameter * 0.3 + 1, right - diameter * 0.3))
    cy = rng.uniform(top + (bottom_y - top) * 0.45, max(top + (bottom_y - top) * 0.45 + 1, bottom_y))
    red = Image.new("RGB", seal.size, (rng.randint(200, 230), rng.randint(20, 50), rng.randint(30, 60)))
    position = (round(cx - diameter / 2), round(cy - diameter / 2))
    region = image.crop((*position, position[0] + diameter, position[1] + diameter))
    inked = ImageChops.multiply(region, red)  # ink darkens the paper and the print under it
    image.paste(Image.composite(inked, region, alpha), position)
    return image


def _lighting(image: Image.Image, depth: float, rng: random.Random) -> Image.Image:
    """A smooth brightness falloff towards a random side: 1.0 down to 1 - depth."""
    corners = [round(255 * (1 - depth * rng.random())) for _ in range(4)]
    corners[rng.randrange(4)] = 255
    corners[rng.randrange(4)] = round(255 * (1 - depth))
    shade = Image.new("L", (2, 2))
    shade.putdata(corners)
    shade = shade.resize(image.size, Image.Resampling.BILINEAR).convert(image.mode)
    return ImageChops.multiply(image, shade)


_NORMAL = NormalDist()


def _noise(image: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    """Gaussian grey-level noise from the seed (uniform bytes mapped through the normal quantile)."""
    table = [max(0, min(255, round(128 + sigma * _NORMAL.inv_cdf((v + 0.5) / 256)))) for v in range(256)]
    noise = Image.frombytes("L", image.size, rng.randbytes(image.width * image.height)).point(table)
    if image.mode != "L":
        noise = Image.merge(image.mode, [noise] * len(image.getbands()))
    return ImageChops.add(image, noise, scale=1.0, offset=-128)


def _encode(image: Image.Image, spec: Degradation, fmt: str) -> Scan:
    fmt = fmt.upper()
    buffer = io.BytesIO()
    options: dict = {"dpi": (spec.dpi, spec.dpi)}
    if fmt == "JPEG":
        options["quality"] = spec.jpeg_quality or 95
    elif fmt == "TIFF":
        options["compression"] = "tiff_deflate"
    image.convert("RGB").save(buffer, format=fmt, **options)
    return Scan(buffer.getvalue(), CONTENT_TYPES[fmt], spec.dpi, image.size, spec)
