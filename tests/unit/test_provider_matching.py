"""How a printed provider name and code find the register's provider
(archive/providers/matching.py): normalised names, aliases, codes first, ambiguity kept."""

from __future__ import annotations

import pytest

from archive.providers.matching import Directory, normal_name

USCC_A, USCC_B = "12350100MB0000031X", "12350100MB0000032Y"  # the check digit is not matching's job


@pytest.mark.parametrize("printed", ["县人民医院（章）", "县人民医院(章)", "县 人民医院", "县人民医院 ",
                                     "县人民医院【收费专用章】", "县人民医院（财务专用章）", "县入民医阮"])
def test_printed_variants_compare_equal_to_the_registered_name(printed):
    assert normal_name(printed) == normal_name("县人民医院")


def test_brackets_compare_alike_but_different_names_stay_different():
    assert normal_name("县人民医院（东院）") == normal_name("县人民医院(东院)")
    assert normal_name("县人民医院") != normal_name("县中医院")
    assert normal_name(None) == ""


def directory() -> Directory:
    return Directory(names={1: "县人民医院", 2: "县中医院"},
                     by_code={USCC_A: {1}, "H2": {2}, USCC_B: {2}},
                     by_name={normal_name("县人民医院"): {1}, normal_name("县中医院"): {2}},
                     by_alias={normal_name("县医院"): {1}})


@pytest.mark.parametrize(("name", "codes", "ids", "how"), [
    ("县人民医院（章）", (), (1,), "name"),
    ("县医院", (), (1,), "alias"),
    ("某某诊所", (USCC_B,), (2,), "code"),  # a code the register knows decides without the name
    ("县中医院", (USCC_B.lower(),), (2,), "code"),
    ("县中医院", (USCC_A,), (1, 2), "code"),  # code and name name different providers: ambiguous
    ("某某诊所", (USCC_A, "H2"), (1, 2), "code"),
    ("某某诊所", ("91350100000000000X",), (), None),
    ("", (), (), None),
])
def test_the_strongest_evidence_decides_and_a_conflict_is_ambiguous(name, codes, ids, how):
    match = directory().match(name, codes)
    assert (match.provider_ids, match.how) == (ids, how)
    assert match.ambiguous == (len(ids) > 1)
    assert match.provider_id == (ids[0] if len(ids) == 1 else None)
