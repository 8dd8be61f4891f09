"""Names and ID numbers as a notice board prints them (公示脱敏)."""

import pytest

from archive.notices import mask_id, mask_name, min_posting_days


@pytest.mark.parametrize(("name", "shown"), [
    ("张三", "张*"), ("张小三", "张*三"), ("欧阳小明", "欧**明"), ("王", "*"), ("", ""),
])
def test_names_keep_the_family_name_and_the_last_character(name, shown):
    assert mask_name(name) == shown


@pytest.mark.parametrize(("number", "shown"), [
    ("11010519491231002X", "110105********002X"),  # region code + last four (archive.records.masking)
    ("110105491231002", "110105******002"),  # an old 15-digit ID
    ("A1234567", "****4567"),  # not an ID we know: the last four only
    (None, None),
])
def test_ids_keep_the_region_and_the_last_four(number, shown):
    assert mask_id(number) == shown


def test_the_posting_period_comes_from_the_configuration():
    assert min_posting_days() == 7  # storage_config/notices.toml; seed 003: 不少于7天
