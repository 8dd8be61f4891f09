"""A pre-printed form's fields read in its two inks apart are taken only where the page read
whole, or the document itself, confirms them (archive.ocr.apart_fields)."""

from archive.ocr.extract import FIELD_FLAGS, analyse
from archive.ocr.pages import PageText

BILL = """医疗门诊收费票据
票据代码：467317927459 票据号码：15852253
姓名：白佳琳
合计（大写）：{capital} 小写：¥{total}
统筹支付：{fund} 个人账户支付：361.75 个人自付：{own} 个人自费：{funded}
收款单位（章）：沅宜县妇幼保健计划生育服务中心
收费日期：2026年3月23日"""
RIGHT = {"capital": "玖仟叁佰零伍元肆角叁分", "total": "9305.43", "fund": "4652.72", "own": "4270.49",
         "funded": "20.47"}


def _page(apart: dict, whole: dict) -> PageText:
    """The bill as read apart (`apart` over the right values) with the same page read whole."""
    return PageText(1, "ocr", text=BILL.format(**{**RIGHT, **apart}), confidence=90.0,
                    whole=PageText(1, "ocr", text=BILL.format(**{**RIGHT, **whole}), confidence=90.0))


def _flagged(reading) -> set[str]:
    return {check["field"] for check in reading.checks if check["code"] in FIELD_FLAGS}


def test_a_figure_read_apart_that_the_page_read_whole_contradicts_is_not_taken():
    # The separation cut a stroke of 6: read apart, 4652.72 is 4552.72, confidently. The fund
    # split need not add up (other funds may pay), so no sum refuses it.
    reading = analyse([_page({"fund": "4552.72"}, {"funded": ""})], kind="invoice")
    assert "fund_paid" not in reading.fields
    assert "fund_paid" in _flagged(reading)
    assert reading.fields["total_amount"] == "9305.43"
    # With every other term of the split read alike both ways, the sum tells which reading is right.
    reading = analyse([_page({"fund": "4552.72"}, {})], kind="invoice")
    assert reading.fields["fund_paid"] == "4652.72"


def test_values_swapped_apart_are_not_confirmed_by_the_sum_they_keep():
    # Read apart, 自付 and 自费 each took the other's value (a value after the next label): the
    # fund split still adds up, so only the page read whole tells.
    reading = analyse([_page({"own": "20.47", "funded": "4270.49"}, {})], kind="invoice")
    assert "self_paid" not in reading.fields and "self_funded" not in reading.fields
    assert {"self_paid", "self_funded"} <= _flagged(reading)


def test_a_value_read_apart_only_is_taken_when_the_document_confirms_it():
    # Read whole, the total ran into 个人自费 and the last fund figure into its label: absent.
    whole = {"total": "", "funded": ""}
    reading = analyse([_page({}, whole)], kind="invoice")
    assert reading.fields["total_amount"] == "9305.43"  # its capitals say so
    assert reading.fields["self_funded"] == "20.47"  # the fund split holds to the cent with it
    # Not confirmed by anything: a figure read apart only stays absent, for a person.
    reading = analyse([_page({"fund": "4552.72"}, {**whole, "fund": ""})], kind="invoice")
    assert "fund_paid" not in reading.fields and "self_funded" not in reading.fields
    assert {"fund_paid", "self_funded"} <= _flagged(reading)


def test_a_value_read_whole_only_is_taken_as_on_any_page():
    reading = analyse([_page({"funded": ""}, {})], kind="invoice")
    assert reading.fields["self_funded"] == "20.47"


def test_a_page_read_once_is_read_as_before():
    page = PageText(1, "ocr", text=BILL.format(**{**RIGHT, "fund": "4552.72"}), confidence=90.0)
    assert analyse([page], kind="invoice").fields["fund_paid"] == "4552.72"


def test_a_pre_printed_form_is_read_whole_too_and_a_plain_page_once():
    from PIL import Image, ImageDraw

    from archive.demo.documents import _cjk_font
    from archive.ocr.pages import ocr_page

    def bill(label_ink: tuple[int, int, int]) -> Image.Image:
        page = Image.new("RGB", (1000, 260), (244, 243, 240))
        page.info["dpi"] = (200, 200)
        draw, font = ImageDraw.Draw(page), _cjk_font(33)
        for text, x, y in (("统筹支付：", 60, 60), ("个人自费：", 520, 60), ("合计：", 60, 160)):
            draw.text((x, y), text, fill=label_ink, font=font)
        draw.text((250, 72), "4652.72", fill=(45, 45, 45), font=font)  # off register, as a printer fills
        draw.text((720, 72), "20.47", fill=(45, 45, 45), font=font)
        return page

    form = ocr_page(bill((40, 85, 175)), 1)
    assert form.whole is not None and "4652.72" in form.whole.text and "统筹支付" in form.whole.text
    assert ocr_page(bill((45, 45, 45)), 1).whole is None
