"""PP-OCR through the `rapidocr` wheel on onnxruntime, with the models the wheel ships.

rapidocr 3.10 carries PP-OCRv6 small detection and recognition and the v2 text-direction
classifier inside the package (rapidocr/models/); `model_root_dir` is set to that folder, so a
missing model is an error here, never a download. Its logger is silenced: what it would print
belongs to no user.

rapidocr finds text lines and reads each; with `return_word_box` it also places every character
(Chinese) or word (Latin, digits) of a line from the recogniser's own alignment. Those pieces
become the words tesseract would give: each Chinese character (and full-width sign) a word of its
own, with its own box, so a field's value is boxed apart from its label; a run of digits or Latin
letters one word, ended by a space or a wide gap, so `93982757` stays one number and two fields
printed side by side stay apart.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import numpy as np
from PIL import Image

from archive.ocr.engines.base import OcrEngineError

# rapidocr reads a page shrunk to MAX_SIDE pixels at most (its Global.max_side_len); an image whose
# short side is then under MIN_SIDE holds no line of text, and its resizing fails on it.
MAX_SIDE = 2000
MIN_SIDE = 16
VERTICAL = 1.5  # a line box this many times taller than wide is text running down a sideways page
WIDE_GAP = 0.6  # as archive.ocr.pages.WIDE_GAP: a gap this many line heights apart ends a word
_SPACE = re.compile(r"\s")
_WIDE_CHARACTER = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # as archive.ocr.pages._CJK


def model_dir() -> Path:
    """The models inside the installed package."""
    import rapidocr

    return Path(rapidocr.__file__).resolve().parent / "models"


class RapidOcrEngine:
    name = "rapidocr"
    binarise = False  # PP-OCR is trained on grey and colour pages; a hard threshold loses strokes
    # Its confidences run higher than tesseract's: an upright scan reads at 90–95, the same page
    # upside down at ~60 (the recogniser's garbage is confident), so a page is checked below 80.
    retry_below = 80.0

    def __init__(self) -> None:
        self._ocr = None
        self._lock = threading.Lock()  # the models load once; onnxruntime sessions are thread-safe

    def _engine(self):
        if self._ocr is None:
            with self._lock:
                if self._ocr is None:
                    self._ocr = _load()
        return self._ocr

    def read(self, image: Image.Image, *, dpi: int, psm: int | None = None) -> list:
        """(`dpi` and tesseract's `psm` mean nothing to PP-OCR, which finds its own lines.)"""
        from archive.ocr.pages import Word

        if min(image.size) * min(1.0, MAX_SIDE / max(image.size)) < MIN_SIDE:
            return []  # no line of text fits (tesseract, too, reads nothing there)
        grey = np.asarray(image.convert("L"))
        result, offset = self._detect(_rgb(image)), (0, 0)
        if not _found(result):
            # The detector misses a lone short line on an otherwise blank page (measured: one
            # 12 pt line on an A4 page at 300 dpi); the ink's own box, read alone, is found.
            box = _ink_box(grey)
            if box is None:
                return []
            result, offset = self._detect(_rgb(image.crop(box))), box[:2]
            if not _found(result):
                return []
        words = []
        found = list(zip(result.boxes, result.txts, result.scores, result.word_results, strict=False))
        if offset != (0, 0):  # read from the ink's box: back onto the page
            found = [(np.asarray(box) + offset, text, score,
                      [(t, c, None if w is None else np.asarray(w) + offset) for t, c, w in pieces])
                     for box, text, score, pieces in found]
        for line, members in enumerate(_rows([np.asarray(box) for box, *_ in found])):
            for index in members:
                box, text, score, pieces = found[index]
                for piece, *place, confidence in _words(text, float(score), box, pieces):
                    words.append(Word(piece, *_ink(grey, *place), confidence, line=line))
        return words

    def _detect(self, array: np.ndarray):
        try:
            return self._engine()(array)
        except Exception as exc:  # noqa: BLE001 - onnxruntime and opencv raise their own kinds
            reason = str(exc).strip()
            raise OcrEngineError(f"the image could not be read ({type(exc).__name__}"
                                 f"{': ' + reason if reason else ''})") from exc

    def refine(self, rows: list[list], prepared) -> list[list]:
        return rows  # the second readings are tesseract's: PP-OCR reads each line alone already

    def turns(self, image: Image.Image) -> list[int]:
        """The page's turn from its lines: sideways if most run down the page, and which way up
        by the direction classifier's vote on the lines (each cut out upright, as the recogniser
        would read it: a line running down is turned a quarter counter-clockwise first)."""
        ocr = self._engine()
        try:
            prepared, record = ocr.preprocess_img(_rgb(image))
            crops, found = ocr.detect_and_crop(prepared, record)
            _, classes = ocr.cls_and_rotate(crops)
        except Exception:  # noqa: BLE001 - no text found, or none the classifier can take
            return []
        boxes = [np.asarray(box) for box in found.boxes]
        votes = [label for label, _ in classes.cls_res or ()]
        if not boxes or len(votes) != len(boxes):
            return []
        vertical = sum(1 for box in boxes if np.ptp(box[:, 1]) > VERTICAL * np.ptp(box[:, 0]))
        flipped = sum(1 for label in votes if label == "180") > len(votes) / 2
        if vertical > len(boxes) / 2:  # the vote on lines cut out sideways is less sure: try both
            return [90, 270] if flipped else [270, 90]
        return [180] if flipped else []


def _load():
    from rapidocr import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.CRITICAL)
    directory = model_dir()
    # Every option fixed here: a call with options sets them on the shared object (not thread-safe).
    # No direction classifier on each line: a page is turned as a whole (`turns`), and the lines of
    # an upright page are upright.
    ocr = RapidOCR(params={"Global.log_level": "critical", "Global.model_root_dir": str(directory),
                           "Global.use_cls": False, "Global.return_word_box": True})
    place_words = ocr.cal_rec_boxes

    def cal_rec_boxes(images, boxes, recognised, single_characters):
        for text, info in zip(recognised.txts or (), recognised.word_results or (), strict=False):
            info.confs = piece_confidences(text, info.words, info.word_types, info.confs)
        return place_words(images, boxes, recognised, single_characters)

    ocr.cal_rec_boxes = cal_rec_boxes
    return ocr


