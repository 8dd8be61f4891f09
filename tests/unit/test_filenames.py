import pytest

from archive.files.filenames import MAX_NAME_BYTES, safe_filename, visible_original


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


@pytest.mark.parametrize(("given", "content_type", "expected"), [
    ("发票\u202efdp.exe", "application/pdf", "发票fdp.pdf"),  # shown as 发票exe.pdf before
    ("清\u200b单\u200d.pdf", "application/pdf", "清单.pdf"),  # zero-width space and joiner
    ("\ufeff\u2066扫描\u2069.tif", "image/tiff", "扫描.tif"),  # BOM, bidi isolates
    ("票据\u0085\u2028名.pdf", "application/pdf", "票据_名.pdf"),  # C1 control, line separator
    ("invoice.exe", "application/pdf", "invoice.pdf"),
    ("scan.PDF", "application/pdf", "scan.PDF"),
    ("photo.jpeg", "image/jpeg", "photo.jpeg"),
    ("photo.pdf", "image/png", "photo.png"),
    ("scan 2026.11", "image/tiff", "scan 2026.11.tif"),
    ("发票", "application/pdf", "发票.pdf"),
    ("\u202e", "application/pdf", "unnamed.pdf"),
    ("../..\u202e/.exe", "image/jpeg", "exe.jpg"),
])
def test_invisible_characters_go_and_the_extension_follows_the_content(given, content_type, expected):
    assert safe_filename(given, content_type) == expected


def test_the_name_as_sent_is_kept_with_invisible_characters_written_out():
    assert visible_original("发票\u202efdp.exe") == "发票<U+202E>fdp.exe"
    assert visible_original("a\x00b\u200b.pdf") == "a<U+0000>b<U+200B>.pdf"
    assert visible_original(None) == ""


def test_every_accepted_type_keeps_or_gets_its_extension():
    """Each type intake accepts (OFD and e-invoice XML too) has its extension, however named."""
    from archive.files.sniff import EXTENSIONS

    for content_type, extension in EXTENSIONS.items():
        assert safe_filename(f"发票{extension.upper()}", content_type) == f"发票{extension.upper()}"
        assert safe_filename("发票.exe", content_type) == f"发票{extension}"
