"""A typed hospital is compared with the one read as a name, not as a string of code points: the
same name written with 全角 or 半角 brackets or spaces is no `hospital_mismatch` (which blocks
the next sign-off), a different name still is."""

from types import SimpleNamespace

from archive.models.cases import DocumentStatus
from archive.signoff.hospitals import MISMATCH, hospital_findings, name_form


def case(typed: str, read: str) -> SimpleNamespace:
    invoice = SimpleNamespace(id=1, kind="invoice", status=DocumentStatus.PROCESSED,
                              fields={"hospital": read})
    return SimpleNamespace(hospital=typed, documents=[invoice])


def test_the_same_name_with_other_brackets_or_spaces_is_no_mismatch():
    for typed in ("南京市(江宁区)人民医院", "南京市 （江宁区） 人民医院", "南京市【江宁区】人民医院"):
        assert hospital_findings(case(typed, "南京市（江宁区）人民医院"), "error") == [], typed


def test_another_name_is_still_a_mismatch():
    [finding] = hospital_findings(case("南京市(江宁区)中医院", "南京市（江宁区）人民医院"), "error")
    assert finding["code"] == MISMATCH and finding["params"]["typed"] == "南京市(江宁区)中医院"


def test_name_form_keeps_the_characters_that_tell_names_apart():
    assert name_form("县人民医院") != name_form("县中医院")
    assert name_form(None) == ""
