"""Words that are no person's name after a name label (issue 17): a drug, a diagnosis, a place, a
department, a payment way or a form's word read after 患者, 病人, 付款人, 参保人 or 姓名 gives no
patient or payer, although many surnames begin ordinary words (利福平, 普通, 全科, 海南省); nor does a
signer's line without a name (签字：同意). Names stay read."""

import pytest

from archive.ocr.fields import read_fields

FIELD = {"invoice": "payer_name", "daily_statement": "patient_name", "referral": "patient_name"}

NOT_NAMES = [
    ("invoice", "患者：利福平|合计 12.00|收款人：李红"), ("invoice", "患者：利巴韦林"),
    ("invoice", "患者：普萘洛尔"), ("invoice", "患者：干扰素"), ("invoice", "患者：强的松"),
    ("invoice", "患者：利可君"), ("invoice", "患者：原发性高血压"), ("invoice", "患者：常规检查"),
    ("invoice", "患者：全科医学"), ("invoice", "患者：干部病房"), ("invoice", "患者：海南省"),
    ("invoice", "患者：成人"), ("invoice", "患者：应收"), ("invoice", "患者：都市"),
    ("invoice", "患者：信息确认"), ("invoice", "付款人：公费记账"), ("invoice", "付款人：公务员补助"),
    ("invoice", "姓名：县人民医院门诊部 女"), ("invoice", "姓名：城乡居民医疗 性别 女"),
    ("daily_statement", "病人：普通病人"), ("daily_statement", "住院病人：明细清单"),
    ("daily_statement", "科室：内科|病人：内科病人"), ("daily_statement", "患者：利福平 0.15g"),
    ("referral", "参保人：南京市"), ("referral", "患者：常规转诊"),
    ("referral", "转出医院：县人民医院|患者：利福平"),
]


def _read(kind: str, text: str) -> str | None:
    return read_fields(kind, text.replace("|", "\n")).fields.get(FIELD[kind])


@pytest.mark.parametrize(("kind", "text"), NOT_NAMES)
def test_a_word_no_name_is_gives_no_person(kind, text):
    assert _read(kind, text) is None


@pytest.mark.parametrize(("kind", "text", "name"), [
    ("invoice", "患者：单明", "单明"), ("invoice", "患者：初晓敏", "初晓敏"),
    ("invoice", "患者：全红", "全红"), ("invoice", "姓名：艾力吐尔逊 男 45岁", "艾力吐尔逊"),
    ("invoice", "患者：买买提·艾力", "买买提·艾力"), ("invoice", "姓名：热依拉 女 30岁", "热依拉"),
    ("invoice", "患者：王芳（本人）", "王芳"), ("invoice", "交费人王芳", "王芳"),
    ("invoice", "患者：欧阳晓明", "欧阳晓明"), ("daily_statement", "病人：单明", "单明"),
    ("referral", "患者：全红", "全红"), ("invoice", "姓名：阿依古丽买买提 女 45岁", "阿依古丽买买提"),
])
def test_names_stay_read(kind, text, name):
    assert _read(kind, text) == name


def _signed_by(text: str) -> str | None:
    return read_fields("daily_statement", f"姓名：王芳 住院号：ZY0001\n当日合计：50.00\n{text}").fields.get(
        "signed_by")


@pytest.mark.parametrize("text", ["签字：同意", "患者签字：已核对", "患者签字：无异议", "签字：本人"])
def test_a_signers_line_without_a_name_gives_no_signer(text):
    assert _signed_by(text) is None


@pytest.mark.parametrize(("text", "name"), [("患者签字：王芳", "王芳"), ("家属签字：欧阳晓明", "欧阳晓明"),
                                            ("签字：买买提·艾力", "买买提·艾力"),
                                            ("签字：其其格", "其其格"), ("患者签字：扎西多吉", "扎西多吉"),
                                            ("家属签字：艾力吐尔逊", "艾力吐尔逊")])
def test_a_signers_name_is_still_read(text, name):
    assert _signed_by(text) == name
