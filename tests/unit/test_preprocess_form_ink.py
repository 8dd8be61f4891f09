"""A paper bill's form printed in red keeps its labels; its seal still goes (archive.ocr.seals)."""

import numpy as np
from PIL import Image, ImageDraw

from archive.demo.documents import _cjk_font
from archive.ocr.preprocess import _grey_without_red

DPI = 200
RED = (205, 45, 55)


def _form_page(*, labels: bool) -> Image.Image:
    """An A5-ish page: red thin-stroke labels and a rule, black values, a red seal (40 mm ring)."""
    page = Image.new("RGB", (1200, 900), (242, 240, 236))
    page.info["dpi"] = (DPI, DPI)
    draw = ImageDraw.Draw(page)
    font = _cjk_font(round(11 / 72 * DPI))
    if labels:
        for row in range(8):
            draw.text((60, 60 + row * 60), "统筹基金支付：", fill=RED, font=font)
            draw.text((600, 60 + row * 60), "个人账户支付：", fill=RED, font=font)
        draw.line((60, 560, 1140, 560), fill=RED, width=2)
    draw.text((300, 60), "1141.92", fill=(30, 30, 30), font=font)
    diameter = round(40 / 25.4 * DPI)
    draw.ellipse((700, 450, 700 + diameter, 450 + diameter), outline=(215, 35, 45), width=14)
    return page


def _label_box(grey: np.ndarray) -> np.ndarray:
    return grey[120:180, 60:330]  # the second row's first label, away from the seal


def test_red_printed_labels_stay_dark():
    grey = _grey_without_red(_form_page(labels=True), DPI)
    assert (_label_box(grey) < 140).mean() > 0.05  # the label's strokes are there to read
    ring = grey[450:450 + 14, 700 + 160:700 + 170]  # the seal's ring at its top
    assert ring.min() > 200  # the seal still goes
    assert grey[60:100, 300:450].min() < 80  # black print stays


def test_a_page_without_coloured_print_is_read_as_before():
    page = _form_page(labels=False)
    rgb = np.asarray(page).astype(np.int16)
    redness = np.maximum(rgb[:, :, 0] - np.maximum(rgb[:, :, 1], rgb[:, :, 2]), 0)
    expected = np.clip(rgb[:, :, 0] + redness, 0, 255).astype(np.uint8)
    assert (_grey_without_red(page, DPI) == expected).all()


def test_preparing_a_form_page_keeps_where_its_print_is():
    from archive.ocr.preprocess import prepare

    form = prepare(_form_page(labels=True), binarise=False, deskew=False)
    assert form.form_ink is not None and form.form_ink.shape == (form.image.height, form.image.width)
    assert form.form_ink[120:180, 60:330].any()  # the label
    assert not form.form_ink[60:100, 300:450].any()  # the black value
    assert prepare(_form_page(labels=False), binarise=False, deskew=False).form_ink is None


def test_a_rule_is_not_print_a_value_runs_into():
    from archive.ocr.seals import keep_form_ink

    page = _form_page(labels=True)
    draw = ImageDraw.Draw(page)
    draw.line((60, 80, 1140, 80), fill=(40, 80, 180), width=2)  # a blue rule through the value
    rgb = np.asarray(page).astype(np.int16)
    redness = np.maximum(rgb[:, :, 0] - np.maximum(rgb[:, :, 1], rgb[:, :, 2]), 0)
    _, form_ink = keep_form_ink(rgb, redness, rgb[:, :, 0].astype(np.uint8), DPI)
    assert not form_ink[70:90, 300:450].any()  # the rule under the value 1141.92
    assert form_ink[120:180, 60:330].any()  # a label's strokes are print
