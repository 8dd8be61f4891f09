import pytest

from archive.intake.filenames import MAX_NAME_BYTES, safe_filename


@pytest.mark.parametrize(("given", "expected"), [
    ("住院费用一日清单.pdf", "住院费用一日清单.pdf"),
    ("../../etc/passwd", "etc_passwd"),
    ("..\\..\\windows\\system32.pdf", "windows_system32.pdf"),
    ("票据\x00\x1f\x7f名.pdf", "票据_名.pdf"),
    (".hidden.pdf", "hidden.pdf"),
    ("", "unnamed"),
    (None, "unnamed"),
    ("////", "unnamed"),
    ('a:b*c?"d<e>f|g.tif', "a_b_c_d_e_f_g.tif"),
])
def test_safe_filename(given, expected):
    assert safe_filename(given) == expected


def test_long_chinese_name_is_cut_on_a_character_keeping_the_extension():
    name = "医" * 300 + ".pdf"
    safe = safe_filename(name)
    assert safe.endswith(".pdf")
    assert len(safe.encode()) <= MAX_NAME_BYTES
    assert set(safe.removesuffix(".pdf")) == {"医"}  # no half characters


def test_decomposed_unicode_is_normalised():
    assert safe_filename("e\u0301.pdf") == "\u00e9.pdf"
