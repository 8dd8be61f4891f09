import pytest

from archive.files import sniff
from archive.files.validate import Limits, Rejected, inspect_file
from tests import factories
from tests.fixtures import bad_files

LIMITS = Limits(max_bytes=50 * 1024 * 1024, max_pages=10, max_image_pixels=89_478_485)


def check(tmp_path, content: bytes, limits: Limits = LIMITS):
    path = tmp_path / "upload"
    path.write_bytes(content)
    return inspect_file(path, len(content), limits)


def test_accepts_pdf_and_counts_pages(tmp_path):
    assert check(tmp_path, factories.invoice_pdf(pages=3)) == (sniff.PDF, 3)


def test_accepts_png_and_multipage_tiff(tmp_path):
    assert check(tmp_path, bad_files.png()) == (sniff.PNG, 1)
    assert check(tmp_path, bad_files.multipage_tiff(4)) == (sniff.TIFF, 4)


@pytest.mark.parametrize(("content", "code"), [
    (b"", "empty_file"),
    (bad_files.zip_named_pdf(), "unsupported_type"),
    (b"plain text pretending to be a PDF", "unsupported_type"),
    (bad_files.truncated(factories.invoice_pdf()), "truncated_pdf"),
    (b"%PDF-1.4\n garbage with no objects \n%%EOF\n", "corrupt_pdf"),
    (bad_files.png_bomb(), "image_too_large"),
    (bad_files.truncated_jpeg(), "corrupt_image"),
])
def test_refuses_with_a_reason(tmp_path, content, code):
    with pytest.raises(Rejected) as refusal:
        check(tmp_path, content)
    assert refusal.value.code == code
    assert refusal.value.reason  # a message a clerk can read


def test_bomb_is_refused_from_the_header_before_decoding(tmp_path):
    # 20000×5000 is under Pillow's own hard limit but over ours: our check must catch it.
    limits = Limits(max_bytes=LIMITS.max_bytes, max_pages=10, max_image_pixels=50_000_000)
    with pytest.raises(Rejected, match="20000×5000"):
        check(tmp_path, bad_files.png_bomb(20000, 5000), limits)


def test_page_limit(tmp_path):
    with pytest.raises(Rejected) as refusal:
        check(tmp_path, factories.invoice_pdf(pages=11))
    assert refusal.value.code == "too_many_pages"


def test_password_protected_pdf_is_refused_but_owner_only_protection_opens(tmp_path):
    with pytest.raises(Rejected) as refusal:
        check(tmp_path, bad_files.encrypted_pdf("secret"))
    assert refusal.value.code == "encrypted_pdf"
    assert check(tmp_path, bad_files.encrypted_pdf("")) == (sniff.PDF, 1)
