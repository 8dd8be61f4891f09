"""The payer's name on medical bills however it is printed (issue 17, point 2): the variant matrix of
tests/fixtures/payer_matrix.py read from born-digital PDFs — every printed payer read exactly, and
no name where a payer word or 姓名 names someone else."""

import pytest

from archive.ocr.fields import read_fields
from archive.ocr.person_names import person_value
from tests.fixtures.payer_matrix import DOTTED_NAMES, negatives, positives, read_payer
from tests.unit.test_field_readfix import row

_POSITIVES = positives()
_NEGATIVES = negatives()


@pytest.mark.parametrize(("block", "footer", "truth"), [case[1:] for case in _POSITIVES],
                         ids=[case[0] for case in _POSITIVES])
def test_a_printed_payer_is_read_exactly(block, footer, truth):
    assert read_payer(block, footer) == truth


def test_an_inpatient_bill_reads_its_payer_too():
    block = [((0.0, "姓名"), (0.2, "住院号"), (0.44, "科室")),
             ((0.0, "李建国"), (0.2, "ZY0001234"), (0.44, "内科"))]
    assert read_payer(block, [], visit="住院") == "李建国"


@pytest.mark.parametrize(("block", "footer"), [case[1:3] for case in _NEGATIVES],
                         ids=[case[0] for case in _NEGATIVES])
def test_someone_elses_name_is_no_payer(block, footer):
    assert read_payer(block, footer) is None


def _bill(*texts: str):
    lines = [row(0.05, (0.02, "票据号码：0012345678")), row(0.07, (0.02, "开票日期：2026-03-15")),
             *(row(0.1 + 0.02 * n, (0.02, text)) for n, text in enumerate(texts)),
             row(0.3, (0.02, "合计（小写）：12.00")), row(0.32, (0.02, "收款人：李丽"))]
    return read_fields("invoice", lines).fields.get("payer_name")


@pytest.mark.parametrize("name", DOTTED_NAMES)
@pytest.mark.parametrize("tail", ["", " 男 45岁", "  性别：女"])
def test_a_minority_name_with_its_middle_dot(name, tail):
    assert _bill(f"患者姓名：{name}{tail}") == name


@pytest.mark.parametrize(("text", "name"), [
    ("王芳 男 45岁", "王芳"), ("王芳/女/45岁", "王芳"), ("王芳（自费）", "王芳"), ("王芳 内科", "王芳"),
    ("王芳 城乡居民", "王芳"), ("李 建国", "李建国"), ("阿依古丽买买提", "阿依古丽买买提"),
    ("王芳440301199001011234", "王芳"), ("王芳 女士", "王芳"),
    ("王芳性别女", None), ("王芳男 45岁", None), ("王芳男45岁", None), ("王芳女士", None),
    ("个人", None), ("平江县人民医院", None), ("性别", None), ("40.00", None),
])
def test_a_name_is_one_word_and_what_follows_it_is_none_of_it(text, name):
    assert person_value(text) == name


@pytest.mark.parametrize("texts", [
    ["收款人：李丽", "复核人 姓名：张强"],  # a footer's 姓名 under a role
    ["医生姓名：周杰"],
    ["付款人：个人"],
    ["患者自付：40.00"],
])
def test_a_shared_or_role_label_gives_no_payer(texts):
    assert _bill(*texts) is None
