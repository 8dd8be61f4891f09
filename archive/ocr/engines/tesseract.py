"""Tesseract through pytesseract: chi_sim, automatic page layout, OSD for orientation."""

from __future__ import annotations

import pytesseract
from PIL import Image

from archive.ocr.engines.base import OcrEngineError
from archive.ocr.preprocess import Prepared
from archive.ocr.second_reading import read_rows_again

# chi_sim alone, not chi_sim+eng: its character set has digits and Latin letters, and with eng added
# tesseract reads whole Chinese fields as Latin nonsense (`BARR ARB`) at twice the time (measured
# on the tuning seed: 82 % of fields exact vs 75 %, 1.6 s vs 4.2 s a page).
LANGUAGES = "chi_sim"
PAGE_SEGMENTATION = 3  # tesseract --psm: automatic layout (forms put fields side by side)
ORIENTATION_MIN_CONFIDENCE = 2.0  # tesseract OSD's own scale; below this it is guessing


class TesseractEngine:
    name = "tesseract"
    binarise = True  # tesseract's own threshold turns noise and grey paper into specks
    retry_below = 50.0  # a first reading this poor is worth an orientation check

    def __init__(self, psm: int = PAGE_SEGMENTATION) -> None:
        self.psm = psm

    def read(self, image: Image.Image, *, dpi: int, psm: int | None = None) -> list:
        from archive.ocr.pages import Word

        try:
            data = pytesseract.image_to_data(image, lang=LANGUAGES,
                                             config=f"--psm {psm or self.psm} --dpi {dpi}",
                                             output_type=pytesseract.Output.DICT)
        except pytesseract.TesseractError as exc:
            raise OcrEngineError(str(exc).strip()) from exc
        lines: dict[tuple[int, int, int], int] = {}
        words = []
        for i, raw in enumerate(data["text"]):
            confidence = float(data["conf"][i])
            text = raw.strip()
            if confidence < 0 or not text:
                continue
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            words.append(Word(text, data["left"][i], data["top"][i], data["width"][i], data["height"][i],
                              confidence, line=lines.setdefault(key, len(lines))))
        return words

    def refine(self, rows: list[list], prepared: Prepared) -> list[list]:
        return read_rows_again(rows, prepared)

    def turns(self, image: Image.Image) -> list[int]:
        """The turn tesseract's orientation detection is sure of, if any."""
        try:
            osd = pytesseract.image_to_osd(image, config="--psm 0", output_type=pytesseract.Output.DICT)
        except pytesseract.TesseractError:
            return []  # too little text to tell
        if float(osd.get("orientation_conf", 0)) < ORIENTATION_MIN_CONFIDENCE:
            return []
        turn = int(osd.get("rotate", 0))
        return [turn] if turn else []
