"""Phone photos of generated documents: the page on a desk, at an angle, in uneven light.

`photograph(document, seed=...)` renders a generated document's page as `archive.demo.scans`
does (with a red seal over the text), then treats it as a phone camera would: a fold across the
sheet, the sheet laid on a table or desk texture, seen in perspective (each corner moved
independently), light falling off across the photo and a soft shadow over part of it, slight
blur and sensor noise, saved as JPEG at quality 60–85. The same document and seed give the same
bytes; every choice comes from `random.Random(seed)`. `Photo.corners` is where the page's
corners landed (top-left, top-right, bottom-right, bottom-left), the truth page finding is
measured against.
"""

from __future__ import annotations

import io
import random
from dataclasses import asdict, dataclass

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from archive.demo.documents import GeneratedDocument, Row
from archive.demo.scans import _noise, _stamp, render, title_of

# Table tops and desks: light wood, dark wood, grey laminate, a green desk mat, a white-ish desk.
SURFACES = ((176, 128, 84), (96, 62, 40), (120, 122, 126), (58, 96, 72), (196, 190, 178))


@dataclass(frozen=True)
class PhotoSpec:
    """What was done to one photo; all drawn from the seed."""

    dpi: int  # of the page as rendered, before the camera
    surface: tuple[int, int, int]
    tilt: float  # largest corner displacement, as a share of the page's width
    lighting: float  # darkest corner is (1 - lighting) of the brightest
    shadow: float  # darkening inside the soft shadow
    fold: str  # "horizontal", "vertical" or "none"
    blur: float
    noise: float
    jpeg_quality: int

    @classmethod
    def draw(cls, rng: random.Random) -> PhotoSpec:
        return cls(dpi=rng.choice((220, 240, 260)), surface=rng.choice(SURFACES),
                   tilt=round(rng.uniform(0.03, 0.09), 3), lighting=round(rng.uniform(0.1, 0.3), 2),
                   shadow=round(rng.uniform(0.15, 0.35), 2),
                   fold=rng.choice(("horizontal", "vertical", "none")),
                   blur=round(rng.uniform(0.5, 1.2), 2), noise=round(rng.uniform(3, 8), 1),
                   jpeg_quality=rng.randint(60, 85))


@dataclass
class Photo:
    content: bytes
    content_type: str
    size: tuple[int, int]
    corners: tuple[tuple[float, float], ...]  # the page's corners in the photo: tl, tr, br, bl
    spec: PhotoSpec

    def describe(self) -> dict:
        return {"content_type": self.content_type, "size": list(self.size), "photo": True,
                **asdict(self.spec)}


def photograph(document: GeneratedDocument, *, seed: int, spec: PhotoSpec | None = None) -> Photo:
    rows = [row for page in document.layout for row in page] if document.layout else document.lines
    return photograph_lines(rows, title=title_of(document), seed=seed, spec=spec, font=document.font)


def photograph_lines(lines: list[Row], *, title: str = "", seed: int, spec: PhotoSpec | None = None,
                     font: str = "sans") -> Photo:
    rng = random.Random(f"photo:{seed}")
    spec = spec or PhotoSpec.draw(rng)
    page = render(lines, title=title, dpi=spec.dpi, rng=random.Random(f"layout:{seed}"), font=font)
    page = _stamp(page, spec.dpi, page.info.get("text_box", (0, 0, page.width, page.height)), rng)
    page = _fold(page, spec.fold, rng)
    photo, corners = _on_table(page, spec, rng)
    photo = _light(photo, spec, rng)
    photo = photo.filter(ImageFilter.GaussianBlur(spec.blur))
    photo = _noise(photo, spec.noise, rng)
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=spec.jpeg_quality)  # a phone writes no dpi
    return Photo(buffer.getvalue(), "image/jpeg", photo.size, corners, spec)