def piece_confidences(text: str, words: list[list[str]], types: list,
                      confidences: list[float]) -> list[float]:
    """One confidence for each piece rapidocr places, in order. Its recogniser gives one per
    decoded character, spaces included, and rapidocr pairs them with the pieces one for one:
    a line of digits alone is placed as whole words, so `4202.73` got the confidence of its first
    character and a misread last digit passed as sure; after a space every piece got its
    neighbour's. Here a piece gets its own characters' lowest."""
    characters = [confidence for character, confidence in zip(text, confidences, strict=False)
                  if not character.isspace()]
    if len(text) != len(confidences) or len(characters) != sum(len(word) for word in words):
        return [min(confidences, default=0.0)] * len(text)  # cannot align: the line's lowest for all
    whole_words = all(getattr(kind, "name", kind) == "EN_NUM" for kind in types)
    if not whole_words:
        return characters
    pieces, position = [], 0
    for word in words:
        pieces.append(min(characters[position:position + len(word)]))
        position += len(word)
    return pieces


def _rows(boxes: list[np.ndarray]) -> list[list[int]]:
    """The detected text boxes grouped into printed rows, top to bottom, each left to right.

    PP-OCR's detector cuts a row at every wide gap (a label and its value, two fields side by
    side); tesseract keeps such a row as one line, and the field readers expect that: a box
    whose middle is within half a line height of a row's is part of that row."""
    rows: list[tuple[float, float, list[int]]] = []  # middle, height, members
    order = sorted(range(len(boxes)), key=lambda n: boxes[n][:, 1].mean())
    for n in order:
        middle, height = float(boxes[n][:, 1].mean()), float(np.ptp(boxes[n][:, 1])) or 1.0
        if height > VERTICAL * np.ptp(boxes[n][:, 0]):  # running down a sideways page: alone
            rows.append((middle, height, [n]))
            continue
        for row_middle, row_height, members in rows:
            if abs(middle - row_middle) < 0.5 * min(height, row_height):
                members.append(n)
                break
        else:
            rows.append((middle, height, [n]))
    rows.sort(key=lambda row: row[0])
    return [sorted(members, key=lambda n: boxes[n][:, 0].min()) for _, _, members in rows]


MIN_CONTRAST = 40  # grey levels between ink and paper for a box to be fitted to its ink


