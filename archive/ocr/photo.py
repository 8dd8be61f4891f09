"""Phone photos of a page: find the sheet, warp it upright, even out the light.

A photo differs from a flat scan in ways that defeat the scan preprocessing: the sheet lies on a
table (a dark or textured border that Otsu takes for ink), it is seen at an angle (text lines
converge, so no single deskew angle fits), and the light falls off or a hand's shadow crosses it,
often with a colour cast (under warm light the red seal is no longer the only red thing).

- Page finding: at ~1,000 px, two candidate outlines — the bright low-saturation region (paper
  against a table) and the largest closed edge contour — each reduced to a convex quadrilateral.
  A candidate counts only if its sides are real edges: along each side not lying on the image
  border, the paper inside is clearly brighter than what is outside. A lighting gradient on a scan
  has no such step, so scans are left alone; so is an image whose page fills the frame.
- Warp: the four corners go to an upright rectangle at the resolution the photo gives the page;
  a ratio near A4 is taken as A4 (perspective shortens one side, and the sheet is A4 far more
  often than anything close to it).
- Light: every colour channel divided by its own background (a wide closing, so strokes and
  seals are not part of it): shading, shadows and colour casts go, and the red seal is again
  paper-bright in the red channel.

`straighten(image)` returns the image to read and what was found; `archive.ocr.preprocess.prepare`
calls it before everything else.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

DETECT_SIDE = 1000  # long side of the copy the page is looked for in
MAX_PHOTO_SIDE = 4200  # a photo is warped from at most this long a side (A4 at 300 dpi is 3,508 px)
MIN_PAGE_AREA = 0.2  # a candidate smaller than this share of the photo is not the page
FILLS_FRAME = 0.92  # a page covering more than this share of the image needs no warp (a scan)
MIN_EDGE_STEP = 18.0  # grey levels paper must be brighter than what lies beyond each side
BORDER = 0.015  # a side this close to the image border (share of its size) is the frame, not an edge
A4_RATIO = 2 ** 0.5
SNAP_TO_A4 = 0.12  # a measured long/short ratio within this of A4's is taken as A4
A4_LONG_INCHES = 11.69
TRIM = 0.03  # at most this share of each side is trimmed as table let in by the corners
LIGHT_REACH_MM = 3.0  # strokes and seal rings thinner than this are not background


@dataclass(frozen=True)
class PageFound:
    """Where the page was found: corners (top-left, top-right, bottom-right, bottom-left) in the
    photo's pixels, and the size of the upright page it was warped to."""

    corners: tuple[tuple[float, float], ...]
    size: tuple[int, int]
    dpi: int
    # The upright page's pixels back to the photo's (3×3 projective matrix, row-major): the
    # viewer shows the photo as it was taken, and a field's box is drawn there.
    to_photo: tuple[tuple[float, ...], ...] | None = None


def straighten(image: Image.Image) -> tuple[Image.Image, PageFound | None]:
    """The page of a photo warped upright with its light evened out; any other image (a scan, a
    photo whose page fills the frame or cannot be found) unchanged, with None."""
    if image.mode not in ("RGB", "RGBA", "L", "P"):
        return image, None
    original = image
    if image.mode == "P":
        image = image.convert("RGB")  # a palette cannot be box-reduced
    # Looked for on a box-reduced copy: a scan (most pages) costs a few milliseconds, not a
    # full-size colour conversion.
    step = max(1, max(image.size) // DETECT_SIDE)
    small = (image.reduce(step) if step > 1 else image).convert("RGB")
    corners = _locate(np.asarray(small))
    if corners is None:
        return original, None
    corners = corners * np.array([image.width / small.width, image.height / small.height], dtype=np.float32)
    at, reduced = corners, 1.0
    if max(image.size) > MAX_PHOTO_SIDE:
        # A 50-megapixel phone photo holds more than the 300 dpi page needs: warped at full size
        # it would take a gigabyte of arrays. Reduced first, it is the page at ~300 dpi.
        factor = MAX_PHOTO_SIDE / max(image.size)
        image = image.resize((round(image.width * factor), round(image.height * factor)),
                             Image.Resampling.BOX, reducing_gap=2.0)
        at, reduced = corners * factor, factor
    page, size, back = _warp(np.asarray(image.convert("RGB")), at)
    back = np.diag([1 / reduced, 1 / reduced, 1.0]) @ back
    dpi = round(max(size) / A4_LONG_INCHES)
    result = Image.fromarray(flatten_light(page, dpi))
    result.info["dpi"] = (dpi, dpi)
    return result, PageFound(tuple((float(x), float(y)) for x, y in corners), size, dpi,
                             tuple(tuple(float(v) for v in row) for row in back))


def find_page(rgb: np.ndarray) -> np.ndarray | None:
    """The page's four corners (float32, tl/tr/br/bl, photo pixels), or None: no page standing
    out from a background, or one that already fills the frame."""
    height, width = rgb.shape[:2]
    factor = min(1.0, DETECT_SIDE / max(height, width))
    small = cv2.resize(rgb, (max(1, round(width * factor)), max(1, round(height * factor))),
                       interpolation=cv2.INTER_AREA) if factor < 1 else rgb
    corners = _locate(small)
    return None if corners is None else corners * np.array(
        [width / small.shape[1], height / small.shape[0]], dtype=np.float32)


def _locate(small: np.ndarray) -> np.ndarray | None:
    """`find_page` on a copy about DETECT_SIDE pixels long, in its own pixels."""
    grey = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (5, 5), 0)
    best, best_area = None, 0.0
    for quad in _candidates(small, grey):
        area = cv2.contourArea(quad) / (grey.shape[0] * grey.shape[1])
        if area < MIN_PAGE_AREA or area <= best_area or not _edges_are_real(grey, quad):
            continue
        best, best_area = quad, area
    if best is None or best_area > FILLS_FRAME:
        return None
    return _ordered(best)


