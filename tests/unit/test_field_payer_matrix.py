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


# A shared label (患者, 病人, 付款人) heads words no name is, and takes a drug, a bank, a payment
# way after it: with nothing of the patient's beside it, the word is no payer.
@pytest.mark.parametrize("text", [
    "患者 须知", "患者 来源", "患者 去向", "病人 去向", "患者 结算", "付款人 户名", "付款人 开户行",
    "病人 去向 出院",
    "付款人：工商银行", "付款人：支付宝", "付款人：微信", "患者：阿莫西林", "患者：头孢克肟", "病人：自理",
    "付款人：对公", "付款人：泰康人寿", "付款人：中国银行", "付款人：微信支付",
])
def test_a_shared_label_alone_takes_no_word_that_is_no_name(text):
    assert _bill(text) is None


@pytest.mark.parametrize("cells", [("病人", "阿司匹林"), ("付款人", "泰康人寿")])
def test_a_lone_grid_cell_after_a_shared_label_is_no_payer(cells):
    lines = [row(0.05, (0.02, "票据号码：0012345678")), row(0.07, (0.02, "开票日期：2026-03-15")),
             row(0.1, (0.02, cells[0]), (0.3, cells[1])),
             row(0.3, (0.02, "合计（小写）：12.00")), row(0.32, (0.02, "收款人：李丽"))]
    assert read_fields("invoice", lines).fields.get("payer_name") is None


@pytest.mark.parametrize(("texts", "name"), [
    (["患者 王芳 男 45岁"], "王芳"),  # a bare sex and age after the name
    (["患者：扎西多吉 女 63岁"], "扎西多吉"),
    (["患者：扎西多吉", "性别：女  年龄：63岁"], "扎西多吉"),  # the patient's fields on the next line
    (["病人：李建国"], "李建国"),  # a Han name, surname first, above the bill's foot
    (["付款人 欧阳晓明"], "欧阳晓明"),
])
def test_a_shared_label_with_the_patients_fields_or_a_han_name_is_read(texts, name):
    assert _bill(*texts) == name


@pytest.mark.parametrize("texts", [["患者：扎西多吉"], ["患者 须知", "性别：女"],
                                   ["患者：微信", "年龄：45岁"]])
def test_a_shared_label_takes_no_unsure_word(texts):
    assert _bill(*texts) is None


# A name glued to its label runs on into the sex or a title's first character (交款人李建国男):
# not told from a name ending so, so not taken; a name glued and then its sex apart is.
@pytest.mark.parametrize("text", ["交款人李建国男", "交款人李建国女", "缴费人张三丰男",
                                  "患者姓名张三丰男 性别 男", "姓名李建国先", "交款人王芳女士"])
def test_a_glued_name_run_on_into_the_sex_is_no_payer(text):
    assert _bill(text) is None


@pytest.mark.parametrize(("text", "name"), [("交款人李建国 男", "李建国"), ("缴费人张三丰", "张三丰"),
                                            ("患者姓名王芳 性别 女", "王芳"), ("交款人李男", "李男")])
def test_a_glued_name_apart_from_what_follows_is_read(text, name):
    assert _bill(text) == name


# Someone else's 姓名: a guardian's, a card holder's, a contact's — on every way a label is read.
@pytest.mark.parametrize("role", ["监护人", "持卡人", "代缴人", "联系人", "经办人", "陪护人"])
@pytest.mark.parametrize("form", ["{role}姓名王五", "{role}姓名：王五", "{role} 姓名 王五",
                                  "{role}姓各：王五"])
def test_a_roles_name_is_no_payer(role, form):
    assert _bill(form.format(role=role)) is None
