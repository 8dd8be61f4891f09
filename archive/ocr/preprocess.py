"""Making a scanned page easy for tesseract: upright, flat, black on white, at a known resolution.

Each step is here because it pays on office scans of claim forms (measured with
benchmarks/extraction_accuracy.py on the tuning seed):

- red seals (印章) are stamped across names and amounts: the red channel drops red ink and keeps
  black print, so a colour page is read from its red channel; but a paper bill's form is printed
  in red or blue ink, and its labels must stay: where a page has thin coloured print outside its
  seals, it is read from its darkest channel there (archive.ocr.seals);
- uneven lighting and grey paper: the page is divided by its background (a wide closing), so
  one global threshold fits the whole page;
- sensor noise and JPEG artefacts: a small median filter before binarisation, else tesseract's
  own threshold turns noise into specks that break its page layout analysis;
- skew: a projection-profile search (the angle at which text rows are sharpest), then rotation;
- resolution: pages far from ~300 dpi are scaled there; within 200-400 dpi they are left as
  they are (enlarging costs tesseract time and gains nothing measurable), and tesseract is told
  the real resolution.
Upside-down and sideways pages are rare and costly to detect (tesseract OSD), so orientation is
only checked when a first reading comes back poor (`archive.ocr.pages.ocr_page`).

Phone photos first go through `archive.ocr.photo.straighten` (page found, warped upright, light
evened out); a scan, or a photo whose page fills the frame, passes through it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

from archive.ocr import photo, seals

TARGET_DPI = 300
KEEP_DPI = (200, 400)  # resolutions read as they are
PLAUSIBLE_DPI = (50, 1200)
MAX_OCR_PIXELS = 40_000_000  # about A3 at 400 dpi
MAX_SKEW = 5.0  # degrees searched either way; office scanners stay well within this
MIN_SKEW = 0.15  # below this a rotation costs more (resampling) than it gains
# A photo without a findable page is read whole; if that reading has fewer confident words than
# this, the page is reported unreadable with the reason instead of passing as a blank page.
MIN_CONFIDENT_WORDS, CONFIDENT = 3, 60.0
NO_PAGE = ("no page found in the photo and nothing readable in it: photograph the whole sheet, "
           "flat, on a darker plain surface")


@dataclass
class Prepared:
    image: Image.Image  # 8-bit, black text on white
    dpi: int  # resolution of `image`, passed to tesseract
    scale: float  # `image` pixels per original pixel (for mapping word boxes back)
    skew: float  # degrees the page was turned back (counter-clockwise positive)
    grey: Image.Image | None = None  # `image` before binarisation (when it was binarised)
    page: photo.PageFound | None = None  # where the page was found in a photo (then warped)
    pageless_photo: bool = False  # a photo in which no page was found: read whole
    factor: float = 1.0  # the scaling to `dpi`, before the deskew
    # A pre-printed form's coloured print (labels, rules) outside its seals, in `image`'s pixels
    # (255 where it is); None for a page that is not such a form (archive.ocr.seals).
    form_ink: np.ndarray | None = None
    # Such a form's page in its two inks, each as `image` is (archive.ocr.seals.Inks): its print
    # alone and the printer's fill alone, read apart (archive.ocr.pages); None for other pages.
    inks: tuple[Image.Image, Image.Image] | None = None

    def to_shown(self, width: int, height: int) -> tuple[tuple[float, ...], ...] | None:
        """The 3×3 projective matrix taking a box as read (fractions of the page, in the geometry
        read: upright, deskewed; see archive.ocr.pages) to fractions of the image as stored (a
        photo as taken, a scan as scanned), which is what the viewer shows; None when the two
        are the same (no page warped, no skew turned)."""
        if self.page is None and not self.skew:
            return None
        as_read = np.diag([width * self.scale, height * self.scale, 1.0])  # fractions -> prepared pixels
        centre = (self.image.width / 2, self.image.height / 2)
        turn = np.vstack([cv2.getRotationMatrix2D(centre, self.skew, 1.0), [0.0, 0.0, 1.0]])
        unscaled = np.diag([1 / self.factor, 1 / self.factor, 1.0])  # -> the upright page (or the scan)
        photo_back = np.array(self.page.to_photo) if self.page and self.page.to_photo else np.eye(3)
        matrix = np.diag([1 / width, 1 / height, 1.0]) @ photo_back @ unscaled @ np.linalg.inv(turn) @ as_read
        return tuple(tuple(float(v) for v in row) for row in matrix)

    def why_unreadable(self, words: list) -> str | None:
        """The reason to report for a page read from this image, if it has one (a photo with no
        page in it and no confident words); None for a scan, however blank."""
        confident = sum(1 for word in words if word.confidence >= CONFIDENT)
        return NO_PAGE if self.pageless_photo and confident < MIN_CONFIDENT_WORDS else None


def page_resolution(image: Image.Image) -> float:
    """The resolution the file records, or one judged from its size when that is missing or absurd."""
    dpi = image.info.get("dpi")
    try:
        resolution = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        resolution = 0.0
    if PLAUSIBLE_DPI[0] <= resolution <= PLAUSIBLE_DPI[1]:
        return resolution
    # Missing, or nonsense such as the 1 dpi some scanners write: assume an A4 page scanned edge to
    # edge; a small image is a snippet, not a page, and is not blown up more than threefold.
    return max(100.0, max(image.width, image.height) / 11.69)


def prepare(image: Image.Image, *, deskew: bool = True, binarise: bool = True,
            photo_pages: bool = True) -> Prepared:
    """`image` ready for OCR; with `photo_pages` False a photo is taken as a scan (no page finding)."""
    image = ImageOps.exif_transpose(image)
    original_width = image.width
    image, found = photo.straighten(image) if photo_pages else (image, None)
    pageless = photo_pages and found is None and photo.is_pageless_photo(image)
    resolution = page_resolution(image)
    grey, inks = _grey_and_inks(image, resolution)
    form_ink = inks.print_ink if inks is not None else None
    apart = [inks.form, inks.fill] if inks is not None else []
    factor = 1.0
    # A photographed page's strokes are soft (focus, JPEG, the warp's resampling): brought to
    # 300 dpi it reads better than kept at its 200-260 (tuning seed: 82 % of fields -> 86 %).
    if found is not None or not KEEP_DPI[0] <= resolution <= KEEP_DPI[1]:
        factor = TARGET_DPI / resolution
    # Never enlarge past MAX_OCR_PIXELS, whatever the file claims: that way lies a memory bomb.
    factor = min(factor, (MAX_OCR_PIXELS / (grey.shape[0] * grey.shape[1])) ** 0.5)
    if abs(factor - 1) > 0.05:
        size = (max(1, round(grey.shape[1] * factor)), max(1, round(grey.shape[0] * factor)))
        grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC)
        if form_ink is not None:
            form_ink = cv2.resize(form_ink, size, interpolation=cv2.INTER_NEAREST)
        apart = [cv2.resize(ink, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC)
                 for ink in apart]
    else:
        factor = 1.0
    dpi = round(resolution * factor)
    skew = _skew_angle(grey) if deskew else 0.0
    if abs(skew) >= MIN_SKEW:
        grey = _rotate(grey, skew, fill=int(np.median(grey[:, :8])))
        if form_ink is not None:
            form_ink = _rotate(form_ink, skew, fill=0)
        apart = [_rotate(ink, skew, fill=int(np.median(ink[:, :8]))) for ink in apart]
    else:
        skew = 0.0
    # A warped photo page is mapped back to the photo by the ratio of widths: word boxes land on
    # the page as found, one linear scale per axis, which keeps their geometry among themselves.
    scale = factor * image.width / original_width
    if binarise:
        apart = [_binarise(ink, dpi) for ink in apart]
    extra = {"page": found, "pageless_photo": pageless, "factor": factor, "form_ink": form_ink,
             "inks": (Image.fromarray(apart[0]), Image.fromarray(apart[1])) if apart else None}
    if not binarise:
        return Prepared(Image.fromarray(grey), dpi, scale, skew, **extra)
    return Prepared(Image.fromarray(_binarise(grey, dpi)), dpi, scale, skew, grey=Image.fromarray(grey),
                    **extra)


def _grey_without_red(image: Image.Image, dpi: float = TARGET_DPI) -> np.ndarray:
    return _grey_and_inks(image, dpi)[0]


def _grey_and_inks(image: Image.Image, dpi: float = TARGET_DPI) -> tuple[np.ndarray, seals.Inks | None]:
    """Grey levels of a page; for a colour page the red channel, in which red ink disappears —
    but on a pre-printed form in coloured ink only within its seals (`archive.ocr.seals`), whose
    inks are also given apart (else None)."""
    if image.mode in ("RGB", "RGBA", "P", "CMYK", "YCbCr", "LAB", "HSV"):
        rgb = np.asarray(image.convert("RGB")).astype(np.int16)
        # Red ink is light in the red channel but not paper-white (R ~220 against paper's ~240),
        # and PP-OCR, which reads the grey page, still read a seal's 专用章 there. A pixel is
        # lifted by how much redder than green and blue it is: a seal goes white, black print
        # (as red as it is green) stays, and print under a seal stays dark.
        redness = np.maximum(rgb[:, :, 0] - np.maximum(rgb[:, :, 1], rgb[:, :, 2]), 0)
        grey = np.clip(rgb[:, :, 0] + redness, 0, 255).astype(np.uint8)
        inks = seals.separate_inks(rgb, redness, grey, dpi)
        return np.ascontiguousarray(grey if inks is None else inks.page), inks
    if image.mode in ("1", "L"):
        return np.asarray(image.convert("L")), None
    # 16-bit or float greys (some TIFFs): scale into 8 bits.
    return np.asarray(ImageOps.autocontrast(image.convert("I").point(lambda v: v / 256).convert("L"))), None


def _binarise(grey: np.ndarray, dpi: int) -> np.ndarray:
    """Flatten the background, remove speckle, one Otsu threshold: black text on white."""
    # The background is what is left after closing away strokes thinner than ~1.5 mm; computed at
    # quarter size because it is smooth anyway.
    small = cv2.resize(grey, (max(1, grey.shape[1] // 4), max(1, grey.shape[0] // 4)),
                       interpolation=cv2.INTER_AREA)
    reach = max(3, round(dpi / 4 * 1.5 / 25.4) * 2 + 1)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, (reach, reach)))
    background = cv2.resize(cv2.blur(background, (reach, reach)), (grey.shape[1], grey.shape[0]),
                            interpolation=cv2.INTER_LINEAR)
    flat = cv2.divide(grey, np.maximum(background, 1), scale=255)
    flat = cv2.medianBlur(flat, 3)
    _, binary = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return binary


def _skew_angle(page: np.ndarray) -> float:
    """The small rotation at which the rows of text line up best (sharpest row profile)."""
    width = 800
    scale = width / page.shape[1]
    if scale >= 1:
        return 0.0
    small = cv2.resize(page, (width, max(1, round(page.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    _, mask = cv2.threshold(small, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = mask.astype(np.float32)
    if ink.sum() < 50:
        return 0.0  # a blank page has no skew to find

    def sharpness(angle: float) -> float:
        rotated = _rotate(ink, angle, fill=0.0)
        rows = rotated.sum(axis=1)
        return float(np.square(np.diff(rows)).sum())

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5), key=sharpness)
    best = max(np.arange(best - 0.5, best + 0.51, 0.1), key=sharpness)
    return round(float(best), 2)


def _rotate(page: np.ndarray, angle: float, *, fill: float = 255) -> np.ndarray:
    height, width = page.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(page, matrix, (width, height), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