def _ink(grey: np.ndarray, left: int, top: int, width: int, height: int) -> tuple[int, int, int, int]:
    """The box shrunk to the ink inside it. The detector's boxes are the text's outline grown by
    half again (its unclip ratio), so a value's box would reach well above and below the print;
    tesseract's boxes fit the ink, and the viewer's outlines and the field boxes expect that."""
    crop = grey[max(0, top):top + height, max(0, left):left + width]
    if crop.size == 0 or int(crop.max()) - int(crop.min()) < MIN_CONTRAST:
        return left, top, width, height
    ink = crop < (int(crop.max()) + int(crop.min())) / 2
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    x0, y0 = max(0, left) + int(columns[0]), max(0, top) + int(rows[0])
    return x0, y0, int(columns[-1]) - int(columns[0]) + 1, int(rows[-1]) - int(rows[0]) + 1


def _found(result) -> bool:
    return bool(result) and getattr(result, "txts", None) is not None


def _ink_box(grey: np.ndarray, margin: int = 32) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) around the dark pixels, with a margin; None for a blank page or
    one whose ink fills most of it (nothing to gain)."""
    ink = grey < 128
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not len(rows):
        return None
    box = (max(0, int(columns[0]) - margin), max(0, int(rows[0]) - margin),
           min(grey.shape[1], int(columns[-1]) + margin + 1), min(grey.shape[0], int(rows[-1]) + margin + 1))
    if (box[2] - box[0]) * (box[3] - box[1]) > 0.5 * grey.size:
        return None
    return box


def _rgb(image: Image.Image) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(image.convert("RGB")))


def _words(text: str, score: float, box, pieces) -> list[tuple[str, int, int, int, int, float]]:
    """A line's words as (text, left, top, width, height, confidence 0–100)."""
    located = [(piece, float(conf), np.asarray(corners)) for piece, conf, corners in pieces or ()
               if corners is not None and piece.strip()]
    box = np.asarray(box)
    if (not located or "".join(p for p, _, _ in located) != _SPACE.sub("", text)
            or np.ptp(box[:, 1]) > VERTICAL * np.ptp(box[:, 0])):
        # No alignment, or a line running down a sideways page (whose character boxes rapidocr
        # places as if across): the line's box shared out, so the line keeps its true shape and
        # the page is seen to lie sideways (archive.ocr.pages turns it and reads it again).
        located = _proportional(text, score, box)
    # Where each piece begins in the line's text, to know which pieces a space separates.
    spaced, position = [], 0
    for piece, _, _ in located:
        start = text.find(piece, position)
        spaced.append(start > position and bool(_SPACE.search(text[position:start])))
        position = start + len(piece)
    height = float(np.median([np.ptp(c[:, 1]) for _, _, c in located])) or 1.0
    words: list[tuple[str, list[float], list[float]]] = []  # text, confidences, [l, t, r, b]
    previous_right = None
    for (piece, conf, corners), space in zip(located, spaced, strict=True):
        left, top = float(corners[:, 0].min()), float(corners[:, 1].min())
        right, bottom = float(corners[:, 0].max()), float(corners[:, 1].max())
        if (words and not space and left - previous_right <= WIDE_GAP * height
                and not _WIDE_CHARACTER.match(piece[0]) and not _WIDE_CHARACTER.match(words[-1][0][-1])):
            word = words[-1]
            word[1].append(conf)
            word[2][:] = [min(word[2][0], left), min(word[2][1], top), max(word[2][2], right),
                          max(word[2][3], bottom)]
            words[-1] = (word[0] + piece, word[1], word[2])
        else:
            words.append((piece, [conf], [left, top, right, bottom]))
        previous_right = right
    return [(word, round(x0), round(y0), max(1, round(x1 - x0)), max(1, round(y1 - y0)),
             round(100 * min(confs), 1)) for word, confs, (x0, y0, x1, y1) in words]


def _proportional(text: str, score: float, box: np.ndarray) -> list[tuple[str, float, np.ndarray]]:
    """The line's characters side by side in its box, each as wide as its share of the text."""
    characters = [c for c in text if not c.isspace()]
    left, top = float(box[:, 0].min()), float(box[:, 1].min())
    right, bottom = float(box[:, 0].max()), float(box[:, 1].max())
    weights = [2 if ord(c) > 0x2000 else 1 for c in characters]  # a Chinese character is two wide
    step = (right - left) / max(1, sum(weights))
    pieces, x = [], left
    for character, weight in zip(characters, weights, strict=True):
        corners = np.array([[x, top], [x + weight * step, top], [x + weight * step, bottom], [x, bottom]])
        pieces.append((character, score, corners))
        x += weight * step
    return pieces
