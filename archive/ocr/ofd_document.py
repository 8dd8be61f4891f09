"""An OFD document's pages as objects to draw and read: text, paths and images, in page units (mm).

Only what invoices use is modelled: a page's template layers (drawn first), its content layers,
page blocks, text objects with their glyph positions (TextCode X/Y, DeltaX/DeltaY with the `g`
repeat shorthand), path objects (AbbreviatedData: M/S, L, Q, B, A, C), image objects (an image
resource mapped through the object's CTM), colours and line widths directly or by DrawParam.
Annotations (watermarks such as 下载次数) are neither drawn nor read: they are not the invoice.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from archive.ocr.ofd_package import OfdError, OfdPackage, child, resolve, text_of

Matrix = tuple[float, float, float, float, float, float]  # a b c d e f: x' = a x + c y + e
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)
Colour = tuple[int, int, int]


@dataclass
class Glyph:
    char: str
    x: float  # left, page mm
    y: float  # baseline, page mm
    size: float  # font size, mm


@dataclass
class TextItem:
    id: str
    glyphs: list[Glyph]
    font: str
    colour: Colour
    boundary: tuple[float, float, float, float]  # x, y, width, height (page mm)

    @property
    def text(self) -> str:
        return "".join(g.char for g in self.glyphs)


@dataclass
class PathItem:
    subpaths: list[list[tuple[float, float]]]  # page mm, curves flattened
    closed: list[bool]
    line_width: float
    stroke: Colour | None
    fill: Colour | None


@dataclass
class ImageItem:
    corners: tuple[tuple[float, float], ...]  # where the image's unit square lands: (0,0),(1,0),(0,1) in mm
    resource: str | None  # package member name


@dataclass
class OfdPage:
    number: int
    id: str
    width: float
    height: float
    items: list = field(default_factory=list)  # drawing order
    error: str | None = None

    def texts(self) -> list[TextItem]:
        return [item for item in self.items if isinstance(item, TextItem)]


@dataclass
class DrawParam:
    line_width: float | None = None
    stroke: Colour | None = None
    fill: Colour | None = None


@dataclass
class OfdDocument:
    package: OfdPackage
    document_path: str
    root: Element
    info: Element | None  # OFD.xml DocBody/DocInfo
    page_refs: list[tuple[str, str]]  # (page ID, member name)
    templates: dict[str, str]
    default_box: tuple[float, float]
    fonts: dict[str, str] = field(default_factory=dict)
    media: dict[str, str] = field(default_factory=dict)
    params: dict[str, DrawParam] = field(default_factory=dict)

    def page(self, index: int) -> OfdPage:
        """Page `index` (0-based) with its template layers; a page whose part is missing or broken
        comes back with `error` set and nothing on it."""
        page_id, location = self.page_refs[index]
        width, height = self.default_box
        page = OfdPage(index + 1, page_id, width, height)
        try:
            content = self.package.xml(location)
            box = _numbers(text_of(content, "Area", "PhysicalBox"))
            if len(box) == 4 and box[2] > 0 and box[3] > 0:
                page.width, page.height = box[2], box[3]
            for template in content.findall("Template"):
                if (where := self.templates.get(template.get("TemplateID", ""))) is not None:
                    self._layers(self.package.xml(where), page)
            self._layers(content, page)
        except OfdError as exc:
            page.items, page.error = [], str(exc)
        return page

    def _layers(self, part: Element, page: OfdPage) -> None:
        for content in part.findall("Content"):
            _layers_of(self, content, page, DrawParam())


def open_document(package: OfdPackage) -> OfdDocument:
    """The first document of the package (invoices have one)."""
    ofd = package.xml("OFD.xml")
    body = ofd.find("DocBody")
    root_path = text_of(body, "DocRoot")
    if root_path is None:
        raise OfdError("OFD.xml names no document (DocBody/DocRoot)")
    document_path = resolve("OFD.xml", root_path)
    root = package.xml(document_path)
    common = root.find("CommonData")
    pages = [(page.get("ID", ""), resolve(document_path, page.get("BaseLoc", "")))
             for page in root.findall("Pages/Page")]
    templates = {t.get("ID", ""): resolve(document_path, t.get("BaseLoc", ""))
                 for t in (common.findall("TemplatePage") if common is not None else [])}
    box = _numbers(text_of(common, "PageArea", "PhysicalBox"))
    document = OfdDocument(package, document_path, root, child(body, "DocInfo"), pages, templates,
                           (box[2], box[3]) if len(box) == 4 else (210.0, 297.0))
    for tag in ("PublicRes", "DocumentRes"):
        for node in (common.findall(tag) if common is not None else []):
            if node.text and node.text.strip():
                _resources(document, resolve(document_path, node.text))
    return document


def _resources(document: OfdDocument, location: str) -> None:
    try:
        res = document.package.xml(location)
    except OfdError:
        return  # a missing resource file leaves text in the default font and images undrawn
    base = resolve(location, res.get("BaseLoc", "")) if res.get("BaseLoc") else posixpath.dirname(location)
    for font in res.iter("Font"):
        document.fonts[font.get("ID", "")] = font.get("FontName") or font.get("FamilyName") or ""
    for media in res.iter("MultiMedia"):
        if (name := text_of(media, "MediaFile")) is not None:
            document.media[media.get("ID", "")] = resolve(base + "/", name)
    for param in res.iter("DrawParam"):
        document.params[param.get("ID", "")] = DrawParam(
            _float(param.get("LineWidth")), _colour(param.find("StrokeColor")),
            _colour(param.find("FillColor")))
    for param in res.iter("DrawParam"):  # `Relative`: inherit what is not set here
        own, parent = document.params[param.get("ID", "")], document.params.get(param.get("Relative", ""))
        if parent is not None:
            own.line_width = own.line_width if own.line_width is not None else parent.line_width
            own.stroke, own.fill = own.stroke or parent.stroke, own.fill or parent.fill


def _draw_param(document: OfdDocument, element: Element, inherited: DrawParam) -> DrawParam:
    param = document.params.get(element.get("DrawParam", ""))
    if param is None:
        return inherited
    return DrawParam(param.line_width if param.line_width is not None else inherited.line_width,
                     param.stroke or inherited.stroke, param.fill or inherited.fill)


def _layers_of(document: OfdDocument, container: Element, page: OfdPage, param: DrawParam) -> None:
    for element in container:
        tag = element.tag
        if tag in ("Layer", "PageBlock"):
            _layers_of(document, element, page, _draw_param(document, element, param))
        elif tag == "TextObject":
            page.items.append(_text(document, element, _draw_param(document, element, param)))
        elif tag == "PathObject":
            if (path := _path(element, _draw_param(document, element, param))) is not None:
                page.items.append(path)
        elif tag == "ImageObject":
            page.items.append(_image(document, element))


def _boundary(element: Element) -> tuple[float, float, float, float]:
    numbers = _numbers(element.get("Boundary"))
    return tuple(numbers) if len(numbers) == 4 else (0.0, 0.0, 0.0, 0.0)  # type: ignore[return-value]


def _matrix(element: Element) -> Matrix:
    numbers = _numbers(element.get("CTM"))
    return tuple(numbers) if len(numbers) == 6 else IDENTITY  # type: ignore[return-value]


def _apply(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def _text(document: OfdDocument, element: Element, param: DrawParam) -> TextItem:
    left, top, width, height = _boundary(element)
    matrix = _matrix(element)
    size = _float(element.get("Size")) or 3.5
    # The CTM scales the glyphs too (a text drawn at Size 1 with CTM 3.175 0 0 3.175 ...).
    scale = (abs(matrix[0] * matrix[3] - matrix[1] * matrix[2])) ** 0.5 or 1.0
    glyphs: list[Glyph] = []
    x = y = 0.0
    for code in element.findall("TextCode"):
        chars = list(code.text or "")
        x = _float(code.get("X")) if code.get("X") is not None else x
        y = _float(code.get("Y")) if code.get("Y") is not None else y
        dx, dy = _deltas(code.get("DeltaX")), _deltas(code.get("DeltaY"))
        for index, char in enumerate(chars):
            page_x, page_y = _apply(matrix, x, y)
            glyphs.append(Glyph(char, left + page_x, top + page_y, size * scale))
            default = dx[-1] if dx else size * (1 if ord(char) > 0x2e7f else 0.5)
            step = dx[index] if index < len(dx) else default
            x += step
            y += dy[index] if index < len(dy) else 0.0
    font = document.fonts.get(element.get("Font", ""), "")
    colour = _colour(element.find("FillColor")) or param.fill or (0, 0, 0)
    return TextItem(element.get("ID", ""), glyphs, font, colour, (left, top, width, height))


def _image(document: OfdDocument, element: Element) -> ImageItem:
    left, top, _, _ = _boundary(element)
    matrix = _matrix(element)
    corners = tuple((left + x, top + y) for x, y in (_apply(matrix, 0, 0), _apply(matrix, 1, 0),
                                                     _apply(matrix, 0, 1)))
    return ImageItem(corners, document.media.get(element.get("ResourceID", "")))


_PATH_TOKEN = re.compile(r"[A-Za-z]|-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _path(element: Element, param: DrawParam) -> PathItem | None:
    data = text_of(element, "AbbreviatedData")
    if data is None:
        return None
    left, top, _, _ = _boundary(element)
    matrix = _matrix(element)

    def at(x: float, y: float) -> tuple[float, float]:
        px, py = _apply(matrix, x, y)
        return left + px, top + py

    subpaths: list[list[tuple[float, float]]] = []
    closed: list[bool] = []
    tokens = _PATH_TOKEN.findall(data)
    position, current = 0, (0.0, 0.0)
    counts = {"M": 2, "S": 2, "L": 2, "Q": 4, "B": 6, "A": 7, "C": 0}
    while position < len(tokens):
        command = tokens[position]
        position += 1
        if command not in counts:
            continue
        try:
            args = [float(t) for t in tokens[position:position + counts[command]]]
        except ValueError:
            break
        position += counts[command]
        if command in "MS":
            current = (args[0], args[1])
            subpaths.append([at(*current)])
            closed.append(False)
        elif command == "C":
            if closed:
                closed[-1] = True
        else:
            if not subpaths:
                subpaths.append([at(*current)])
                closed.append(False)
            if command == "L" or command == "A":  # an arc is drawn as its chord: invoices use none
                points = [(args[-2], args[-1])]
            elif command == "Q":
                points = _bezier([current, (args[0], args[1]), (args[2], args[3])])
            else:
                points = _bezier([current, (args[0], args[1]), (args[2], args[3]), (args[4], args[5])])
            subpaths[-1] += [at(*point) for point in points]
            current = (args[-2], args[-1])
    width = _float(element.get("LineWidth")) or param.line_width or 0.353
    stroke = None if element.get("Stroke") == "false" else (
        _colour(element.find("StrokeColor")) or param.stroke or (0, 0, 0))
    # GB/T 33190: a path's fill colour is transparent unless given (its stroke's is black).
    fill = (_colour(element.find("FillColor")) or param.fill) if element.get("Fill") == "true" else None
    return PathItem(subpaths, closed, width * (abs(matrix[0]) or 1), stroke, fill)


def _bezier(control: list[tuple[float, float]], steps: int = 12) -> list[tuple[float, float]]:
    points = []
    for step in range(1, steps + 1):
        t = step / steps
        layer = list(control)
        while len(layer) > 1:
            layer = [((1 - t) * a[0] + t * b[0], (1 - t) * a[1] + t * b[1])
                     for a, b in zip(layer, layer[1:], strict=False)]
        points.append(layer[0])
    return points


def _deltas(text: str | None) -> list[float]:
    """`g 3 1.5875 2` → [1.5875, 1.5875, 1.5875, 2]."""
    tokens, values, index = (text or "").split(), [], 0
    while index < len(tokens):
        if tokens[index] == "g" and index + 2 < len(tokens):
            values += [_float(tokens[index + 2]) or 0.0] * int(_float(tokens[index + 1]) or 0)
            index += 3
        else:
            values.append(_float(tokens[index]) or 0.0)
            index += 1
    return values


def _colour(element: Element | None) -> Colour | None:
    if element is None:
        return None
    numbers = _numbers(element.get("Value"))
    if len(numbers) >= 3:
        return tuple(max(0, min(255, int(n))) for n in numbers[:3])  # type: ignore[return-value]
    if len(numbers) == 1:  # grey
        return (int(numbers[0]),) * 3  # type: ignore[return-value]
    return None


def _numbers(text: str | None) -> list[float]:
    values = []
    for token in (text or "").split():
        try:
            values.append(float(token))
        except ValueError:
            return []
    return values


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None
