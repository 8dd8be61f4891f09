"""Seals apart from a form's own coloured print.

The red channel drops a red seal (印章) from the page, and with it everything else printed in
red: on a provincial paper bill, whose title, labels and rules are printed in red (or blue) ink
and whose values a dot-matrix printer fills in black, that is every label. The two differ in
shape, not colour: a seal's ring is a band a millimetre or more wide and its star is solid,
whereas a form's labels and rules are strokes of a few tenths of a millimetre. So the red ink
is opened with a disc of ~1 mm (thin strokes vanish, the ring and star stay), each remaining
blob of seal size gives the circle it lies on, and only within those circles is red lifted;
elsewhere a page that carries thin coloured print is read from its darkest channel, in which
red and blue labels are as dark as the black fill. A page without such print (an ordinary scan)
is returned exactly as the red channel gave it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

RED_INK = 35  # red minus the larger of green and blue: a seal's ink, even where it is faint
COLOUR_INK = 60  # a channel this far above the others, outside any seal: coloured print
FORM_SHARE = 0.002  # coloured print on more than this share of the page: a pre-printed form
OPEN_MM = 1.0  # thinner than this: print (labels, rules); thicker: a seal's ring or star
SEAL_MM = 12.0  # a thick blob at least this wide or tall is (part of) a seal
RULE_MM = 6.0  # a straight stroke of the form's print longer than this is a rule, not a label's
BRIDGE_MM = 2.0  # gaps in a rule up to this wide (where the fill covers it) are bridged
TINTED = 30  # a channel this far above the others: the form's ink, its faint edges too
LIGHTER = 0.7  # of the form ink's brightest channel: lighter than this, a pixel is the form's alone
MARGIN = 1.08  # the seal's circle, a little widened (its outer ring's antialiased edge)


def seal_mask(redness: np.ndarray, dpi: float) -> np.ndarray:
    """Where seals are on the page (bool, the page's size): the circles of the thick red blobs."""
    step = max(1, round(dpi / 150))  # found at ~150 dpi: a seal is large and smooth
    red = (redness[::step, ::step] > RED_INK).astype(np.uint8)
    reach = max(3, round(OPEN_MM / 25.4 * dpi / step) | 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))
    thick = cv2.morphologyEx(red, cv2.MORPH_OPEN, disc)
    mask = np.zeros_like(red)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(thick, connectivity=8)
    smallest = SEAL_MM / 25.4 * dpi / step
    for label in range(1, count):
        if max(stats[label, cv2.CC_STAT_WIDTH], stats[label, cv2.CC_STAT_HEIGHT]) < smallest:
            continue
        points = cv2.findNonZero((labels == label).astype(np.uint8))
        (x, y), radius = cv2.minEnclosingCircle(points)
        cv2.circle(mask, (round(x), round(y)), round(radius * MARGIN), 1, thickness=-1)
    full = cv2.resize(mask, (redness.shape[1], redness.shape[0]), interpolation=cv2.INTER_NEAREST)
    return full.astype(bool)


def keep_form_ink(rgb: np.ndarray, redness: np.ndarray, grey: np.ndarray,
                  dpi: float) -> tuple[np.ndarray, np.ndarray | None]:
    """`grey` (the page with red lifted) with a pre-printed form's coloured print put back outside
    its seals, and where that print is (uint8, 255); `grey` itself and None for a page without
    coloured print beyond its seals."""
    inks = separate_inks(rgb, redness, grey, dpi)
    return (grey, None) if inks is None else (inks.page, inks.print_ink)


@dataclass(frozen=True)
class Inks:
    """A pre-printed form's page whole and in its two inks (read apart: archive.ocr.pages)."""

    page: np.ndarray  # grey: both inks, red lifted within seals
    print_ink: np.ndarray  # where the form's own print is, without its rules (uint8, 255)
    form: np.ndarray  # grey: the form's print alone (title, labels, rules) on white
    fill: np.ndarray  # grey: what the printer filled in alone, the form's print lifted to paper


def separate_inks(rgb: np.ndarray, redness: np.ndarray, grey: np.ndarray, dpi: float) -> Inks | None:
    """The page of a pre-printed form, whole and in its two inks; None for a page without coloured
    print beyond its seals."""
    # Judged on every other pixel each way: a quarter of the work, the same share.
    red, green, blue = (rgb[::2, ::2, channel] for channel in range(3))
    spread = np.maximum(np.maximum(red, green), blue) - np.minimum(np.minimum(red, green), blue)
    coloured = spread > COLOUR_INK
    if coloured.mean() < FORM_SHARE:
        return None
    seals = seal_mask(redness, dpi)
    if (coloured & ~seals[::2, ::2]).mean() < FORM_SHARE:
        return None
    low = np.minimum(np.minimum(rgb[:, :, 0], rgb[:, :, 1]), rgb[:, :, 2])
    darkest = low.astype(np.uint8)
    high = np.maximum(np.maximum(rgb[:, :, 0], rgb[:, :, 1]), rgb[:, :, 2])
    print_ink = ((high - low > COLOUR_INK) & ~seals).astype(np.uint8) * 255
    tinted = (high - low > TINTED) & ~seals
    form = np.where(tinted, darkest, 255).astype(np.uint8)
    return Inks(np.where(seals, grey, darkest), _without_rules(print_ink, dpi), form,
                _fill_alone(high, tinted, seals, grey))


def _fill_alone(high: np.ndarray, tinted: np.ndarray, seals: np.ndarray, grey: np.ndarray) -> np.ndarray:
    """The printer's black alone. In its brightest channel coloured ink is light and black stays
    dark, as do the pixels where the two overlap (a dot laid over a label is the fill's); the
    form's print, still light grey there, is lifted to the paper around it. Within seals the page
    with red lifted (`grey`): a seal laid over the fill darkens its brightest channel too."""
    bright = high.astype(np.uint8)
    # The ink's own brightness: a pixel of a form's stroke mixed with a dot is darker than that.
    level = float(np.median(bright[tinted])) if tinted.any() else 255.0
    lift = tinted & (bright > LIGHTER * level)
    near = cv2.dilate(lift.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    lift |= near & (bright > LIGHTER * level)  # the strokes' soft edges, scarcely tinted
    small = cv2.resize(bright, (max(1, bright.shape[1] // 4), max(1, bright.shape[0] // 4)),
                       interpolation=cv2.INTER_AREA)
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    paper = cv2.resize(paper, (bright.shape[1], bright.shape[0]), interpolation=cv2.INTER_LINEAR)
    return np.where(seals, grey, np.where(lift, paper, bright)).astype(np.uint8)


def _without_rules(print_ink: np.ndarray, dpi: float) -> np.ndarray:
    """The form's print without its ruled lines: a rule through a value leaves its digits
    readable (the engines read through a thin line), a label's strokes run into it do not."""
    length, bridge = (max(3, round(mm / 25.4 * dpi)) for mm in (RULE_MM, BRIDGE_MM))
    # The fill printed over a rule hides it there: bridged first, or a rule under a value is
    # cut into pieces shorter than a rule.
    line = cv2.MORPH_RECT
    bridged = cv2.morphologyEx(print_ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(line, (bridge, 1)))
    rules = cv2.morphologyEx(bridged, cv2.MORPH_OPEN, cv2.getStructuringElement(line, (length, 1)))
    rules = cv2.dilate(rules, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 5)))
    return cv2.subtract(print_ink, rules)
