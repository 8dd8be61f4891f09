"""Who signed a 一日清单 (signed_by) read as a person's name (issue 17): the date written after the
name is no part of it, and a word that names no one (本人) or a blank line gives no signer."""

import pytest

from archive.ocr.fields import read_fields
from tests.unit.test_field_readfix import row


def _signed_by(text: str) -> str | None:
    lines = [row(0.05, (0.02, "姓名：王芳"), (0.4, "住院号：ZY0001")),
             row(0.07, (0.02, "清单日期：2026-03-15")), row(0.09, (0.02, "当日合计：50.00")),
             row(0.11, (0.02, text))]
    return read_fields("daily_statement", lines).fields.get("signed_by")


@pytest.mark.parametrize(("text", "name"), [
    ("患者签字：王芳 2026年3月15日", "王芳"), ("家属签字：李建国（子）", "李建国"),
    ("患者或家属签字：王芳", "王芳"), ("患者（家属）签字：欧阳晓明", "欧阳晓明"),
])
def test_the_signers_name_is_read_without_what_follows(text, name):
    assert _signed_by(text) == name


@pytest.mark.parametrize("text", ["签字：本人", "患者签字：本人", "签字：________", "患者签字：王芳男 45岁"])
def test_no_name_no_signer(text):
    assert _signed_by(text) is None
