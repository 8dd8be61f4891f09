"""Field extraction against the generators' ground truth, and the promise never to invent."""

import random

import pytest

from archive.demo import documents as gen
from archive.ocr.fields import extract_fields, guess_kind

MAKERS = {"invoice": gen.invoice, "referral": gen.referral, "agreement": gen.agreement}


@pytest.mark.parametrize("kind", sorted(MAKERS))
def test_every_field_of_born_digital_text_is_exact(kind):
    rng = random.Random(2026)  # evaluation seed: not the one the labels were written against
    for _ in range(200):
        document = MAKERS[kind](rng)
        text = "\n".join(document.lines)
        assert extract_fields(kind, text) == document.truth


def test_ocr_spacing_and_half_width_brackets_are_tolerated():
    text = "交款人 : 黄洋 _ 收款单位 : 省立医院\n合计 (小写 ) : ¥3,364.71\n开票日期 : 2026 年 3 月 5 日"
    fields = extract_fields("invoice", text)
    assert fields["payer_name"] == "黄洋"
    assert fields["hospital"] == "省立医院"
    assert fields["total_amount"] == "3364.71"
    assert fields["issue_date"] == "2026-03-05"


def test_value_printed_under_its_label():
    assert extract_fields("referral", "转出医院\n县人民医院")["from_hospital"] == "县人民医院"


def test_unreadable_values_are_absent_not_guessed():
    text = "票据号码：（印章遮挡）\n开票日期：2026年13月40日\n合计（小写）：见背面\n身份证号：1101011990"
    assert extract_fields("invoice", text) == {}
    assert "id_number" not in extract_fields("referral", text)


def test_kind_is_guessed_from_the_title():
    assert guess_kind("住院费用一日清单\n姓名：张伟") == "daily_statement"
    assert guess_kind("医疗收费票据（住院）") == "invoice"
    assert guess_kind("随便一张纸") is None


def test_daily_statements_are_read_day_by_day_with_their_items():
    from archive.ocr.extract import analyse
    from archive.ocr.pages import PageText

    rng = random.Random(2027)
    for _ in range(100):
        document = gen.daily_statement(rng, days=rng.randint(1, 4))
        lines_per_day = len(document.lines) // document.pages
        pages = [PageText(n + 1, "text_layer",
                          text="\n".join(document.lines[n * lines_per_day:(n + 1) * lines_per_day]))
                 for n in range(document.pages)]
        reading = analyse(pages, kind="daily_statement")
        assert reading.fields == document.truth
        assert reading.checks == []


def test_unsigned_statement_is_flagged():
    from archive.ocr.checks import check_document

    truth = gen.daily_statement(random.Random(1), days=1, signed=False).truth
    assert extract_fields("daily_statement", "\n".join(
        gen.daily_statement(random.Random(1), days=1, signed=False).lines)) == truth
    assert [c["code"] for c in check_document("daily_statement", truth)] == ["missing_signature"]
