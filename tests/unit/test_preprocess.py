"""Scan preprocessing on generated pages whose degradation is known (no OCR here: fast)."""

import io
import random

import numpy as np
import pytest
from PIL import Image

from archive.demo import documents as gen
from archive.demo.scans import Degradation, scan
from archive.ocr.preprocess import MAX_OCR_PIXELS, page_resolution, prepare


@pytest.fixture(scope="module")
def document():
    return gen.invoice(random.Random(31))


def _page(document, **degradation) -> Image.Image:
    image = Image.open(io.BytesIO(scan(document, seed=3, fmt="PNG",
                                       degradation=Degradation(**degradation)).content))
    image.load()
    return image


@pytest.mark.parametrize("rotation", [-1.8, -0.7, 1.2, 2.0])
def test_skew_is_found_and_turned_back(document, rotation):
    prepared = prepare(_page(document, dpi=200, rotation=rotation))
    assert prepared.skew == pytest.approx(-rotation, abs=0.2)


def test_straight_page_is_not_rotated(document):
    assert prepare(_page(document, dpi=200)).skew == 0.0


def test_red_seal_disappears_and_black_print_stays(document):
    stamped = np.asarray(prepare(_page(document, dpi=200, stamp=True)).image)
    plain = np.asarray(prepare(_page(document, dpi=200)).image)
    # The seal covers thousands of pixels; after preprocessing the pages differ in almost none.
    assert (stamped != plain).mean() < 0.002
    assert (plain == 0).mean() > 0.01  # the text is still there


def test_output_is_black_on_white_despite_lighting_and_noise(document):
    page = _page(document, dpi=200, lighting=0.3, noise=12, blur=0.8)
    prepared = np.asarray(prepare(page).image)
    assert set(np.unique(prepared)) <= {0, 255}
    # Where the original had only paper (a margin strip), the result is white: no speckle.
    assert (prepared[:, :60] == 255).mean() > 0.999


@pytest.mark.parametrize(("dpi", "scaled_to"), [(100, 300), (200, 200), (300, 300), (600, 300)])
def test_resolution_is_brought_near_300_dpi(dpi, scaled_to):
    page = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    page.info["dpi"] = (dpi, dpi)
    prepared = prepare(page)
    assert prepared.dpi == pytest.approx(scaled_to, abs=2)
    assert prepared.image.width == pytest.approx(8.27 * scaled_to, abs=3)


def test_missing_or_absurd_resolution_is_judged_from_the_size():
    page = Image.new("L", (2480, 3508), 255)
    assert page_resolution(page) == pytest.approx(300, abs=1)
    page.info["dpi"] = (1, 1)
    assert page_resolution(page) == pytest.approx(300, abs=1)
    snippet = Image.new("L", (300, 200), 255)
    assert page_resolution(snippet) == 100  # a snippet is not blown up more than threefold


def test_pixel_budget_holds_whatever_the_file_claims():
    page = Image.new("L", (4000, 4000), 255)
    page.info["dpi"] = (72, 72)  # would be scaled up 4x to 300 dpi
    prepared = prepare(page)
    assert prepared.image.width * prepared.image.height <= MAX_OCR_PIXELS * 1.01
