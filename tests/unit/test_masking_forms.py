"""Identifiers in the forms people write them are masked (issue 22, defect 5): grouped with spaces
or hyphens, after a prefix, the old 15-digit IDs, spaced mobiles — and the numbers around them that
are not identifiers are left alone."""

import pytest

from archive.records.masking import mask, mask_text


@pytest.mark.parametrize(("text", "masked"), [
    ("身份证 320102 19850615 4410 号", "身份证 320102********4410 号"),
    ("320102-19850615-441X", "320102********441X"),
    ("ID320102198506154410", "ID320102********4410"),
    ("ID:32010219850615441x。", "ID:320102********441x。"),
    ("旧证 320102850615123", "旧证 320102******123"),
    ("旧证 320102 850615 123", "旧证 320102******123"),
    ("电话 138 1234 5678", "电话 138****5678"),
    ("手机138-1234-5678，", "手机138****5678，"),
    ("Tel13812345678", "Tel138****5678"),
    ("320102198506154410", "320102********4410"),
])
def test_identifiers_as_people_write_them(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", [
    "发票号码 12345678901234567890",  # a 数电票 number: 20 digits
    "票据代码 12345678 票据号码 0012345678",
    "医保编号 721726665471",
    "案卷 AJ-2026-000123，档号 F001-2026-D10-DY-0007",
    "金额 3201021985.06",
    "sha256 ab320102198506154410cd",
    "旧号 320102991399123",  # no birth date in it: not a 15-digit ID
])
def test_other_numbers_are_left_alone(text):
    assert mask_text(text) == text


def test_fields_and_snippets_are_masked_the_same_way():
    assert mask({"claimant_id_number": "320102 19850615 4410", "note": ["联系 139 0000 1111"]}) == {
        "claimant_id_number": "320102********4410", "note": ["联系 139****1111"]}