def _fold(page: Image.Image, fold: str, rng: random.Random) -> Image.Image:
    """A sheet folded once and opened again: one half a little darker, a crease along the fold."""
    if fold == "none":
        return page
    width, height = page.size
    shade = Image.new("L", page.size, 255)
    draw = ImageDraw.Draw(shade)
    if fold == "horizontal":
        at = round(height * rng.uniform(0.4, 0.6))
        draw.rectangle((0, at, width, height), fill=round(255 * rng.uniform(0.88, 0.96)))
        draw.line((0, at, width, at), fill=round(255 * rng.uniform(0.6, 0.75)), width=max(2, width // 700))
    else:
        at = round(width * rng.uniform(0.4, 0.6))
        draw.rectangle((at, 0, width, height), fill=round(255 * rng.uniform(0.88, 0.96)))
        draw.line((at, 0, at, height), fill=round(255 * rng.uniform(0.6, 0.75)), width=max(2, width // 700))
    shade = shade.filter(ImageFilter.GaussianBlur(max(1, width // 900)))
    return ImageChops.multiply(page, Image.merge("RGB", [shade] * 3))


def _on_table(page: Image.Image, spec: PhotoSpec, rng: random.Random) -> tuple[Image.Image, tuple]:
    """The page in perspective on a textured surface, the frame a little larger than the page."""
    width, height = page.size
    canvas = (round(width * rng.uniform(1.2, 1.35)), round(height * rng.uniform(1.12, 1.22)))
    left, top = (canvas[0] - width) / 2, (canvas[1] - height) / 2
    reach = spec.tilt * width
    corners = tuple((x + rng.uniform(-reach, reach), y + rng.uniform(-reach, reach))
                    for x, y in ((left, top), (left + width, top), (left + width, top + height),
                                 (left, top + height)))
    source = ((0, 0), (width, 0), (width, height), (0, height))
    coefficients = _perspective(corners, source)  # PIL maps each output pixel back to the input
    seen = page.transform(canvas, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC)
    mask = Image.new("L", page.size, 255).transform(canvas, Image.Transform.PERSPECTIVE, coefficients,
                                                    Image.Resampling.BILINEAR)
    photo = _surface(canvas, spec.surface, rng)
    photo.paste(seen, (0, 0), mask)
    return photo, tuple((round(x, 1), round(y, 1)) for x, y in corners)


def _perspective(output: tuple, source: tuple) -> tuple[float, ...]:
    """PIL's eight coefficients taking points of `output` to the matching points of `source`."""
    rows, values = [], []
    for (x, y), (u, v) in zip(output, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    return tuple(float(c) for c in np.linalg.solve(np.array(rows, dtype=np.float64), np.array(values)))


def _surface(size: tuple[int, int], colour: tuple[int, int, int], rng: random.Random) -> Image.Image:
    """A table top: its colour with a grain stretched along one direction and some blotches."""
    grain = Image.frombytes("L", (48, 6), rng.randbytes(48 * 6)).resize(size, Image.Resampling.BICUBIC)
    blotches = Image.frombytes("L", (6, 8), rng.randbytes(48)).resize(size, Image.Resampling.BICUBIC)
    texture = ImageChops.add(grain.point(lambda v: 200 + v // 8), blotches.point(lambda v: v // 10), 1.0, -10)
    return ImageChops.multiply(Image.new("RGB", size, colour), Image.merge("RGB", [texture] * 3))


def _light(photo: Image.Image, spec: PhotoSpec, rng: random.Random) -> Image.Image:
    """Light falling off towards one side, a warm or cool cast, and a soft shadow (a phone or a
    hand) over one edge of the frame."""
    corners = [round(255 * (1 - spec.lighting * rng.random())) for _ in range(4)]
    corners[rng.randrange(4)] = 255
    corners[rng.randrange(4)] = round(255 * (1 - spec.lighting))
    shade = Image.new("L", (2, 2))
    shade.putdata(corners)
    shade = shade.resize(photo.size, Image.Resampling.BILINEAR)
    shadow = Image.new("L", photo.size, 255)
    width, height = photo.size
    side = rng.randrange(4)
    depth = rng.uniform(0.15, 0.35)
    span = (rng.uniform(0.1, 0.4), rng.uniform(0.6, 0.9))
    if side == 0:
        box = (span[0] * width, 0, span[1] * width, depth * height)
    elif side == 1:
        box = (width * (1 - depth), span[0] * height, width, span[1] * height)
    elif side == 2:
        box = (span[0] * width, height * (1 - depth), span[1] * width, height)
    else:
        box = (0, span[0] * height, depth * width, span[1] * height)
    ImageDraw.Draw(shadow).ellipse(box, fill=round(255 * (1 - spec.shadow)))
    shadow = shadow.filter(ImageFilter.GaussianBlur(width / 60))
    light = ImageChops.multiply(shade, shadow)
    cast = rng.choice(((255, 244, 226), (255, 255, 255), (238, 246, 255)))
    tinted = Image.merge("RGB", [light.point(lambda v, c=c: v * c // 255) for c in cast])
    return ImageChops.multiply(photo, tinted)
