"""Degraded scans of generated documents: deterministic per seed, really degraded, right size."""

import io
import random

import pytest
from PIL import Image, ImageChops, ImageStat

from archive.demo import documents as gen
from archive.demo.scans import A4_INCHES, Degradation, clean, scan, title_of


@pytest.fixture(scope="module")
def document():
    return gen.referral(random.Random(7))


def _open(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def test_same_seed_same_bytes(document):
    assert scan(document, seed=11).content == scan(document, seed=11).content


def test_other_seed_other_scan(document):
    first, second = scan(document, seed=11), scan(document, seed=12)
    assert first.content != second.content
    assert first.degradation != second.degradation


def test_degradations_are_within_the_stated_ranges():
    for seed in range(30):
        spec = Degradation.draw(random.Random(seed))
        assert spec.dpi in (200, 240, 300)
        assert -1.5 <= spec.rotation <= 1.5
        assert 60 <= spec.jpeg_quality <= 85
        assert spec.stamp and spec.blur > 0 and spec.noise > 0 and spec.lighting > 0


@pytest.mark.parametrize("dpi", [200, 300])
def test_size_and_resolution_as_asked(document, dpi):
    result = scan(document, seed=3, dpi=dpi)
    image = _open(result.content)
    assert result.content_type == "image/jpeg" and image.format == "JPEG"
    assert image.size == (round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi)) == result.size
    assert round(image.info["dpi"][0]) == dpi


def test_png_and_tiff_carry_the_resolution(document):
    for fmt, content_type in (("PNG", "image/png"), ("TIFF", "image/tiff")):
        result = scan(document, seed=3, dpi=200, fmt=fmt)
        image = _open(result.content)
        assert result.content_type == content_type
        assert round(float(image.info["dpi"][0])) == 200


def test_scan_differs_from_the_clean_page(document):
    result = scan(document, seed=5, dpi=200, fmt="PNG")
    degraded = _open(result.content).convert("RGB")
    reference = _open(clean(document.lines, title=title_of(document), seed=5, dpi=200).content).convert("RGB")
    assert degraded.size == reference.size
    difference = ImageStat.Stat(ImageChops.difference(degraded, reference).convert("L"))
    assert difference.mean[0] > 5  # noise, lighting, rotation: not a near copy
    assert result.degradation.rotation  # and the page was turned


def test_stamp_is_red_and_on_the_page(document):
    image = _open(scan(document, seed=5, dpi=200, fmt="PNG").content).convert("RGB")
    red, green, _ = (band.point(lambda v: 255 if v > 150 else 0) for band in image.split())
    reddish = ImageChops.subtract(red, green.point(lambda v: 255 if v > 120 else 0))
    assert ImageStat.Stat(reddish).sum[0] / 255 > 2000  # thousands of red pixels


def test_without_degradation_nothing_is_added(document):
    spec = Degradation(dpi=200)
    plain = _open(scan(document, seed=5, degradation=spec, fmt="PNG").content).convert("L")
    assert ImageStat.Stat(plain).extrema[0][1] == 255  # white paper stays white


def test_a_red_seal_is_paper_white_and_print_under_it_stays_dark():
    """PP-OCR reads the grey page: a seal's ink left light grey in the red channel (R ~220 against
    paper's ~240) was still read (城镇职工用章). Lifted by its redness it is paper white."""
    from archive.ocr.preprocess import _grey_without_red

    pixels = [(240, 238, 236), (222, 40, 52), (236, 190, 190), (30, 30, 32), (70, 18, 22)]  # paper, seal,
    # a seal's faint edge, black print, black print under the seal
    image = Image.new("RGB", (len(pixels), 1))
    image.putdata(pixels)
    paper, seal, edge, black, under = _grey_without_red(image)[0]
    assert seal >= 250 and edge >= 250 and paper >= 238
    assert black <= 40 and under <= 130
