"""Phone photos of generated documents: the page on a desk, at an angle, in uneven light.

`photograph(document, seed=...)` renders a generated document's page as `archive.demo.scans`
does (with a red seal over the text), then treats it as a phone camera would: a fold across the
sheet, the sheet laid on a table or desk texture (one sheet in four at a slant of 2–6°), seen in
perspective (each corner moved independently), light falling off across the photo and a soft
shadow over part of it, slight blur and sensor noise, saved as JPEG at quality 60–85; one photo in
five is taken with the phone turned (90°, 180° or 270°, and no orientation tag written). The same
document and seed give the same bytes; every choice comes from `random.Random(seed)`.
`Photo.corners` is where the page's corners landed (the printed page's top-left, top-right,
bottom-right, bottom-left), the truth page finding is measured against.
"""

from __future__ import annotations

import io
import random
from dataclasses import asdict, dataclass, replace

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter

from archive.demo.documents import GeneratedDocument, Row, printed_font
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
    lean: float = 0.0  # degrees the sheet lies turned on the table (counter-clockwise), before perspective
    turn: int = 0  # degrees the phone was turned (clockwise: 90, 180, 270), with no EXIF to say so

    @classmethod
    def draw(cls, rng: random.Random, orientation: random.Random | None = None) -> PhotoSpec:
        """With `orientation` (its own stream, so that the other choices stay those of a seed
        drawn without it), one photo in five is taken with the phone turned, and one in four of the
        sheet lies at a slant of 2–6°."""
        spec = cls(dpi=rng.choice((220, 240, 260)), surface=rng.choice(SURFACES),
                   tilt=round(rng.uniform(0.03, 0.09), 3), lighting=round(rng.uniform(0.1, 0.3), 2),
                   shadow=round(rng.uniform(0.15, 0.35), 2),
                   fold=rng.choice(("horizontal", "vertical", "none")),
                   blur=round(rng.uniform(0.5, 1.2), 2), noise=round(rng.uniform(3, 8), 1),
                   jpeg_quality=rng.randint(60, 85))
        if orientation is None:
            return spec
        turn = orientation.choice((90, 180, 270)) if orientation.random() < 0.2 else 0
        leaning = orientation.random() < 0.25
        lean = round(orientation.choice((-1, 1)) * orientation.uniform(2, 6), 1) if leaning else 0.0
        return replace(spec, turn=turn, lean=lean)


@dataclass
class Photo:
    content: bytes
    content_type: str
    size: tuple[int, int]
    # The page's own corners in the photo (top-left, top-right, bottom-right, bottom-left of the
    # printed page: in a turned photo its top-left is not the photo's).
    corners: tuple[tuple[float, float], ...]
    spec: PhotoSpec

    def describe(self) -> dict:
        return {"content_type": self.content_type, "size": list(self.size), "photo": True,
                **asdict(self.spec)}


def photograph(document: GeneratedDocument, *, seed: int, spec: PhotoSpec | None = None,
               font: str | None = None) -> Photo:
    """The seed's photo of `document`; `spec` and `font` (else the seed's `printed_font`) replace
    what the seed would choose, every other choice stays the seed's."""
    rows = [row for page in document.layout for row in page] if document.layout else document.lines
    return photograph_lines(rows, title=title_of(document), seed=seed, spec=spec,
                            font=font or printed_font(document.font, seed))


def photograph_lines(lines: list[Row], *, title: str = "", seed: int, spec: PhotoSpec | None = None,
                     font: str = "sans") -> Photo:
    rng = random.Random(f"photo:{seed}")
    drawn = PhotoSpec.draw(rng, random.Random(f"photo-orientation:{seed}"))  # drawn anyway: the
    spec = spec or drawn  # stamp, fold and light of a seed are the same whatever spec is given
    page = render(lines, title=title, dpi=spec.dpi, rng=random.Random(f"layout:{seed}"), font=font)
    page = _stamp(page, spec.dpi, page.info.get("text_box", (0, 0, page.width, page.height)), rng)
    page = _fold(page, spec.fold, rng)
    photo, corners = _on_table(page, spec, rng)
    photo = _light(photo, spec, rng)
    photo = photo.filter(ImageFilter.GaussianBlur(spec.blur))
    photo = _noise(photo, spec.noise, rng)
    photo, corners = _turned(photo, corners, spec.turn)
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
    if spec.lean:
        corners, canvas = _leaning(corners, canvas, spec.lean, margin=0.04 * width)
    source = ((0, 0), (width, 0), (width, height), (0, height))
    coefficients = _perspective(corners, source)  # PIL maps each output pixel back to the input
    seen = page.transform(canvas, Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BICUBIC)
    mask = Image.new("L", page.size, 255).transform(canvas, Image.Transform.PERSPECTIVE, coefficients,
                                                    Image.Resampling.BILINEAR)
    photo = _surface(canvas, spec.surface, rng)
    photo.paste(seen, (0, 0), mask)
    return photo, tuple((round(x, 1), round(y, 1)) for x, y in corners)


def _leaning(corners: tuple, canvas: tuple[int, int], lean: float, *,
             margin: float) -> tuple[tuple, tuple[int, int]]:
    """The corners turned `lean` degrees about the page's middle, and the frame grown (the corners
    moved along) where a corner would come closer than `margin` to its edge."""
    points = np.array(corners, dtype=np.float64)
    middle = points.mean(axis=0)
    angle = np.radians(lean)
    rotation = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    points = (points - middle) @ rotation.T + middle
    shift = np.maximum(0.0, margin - points.min(axis=0))
    points += shift
    size = np.maximum(np.array(canvas, dtype=np.float64), points.max(axis=0) + margin)
    return tuple((float(x), float(y)) for x, y in points), (int(np.ceil(size[0])), int(np.ceil(size[1])))


def _turned(photo: Image.Image, corners: tuple, turn: int) -> tuple[Image.Image, tuple]:
    """The photo turned `turn` degrees clockwise (a phone held sideways or upside down, which
    wrote no orientation tag), and where the page's corners went."""
    if not turn:
        return photo, corners
    width, height = photo.size
    moved = {90: lambda x, y: (height - y, x), 180: lambda x, y: (width - x, height - y),
             270: lambda x, y: (y, width - x)}[turn]
    return (photo.rotate(-turn, expand=True),
            tuple((round(moved(x, y)[0], 1), round(moved(x, y)[1], 1)) for x, y in corners))


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
