"""OFD pages drawn with Pillow, for the viewer, thumbnails and QR decoding.

A small drawer of our own rather than a library: the Python OFD renderers found either convert
through PyMuPDF (AGPL, which this product cannot ship) or bring a JVM. Invoices use few object
kinds — text, ruled paths, a QR image, a seal image — and those are drawn here; anything else is
left out rather than guessed. Text is drawn in the installed Noto CJK faces (Serif for 宋体/楷体/
仿宋, Sans otherwise), each glyph at its own position, so the layout is the document's even where
the face differs.
"""

from __future__ import annotations

import io
import warnings
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from archive.ocr.ofd_document import ImageItem, OfdDocument, OfdPage, PathItem, TextItem
from archive.ocr.ofd_package import OfdError

_FONT_FILES = {
    "serif": ["/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
              "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc"],
    "sans": ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"],
}
_SERIF_NAMES = ("宋", "楷", "仿", "song", "kai", "fang", "times", "serif")
MAX_IMAGE_PIXELS = 40_000_000  # an embedded image larger than this is not drawn (a bomb)
MAX_ASPECT = 20  # a page at most this many times as long as it is wide is drawn


def draw_page(document: OfdDocument, page: OfdPage, width: int) -> Image.Image:
    """The page `width` pixels wide, white background; OfdError for a page of absurd proportions
    (a 1 mm × 100 m page would be a gigapixel image)."""
    scale = width / max(page.width, 1.0)
    height = max(1, round(page.height * scale))
    if height > MAX_ASPECT * width:
        raise OfdError(f"page {page.number} is {page.width:g} × {page.height:g} mm: too long to draw")
    image = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(image)
    for item in page.items:
        if isinstance(item, PathItem):
            _path(pen, item, scale)
        elif isinstance(item, ImageItem):
            _image(document, image, item, scale)
        elif isinstance(item, TextItem):
            _text(pen, item, scale)
    return image


def _path(pen: ImageDraw.ImageDraw, item: PathItem, scale: float) -> None:
    for points, closed in zip(item.subpaths, item.closed, strict=True):
        xy = [(x * scale, y * scale) for x, y in points]
        if item.fill is not None and len(xy) >= 3:
            pen.polygon(xy, fill=item.fill)
        if item.stroke is not None and len(xy) >= 2:
            pen.line(xy + ([xy[0]] if closed else []), fill=item.stroke,
                     width=max(1, round(item.line_width * scale)))


def _image(document: OfdDocument, canvas: Image.Image, item: ImageItem, scale: float) -> None:
    if item.resource is None:
        return
    (x0, y0), (x1, y1), (x2, y2) = item.corners
    left, top = min(x0, x1, x2), min(y0, y1, y2)
    width, height = round((max(x0, x1, x2) - left) * scale), round((max(y0, y1, y2) - top) * scale)
    if width < 1 or height < 1:
        return
    try:
        data = document.package.read(item.resource)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                if picture.width * picture.height > MAX_IMAGE_PIXELS:
                    return
                picture = picture.convert("RGBA")
    except (OfdError, OSError, ValueError, SyntaxError, Image.DecompressionBombWarning,
            Image.DecompressionBombError):
        return  # an image that cannot be decoded is left out; the text is still drawn
    if x1 < x0:  # mirrored by the CTM
        picture = picture.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if y2 < y0:
        picture = picture.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    picture = picture.resize((width, height), Image.Resampling.LANCZOS)
    canvas.paste(picture, (round(left * scale), round(top * scale)), picture)


def _text(pen: ImageDraw.ImageDraw, item: TextItem, scale: float) -> None:
    serif = any(name in item.font.lower() for name in _SERIF_NAMES)
    for glyph in item.glyphs:
        if not glyph.char.strip():
            continue
        font = _font("serif" if serif else "sans", max(4, round(glyph.size * scale)))
        pen.text((glyph.x * scale, glyph.y * scale), glyph.char, fill=item.colour, font=font, anchor="ls")


@cache
def _font(face: str, pixels: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONT_FILES[face] + _FONT_FILES["sans"]:
        try:
            return ImageFont.truetype(path, pixels)
        except OSError:
            continue
    return ImageFont.load_default(pixels)


def draw_text_card(lines: list[str], width: int) -> Image.Image:
    """A page for a document that has no drawing of its own (an e-invoice XML): its text, line by
    line, so the viewer shows what was read."""
    size = max(12, width // 40)
    font = _font("sans", size)
    height = max(width * 7 // 10, (len(lines) + 2) * size * 3 // 2)
    image = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        pen.text((size, size + index * size * 3 // 2), line, fill=(0, 0, 0), font=font)
    return image
