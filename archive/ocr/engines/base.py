"""What an OCR engine gives the page pipeline: words with boxes and confidences, line by line.

The pipeline (archive.ocr.pages) prepares the page (red ink dropped, scaled to a known resolution,
deskewed; binarised only for an engine that wants it), asks the engine for its words, maps their
boxes back onto the page as stored and joins them into lines. An engine's words are in the
prepared image's pixels, in reading order, each with the index of its printed line (`Word.line`)
and a confidence on tesseract's 0–100 scale, which the thresholds downstream are written for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PIL import Image

    from archive.ocr.pages import Word
    from archive.ocr.preprocess import Prepared


class OcrEngineError(RuntimeError):
    """The engine could not read the image; the page is reported failed with this reason."""


@runtime_checkable
class OcrEngine(Protocol):
    name: str
    binarise: bool  # whether the engine reads the black-and-white page (else the grey one)
    retry_below: float  # a page read with a lower mean confidence is checked for its orientation

    def read(self, image: Image.Image, *, dpi: int) -> list[Word]:
        """The words of `image` (a prepared page at `dpi`), in reading order, with `line` set."""
        ...

    def refine(self, rows: list[list[Word]], prepared: Prepared) -> list[list[Word]]:
        """The rows after any second reading the engine does of doubtful lines (else unchanged)."""
        ...

    def turns(self, image: Image.Image) -> list[int]:
        """Clockwise turns (90, 180, 270) worth trying on a page whose first reading was poor, the
        likeliest first; empty when the page looks upright or the engine cannot tell."""
        ...
