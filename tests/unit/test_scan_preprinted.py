"""Scans of paper bills as pre-printed coloured forms filled by a dot-matrix printer off register
(archive.demo.forms): deterministic, the truth untouched, the other streams as they were."""

import io
import random

import numpy as np
import pytest
from PIL import Image

from archive.demo import families
from archive.demo.documents import _cjk_font
from archive.demo.forms import FormPrint, dot_matrix, split
from archive.demo.scans import Degradation, render, scan


@pytest.fixture(scope="module")
def bill():
    return families.make("invoice", "provincial", random.Random("preprinted:1"))


def _pixels(content: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(content)).convert("RGB")).astype(int)


def test_same_seed_same_bytes_and_the_truth_untouched(bill):
    truth = dict(bill.truth)
    first = scan(bill, seed=5, preprinted=True)
    assert first.content == scan(bill, seed=5, preprinted=True).content
    assert bill.truth == truth
    # The form is drawn from its own stream: resolution, stamp, skew, noise are the plain scan's.
    assert first.degradation == scan(bill, seed=5).degradation


def test_plain_scans_are_not_drawn_as_forms(bill):
    plain = scan(bill, seed=5, fmt="PNG", degradation=Degradation(dpi=150)).content
    assert plain == scan(bill, seed=5, fmt="PNG", degradation=Degradation(dpi=150), preprinted=False).content
    assert plain != scan(bill, seed=5, fmt="PNG", degradation=Degradation(dpi=150), preprinted=True).content


def test_labels_in_the_forms_ink_values_in_black(bill):
    pixels = _pixels(scan(bill, seed=5, fmt="PNG", degradation=Degradation(dpi=150), preprinted=True).content)
    spread = pixels.max(axis=2) - pixels.min(axis=2)
    coloured = (spread > 80).mean()
    black = ((pixels.max(axis=2) < 90) & (spread < 30)).mean()
    assert coloured > 0.002 and black > 0.002


def test_split_parts_what_the_form_prints_from_what_is_filled_in():
    runs = split("姓  名:张三    性别:男", ("张三",))
    assert [(run, filled) for _, run, filled in runs] == [
        ("姓  名:", False), ("张三", True), ("    性别:", False), ("男", True)]
    assert "".join(run for _, run, _ in runs) == "姓  名:张三    性别:男"
    assert [r for _, r, f in split("收费日期:2026年10月6日") if f] == ["2026年10月6日"]
    # a grid: the label cell is printed, the cell below it filled in
    assert split("统筹基金支付") == [(0, "统筹基金支付", False)]
    assert split("1141.92") == [(0, "1141.92", True)]
    assert split("壹仟陆佰叁拾壹元叁角贰分") == [(0, "壹仟陆佰叁拾壹元叁角贰分", True)]


def test_misregistration_is_seeded_and_bounded():
    prints = [FormPrint.draw(random.Random(f"form:{seed}:0")) for seed in range(200)]
    assert prints[7] == FormPrint.draw(random.Random("form:7:0"))
    assert all(-0.3 <= p.offset[0] <= 2.0 and -0.1 <= p.offset[1] <= 0.45 for p in prints)
    assert max(p.offset[0] for p in prints) > 1.5 and max(p.offset[1] for p in prints) > 0.35
    assert {p.ink[0] > p.ink[2] for p in prints} == {True, False}  # red and blue forms


def _black_columns(form: FormPrint) -> np.ndarray:
    image = render([((0, "医保编号:1234567890"),)], title="", dpi=150, rng=random.Random(1),
                   form=(form, ()))
    pixels = np.asarray(image).astype(int)
    black = (pixels.max(axis=2) < 120)
    return np.nonzero(black.any(axis=0))[0]


def test_the_fill_is_drawn_off_register_by_the_offset():
    ink = (200, 40, 50)
    on = _black_columns(FormPrint(ink=ink, ribbon=20, offset=(0.0, 0.0)))
    off = _black_columns(FormPrint(ink=ink, ribbon=20, offset=(2.0, 0.0)))
    width = round(11 / 72 * 150)  # a character at 11 pt
    assert off[0] - on[0] == pytest.approx(2 * width, abs=3)


def test_dot_matrix_prints_strokes_as_dots():
    mask = Image.new("L", (200, 80), 0)
    from PIL import ImageDraw

    ImageDraw.Draw(mask).text((5, 5), "2580", fill=255, font=_cjk_font(60))
    dots = np.asarray(dot_matrix(mask, 4)) > 128
    ink = np.asarray(mask) > 128
    assert dots.sum() > 0.5 * ink.sum()  # the glyphs are still there, as dots
    assert (dots & ~ink).any() and (ink & ~dots).any()  # on the pins' grid, not the outline
    # between the pins of a stroke the paper shows: rows of dots, not solid lines
    assert (np.asarray(dot_matrix(Image.new("L", (40, 40), 255), 4)) < 128).mean() > 0.15
