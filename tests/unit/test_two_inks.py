"""A pre-printed form read in its two inks apart (archive.ocr.seals.separate_inks,
archive.ocr.two_inks): a value printed into the next label is read whole, and so is the label."""

import numpy as np
from PIL import Image, ImageDraw

from archive.demo.documents import _cjk_font
from archive.ocr.pages import Word
from archive.ocr.two_inks import merged

DPI = 200
BLUE = (40, 85, 175)
RIBBON = (45, 45, 45)


def _bill() -> Image.Image:
    """Blue labels; the black code 52845221 printed off register, its last digits over 票 of the
    next label, and the payer's name over 收 of 收款单位."""
    page = Image.new("RGB", (1100, 420), (244, 243, 240))
    page.info["dpi"] = (DPI, DPI)
    draw = ImageDraw.Draw(page)
    font = _cjk_font(round(12 / 72 * DPI))
    labels = (("票据代码：", 60, 80), ("票据号码：", 470, 80),
              ("交款人：", 60, 200), ("收款单位：", 470, 200))
    for text, x, y in labels:
        draw.text((x, y), text, fill=BLUE, font=font)
    draw.line((40, 300, 1060, 300), fill=BLUE, width=3)
    # The fill is laid over the form's print, as a ribbon's ink is.
    draw.text((310, 88), "52845221", fill=RIBBON, font=font)
    draw.text((370, 208), "杨超", fill=RIBBON, font=font)
    draw.text((680, 88), "17350024", fill=RIBBON, font=font)
    return page


def test_the_fill_and_the_form_are_separated_by_colour():
    from archive.ocr.seals import separate_inks

    rgb = np.asarray(_bill()).astype(np.int16)
    redness = np.maximum(rgb[:, :, 0] - np.maximum(rgb[:, :, 1], rgb[:, :, 2]), 0)
    inks = separate_inks(rgb, redness, rgb[:, :, 0].astype(np.uint8), DPI)
    assert inks is not None
    label = (slice(80, 125), slice(60, 300))  # 票据代码：, no fill on it
    assert (inks.form[label] < 120).mean() > 0.05 and (inks.fill[label] < 160).mean() == 0
    value = (slice(88, 130), slice(310, 460))  # 528452, clear of the label
    assert (inks.fill[value] < 120).mean() > 0.05 and (inks.form[value] < 160).mean() == 0
    rule = (slice(296, 305), slice(40, 1060))
    assert inks.fill[rule].min() > 160  # the form's rule is not the fill's


def test_a_page_without_a_form_is_not_separated():
    from archive.ocr.preprocess import prepare

    page = Image.new("RGB", (600, 200), (244, 243, 240))
    ImageDraw.Draw(page).text((40, 60), "票据代码：52845221", fill=RIBBON, font=_cjk_font(30))
    assert prepare(page, binarise=False, deskew=False).inks is None


def test_a_code_printed_into_the_next_label_is_read_whole_and_the_label_too():
    from archive.ocr.pages import ocr_page

    text = ocr_page(_bill(), 1).text
    assert "52845221" in text
    assert "票据号码" in text and "收款单位" in text
    assert "杨超" in text


def _word(text, left, top, width=30, height=30, line=0):
    return Word(text, left, top, width, height, 95.0, line)


def test_readings_merge_line_by_line_and_overlapping_runs_stay_whole():
    form = [_word("交", 0, 100), _word("款", 32, 100), _word("人", 64, 100), _word("：", 96, 100),
            _word("收", 180, 100), _word("款", 212, 100), _word("单", 244, 100), _word("位", 276, 100),
            _word("：", 308, 100), _word("合", 0, 200, line=1), _word("计", 32, 200, line=1)]
    # The fill's name runs from 150 to 220: over 收. It lies a little lower (off register).
    fill = [_word("杨", 150, 110), _word("超", 190, 110), _word("1,183.82", 120, 210, 120, line=1)]
    words = merged([form, fill])
    lines: dict[int, list[str]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word.text)
    assert ["".join(texts) for texts in lines.values()] == ["交款人：杨超收款单位：", "合计1,183.82"]


def _figure_page(figure: str) -> Image.Image:
    """The page with both inks (as prepared: grey), the figure printed on it in black."""
    page = Image.new("L", (400, 80), 255)
    ImageDraw.Draw(page).text((20, 15), figure, fill=0, font=_cjk_font(40))
    return page


def _crossed(confidence: float, read: str = "191.39") -> list[Word]:
    """A figure read from the fill at `confidence`, a blue stroke of the form running through it."""
    from archive.ocr.two_inks import doubt_crossed

    form_ink = np.zeros((80, 400), np.uint8)
    form_ink[20:60, 120:124] = 255  # the form's stroke through the figure's box
    word = Word(read, 20, 15, 150, 45, confidence, 0)
    return doubt_crossed([word], form_ink, _figure_page("191.39"), DPI, 1.0)


def test_a_figure_the_form_crosses_is_taken_only_if_read_sure_and_so_again_whole():
    from archive.ocr.registration import DOUBTFUL

    assert _crossed(96.0)[0].confidence == 96.0
    # The separation lifted part of a digit with the stroke: the fill reads 191.30, confidently,
    # and the page with both inks does not say so.
    assert _crossed(96.0, read="191.30")[0].confidence == DOUBTFUL
    assert _crossed(80.0)[0].confidence == DOUBTFUL  # not sure enough, whatever a second reading says


def test_a_figure_clear_of_the_form_is_not_doubted():
    from archive.ocr.two_inks import doubt_crossed

    word = Word("191.30", 20, 15, 150, 45, 70.0, 0)
    assert doubt_crossed([word], np.zeros((80, 400), np.uint8), _figure_page("191.39"), DPI, 1.0) == [word]
