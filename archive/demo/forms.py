"""Pre-printed paper bills filled by a dot-matrix printer, for `archive.demo.scans`.

A provincial paper bill (医疗门诊/住院收费票据) is a form printed in coloured ink — title, labels,
rules, often red or blue — and filled in black by a 针式 (dot-matrix) printer that never quite
registers with it: the values sit a few millimetres right of or below where the form expects
them, touching the next label or riding on a rule. `FormPrint.draw(rng)` is one page's ink,
ribbon and misregistration; `split(text, fills)` parts a printed line into what the form carries
and what the printer fills in; `dot_matrix(mask, pitch)` turns a filled-in text mask into dots.
The ground truth is untouched: only where and how the same characters are drawn changes.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageDraw, ImageFilter

# What the printer fills in, whatever the wording around it: a run of figures (amounts, dates
# written 2024年3月5日, codes), an amount in capitals, and after a label's colon the rest of its cell.
_FIGURES = re.compile(r"[￥¥]?\d(?:[\d,.:/\-]|[年月日时分](?=\d)|日)*")
_CAPITALS = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元圆角分整]{3,}")
_AFTER_COLON = re.compile(r"(?<=[：:])\s*(\S(?:.*?\S)?)(?=\s{2,}|$)")


@dataclass(frozen=True)
class FormPrint:
    """One page of a pre-printed form: the form's ink, the ribbon's grey, and how far the
    printer's fill is off the form, in character widths (right) and line steps (down)."""

    ink: tuple[int, int, int]
    ribbon: int
    offset: tuple[float, float]

    @classmethod
    def draw(cls, rng: random.Random) -> FormPrint:
        if rng.random() < 0.5:  # red forms (most provinces' bills)
            ink = (rng.randint(190, 225), rng.randint(30, 70), rng.randint(40, 80))
        else:
            ink = (rng.randint(20, 60), rng.randint(70, 110), rng.randint(150, 200))
        return cls(ink=ink, ribbon=rng.randint(15, 60),
                   offset=(round(rng.uniform(-0.3, 2.0), 2), round(rng.uniform(-0.1, 0.45), 2)))


def split(text: str, fills: tuple[str, ...] = ()) -> list[tuple[int, str, bool]]:
    """`text` in runs (start, run, filled in by the printer?), in order, covering it whole."""
    filled = [False] * len(text)
    spans = [m.span(1) for m in _AFTER_COLON.finditer(text)]
    spans += [m.span() for pattern in (_FIGURES, _CAPITALS) for m in pattern.finditer(text)]
    spans += [m.span() for value in fills if len(value) >= 2 for m in re.finditer(re.escape(value), text)]
    for start, stop in spans:
        filled[start:stop] = [True] * (stop - start)
    runs: list[tuple[int, str, bool]] = []
    for position, character in enumerate(text):
        if runs and runs[-1][2] == filled[position]:
            start, run, kind = runs[-1]
            runs[-1] = (start, run + character, kind)
        else:
            runs.append((position, character, filled[position]))
    return runs


def dot_matrix(mask: Image.Image, pitch: int) -> Image.Image:
    """A text mask (L, ink 255) as a dot-matrix printer prints it: the strokes sampled on a grid
    of `pitch` pixels, a round dot a little narrower than the pitch at each sample that is ink."""
    if pitch < 2:
        return mask
    small = mask.resize((max(1, mask.width // pitch), max(1, mask.height // pitch)), Image.Resampling.BOX)
    pins = small.point(lambda v: 255 if v >= 64 else 0).resize(
        (small.width * pitch, small.height * pitch), Image.Resampling.NEAREST)
    dot = Image.new("L", (pitch, pitch), 0)
    ImageDraw.Draw(dot).ellipse((0, 0, pitch - 1, pitch - 1), fill=255)
    row = Image.new("L", (pins.width, pitch), 0)
    for x in range(0, pins.width, pitch):
        row.paste(dot, (x, 0))
    tiles = Image.new("L", pins.size, 0)
    for y in range(0, pins.height, pitch):
        tiles.paste(row, (0, y))
    dots = ImageChops.multiply(pins, tiles)
    full = Image.new("L", mask.size, 0)
    full.paste(dots, (0, 0))
    return full.filter(ImageFilter.GaussianBlur(0.4))
