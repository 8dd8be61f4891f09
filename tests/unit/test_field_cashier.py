"""Field reading of the shapes the tuning family invoice.cashier prints (issue 17, point 2): an
outpatient cashier's HIS print naming the patient 缴费人, 就诊者, 患者名称 or 病人名称, with labels
printed without their colon and one space before their value."""


import pytest

from archive.ocr.fields import read_fields
from tests.fixtures.born_digital import read_family
from tests.unit.test_field_readfix import row

_HEAD = row(0.05, (0.02, "票据代码：12345678"), (0.5, "票据号码：1234567890"))
_FOOT = [row(0.30, (0.02, "开票日期：2026-01-02")), row(0.32, (0.02, "合计：12.00"))]


def _bill(*lines):
    return read_fields("invoice", [_HEAD, *lines, *_FOOT])


@pytest.mark.parametrize("label", ["缴费人", "就诊者", "患者名称", "病人名称"])
def test_the_patient_as_outpatient_cashiers_name_them(label):
    assert _bill(row(0.1, (0.02, f"{label}：张晓明"))).fields["payer_name"] == "张晓明"


def test_a_label_with_no_colon_takes_the_one_word_a_space_after_it():
    reading = _bill(row(0.1, (0.02, "缴费人 张晓明 性别 男 门诊号 6235614926")),
                    row(0.2, (0.02, "医保类型 城乡居民 医保编号 513952263667")),
                    row(0.25, (0.02, "校验码 bef4cc")))
    assert reading.fields["payer_name"] == "张晓明"
    assert reading.fields["insurance_type"] == "城乡居民"
    assert reading.fields["check_code"] == "bef4cc"


# A bare label's next word that is a heading's rest, a joint, a prompt or another label's tail: each
# example was read as the field's value once every text label took the one word a space after it.
@pytest.mark.parametrize(("kind", "texts", "field", "right"), [
    ("vat_invoice", ["购买方 信息 名称：某某科技有限公司"], "buyer_name", "某某科技有限公司"),
    ("vat_invoice", ["销售方 信息", "名称：某某药房"], "seller_name", "某某药房"),
    ("vat_invoice", ["销方 开户行及账号 中国银行 123"], "seller_name", None),
    ("referral", ["转诊原因 及 处理意见：病情需要"], "reason", "病情需要"),
    ("daily_statement", ["患者签字 确认无误"], "signed_by", None),
    ("invoice", ["患者姓名 请核对"], "payer_name", None),
    ("invoice", ["姓名 门诊号 科室", "王芳 123456 内科"], "payer_name", None),  # a row of headings
    ("invoice", ["姓名 门诊号 12345678"], "payer_name", None),
])
def test_a_word_after_a_bare_label_that_is_a_heading_or_prompt_is_not_taken(kind, texts, field, right):
    lines = [row(0.1 + 0.05 * at, (0.02, text)) for at, text in enumerate(texts)]
    assert read_fields(kind, lines).fields.get(field) in (None, right)


def test_the_cashier_family_reads_whole():
    for index in range(4):
        document, fields = read_family("invoice", "cashier", f"test:cashier:{index}")
        assert {key: fields.get(key) for key in document.truth} == document.truth