def _candidates(small: np.ndarray, grey: np.ndarray) -> list[np.ndarray]:
    """Quadrilaterals that may be the page: from paper-like pixels, and from edges."""
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    # Paper: bright for its surroundings and nearly grey. Otsu on value minus saturation separates
    # it from wood, cloth and dark desks even where a shadow dims part of the sheet.
    paperness = cv2.subtract(hsv[:, :, 2], hsv[:, :, 1])
    _, paper = cv2.threshold(cv2.GaussianBlur(paperness, (7, 7), 0), 0, 255,
                             cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9))
    paper = cv2.morphologyEx(cv2.morphologyEx(paper, cv2.MORPH_CLOSE, kernel), cv2.MORPH_OPEN, kernel)
    edges = cv2.dilate(cv2.Canny(grey, 40, 120), cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    quads = []
    for mask in (paper, edges):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
            quad = _quadrilateral(contour)
            if quad is not None:
                quads.append(quad)
    return quads


def _quadrilateral(contour: np.ndarray) -> np.ndarray | None:
    """The contour's convex hull simplified to four corners, if it is close to a quadrilateral."""
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for share in (0.01, 0.02, 0.03, 0.05):
        approx = cv2.approxPolyDP(hull, share * perimeter, True)
        if len(approx) == 4:
            quad = approx.reshape(4, 2).astype(np.float32)
            # The outline must be the quadrilateral, not a blob it happens to simplify to.
            if cv2.contourArea(quad) and cv2.contourArea(contour) / cv2.contourArea(quad) > 0.85:
                return quad
            return None
        if len(approx) < 4:
            return None
    return None


def _edges_are_real(grey: np.ndarray, quad: np.ndarray) -> bool:
    """Every side of `quad` away from the image border has paper inside clearly brighter than
    outside (a real sheet edge, not a change of lighting or a ruled line on a scan)."""
    height, width = grey.shape
    ordered = _ordered(quad)
    centre = ordered.mean(axis=0)
    reach = max(3.0, 0.012 * max(height, width))
    margin = BORDER * max(height, width)
    steps = []
    for start, end in zip(ordered, np.roll(ordered, -1, axis=0), strict=True):
        if _on_border(start, end, width, height, margin):
            continue
        along = np.linspace(0.1, 0.9, 24)[:, None]
        points = start + (end - start) * along
        normal = np.array([-(end - start)[1], (end - start)[0]], dtype=np.float32)
        normal /= max(1e-6, float(np.hypot(*normal)))
        if np.dot(centre - (start + end) / 2, normal) < 0:
            normal = -normal  # pointing into the page
        inside = _sample(grey, points + normal * reach)
        outside = _sample(grey, points - normal * reach)
        steps.append(float(np.median(inside - outside)))
    return bool(steps) and min(steps) >= MIN_EDGE_STEP


def _on_border(start: np.ndarray, end: np.ndarray, width: int, height: int, margin: float) -> bool:
    xs, ys = (start[0], end[0]), (start[1], end[1])
    return (max(xs) < margin or min(xs) > width - 1 - margin
            or max(ys) < margin or min(ys) > height - 1 - margin)


def _sample(grey: np.ndarray, points: np.ndarray) -> np.ndarray:
    xs = np.clip(np.round(points[:, 0]).astype(int), 0, grey.shape[1] - 1)
    ys = np.clip(np.round(points[:, 1]).astype(int), 0, grey.shape[0] - 1)
    return grey[ys, xs].astype(np.float32)


def _ordered(quad: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    quad = np.asarray(quad, dtype=np.float32).reshape(4, 2)
    total, diff = quad.sum(axis=1), np.diff(quad, axis=1).ravel()
    return np.array([quad[np.argmin(total)], quad[np.argmin(diff)], quad[np.argmax(total)],
                     quad[np.argmax(diff)]], dtype=np.float32)


def warp(rgb: np.ndarray, corners: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """The quadrilateral `corners` (tl, tr, br, bl) of `rgb` as an upright rectangle, at the
    resolution of the page's longer sides in the photo, trimmed of any table at its edges;
    returns it and its (width, height)."""
    page, size, _ = _warp(rgb, corners)
    return page, size


def _warp(rgb: np.ndarray, corners: np.ndarray) -> tuple[np.ndarray, tuple[int, int], np.ndarray]:
    """`warp`, and the matrix taking the upright page's pixels back to `rgb`'s."""
    tl, tr, br, bl = corners
    width = max(np.hypot(*(tr - tl)), np.hypot(*(br - bl)))
    height = max(np.hypot(*(bl - tl)), np.hypot(*(br - tr)))
    long_side, short_side = max(width, height), min(width, height)
    if abs(long_side / max(short_side, 1.0) - A4_RATIO) < SNAP_TO_A4:
        short_side = long_side / A4_RATIO
        width, height = (short_side, long_side) if height >= width else (long_side, short_side)
    size = (max(1, round(width)), max(1, round(height)))
    target = np.array([[0, 0], [size[0] - 1, 0], [size[0] - 1, size[1] - 1], [0, size[1] - 1]],
                      dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    page = cv2.warpPerspective(rgb, matrix, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    top, bottom, left, right = _border(page)
    page = np.ascontiguousarray(page[top:page.shape[0] - bottom, left:page.shape[1] - right])
    back = np.linalg.inv(matrix) @ np.array([[1.0, 0, left], [0, 1.0, top], [0, 0, 1.0]])
    return page, (page.shape[1], page.shape[0]), back


def _border(page: np.ndarray) -> tuple[int, int, int, int]:
    """The rows and columns (top, bottom, left, right) of table the corners, found on a blurred
    small copy, let in at the page's edges: much darker than the paper (at most TRIM of each side)."""
    grey = cv2.cvtColor(page, cv2.COLOR_RGB2GRAY)
    height, width = grey.shape
    paper = float(np.median(grey[height // 4: 3 * height // 4, width // 4: 3 * width // 4]))
    dark = paper * 0.8

    def depth(lines: np.ndarray) -> int:
        limit = max(1, round(TRIM * lines.shape[0]))
        medians = np.median(lines[:limit], axis=1)
        light = np.nonzero(medians >= dark)[0]
        return int(light[0]) if light.size else limit

    top, bottom = depth(grey), depth(grey[::-1])
    left, right = depth(grey.T), depth(grey.T[::-1])
    return top, bottom, left, right


def flatten_light(rgb: np.ndarray, dpi: int) -> np.ndarray:
    """Each channel divided by its background: paper white everywhere, shadows and colour casts
    gone, ink kept at its contrast."""
    height, width = rgb.shape[:2]
    small = cv2.resize(rgb, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA)
    reach = max(3, round(dpi / 4 * LIGHT_REACH_MM / 25.4) * 2 + 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach))
    background = cv2.blur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), (reach, reach))
    background = cv2.resize(background, (width, height), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(rgb, np.maximum(background, 1), scale=255)


PAPER_SHARE = 0.5  # an image less than this share paper-like is a photo of something else
BLANK_SPREAD = 4.0  # brightness standard deviation below which an image is one even tone


def is_pageless_photo(image: Image.Image) -> bool:
    """Whether `image` is mostly not paper (a table, a room, a face): in a photo in which no page
    was found, that means there may be no page in it at all."""
    if image.mode not in ("RGB", "RGBA", "L", "P"):
        return False
    factor = min(1.0, 400 / max(image.width, image.height))
    small = image.resize((max(1, round(image.width * factor)), max(1, round(image.height * factor))),
                         Image.Resampling.BILINEAR, reducing_gap=2.0).convert("RGB")
    hsv = cv2.cvtColor(np.asarray(small), cv2.COLOR_RGB2HSV)
    if float(hsv[:, :, 2].std()) < BLANK_SPREAD:
        return False  # one even tone (a black or grey frame): a blank page, not a photo of a room
    paper = (hsv[:, :, 1] < 50) & (hsv[:, :, 2] > 140)
    return float(paper.mean()) < PAPER_SHARE
