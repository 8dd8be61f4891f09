"""PDF decompression bombs are refused at intake, before PDFium or pdfminer decode a stream,
however the stream is wrapped; ordinary PDFs and large honest images still pass."""

import base64

import pytest

from archive.files import sniff
from archive.files.pdfstreams import SCAN, Source, StreamLimits
from archive.files.validate import Limits, Rejected, inspect_file
from tests import factories
from tests.fixtures import bad_files

MB = 1024 * 1024
LIMITS = Limits(max_bytes=50 * MB, max_pages=10, max_image_pixels=89_478_485)


def check(tmp_path, content: bytes, limits: Limits = LIMITS, *, in_memory: bool = False):
    path = tmp_path / "upload"
    path.write_bytes(content)
    return inspect_file(path, len(content), limits, content=content if in_memory else None)


@pytest.mark.parametrize("in_memory", [False, True], ids=["from_disk", "from_memory"])
@pytest.mark.parametrize(("make", "what"), [
    (lambda: bad_files.flate_bomb_pdf(200), "a content stream"),
    (lambda: bad_files.flate_bomb_pdf(100, filters="[/FlateDecode /FlateDecode]", layers=2),
     "a content stream"),
    (lambda: bad_files.flate_bomb_pdf(100, filters="[/ASCII85Decode /FlateDecode]",
                                      encode=lambda data: base64.a85encode(data) + b"~>"),
     "a content stream"),
    (lambda: bad_files.flate_bomb_pdf(100, filters="[/AHx /Fl]",
                                      encode=lambda data: data.hex().encode() + b">"),
     "a content stream"),
    (lambda: bad_files.encrypted_flate_bomb_pdf(100), "a content stream"),
    (lambda: bad_files.flate_bomb_pdf(100, hidden_end=True), "a content stream"),
    (lambda: bad_files.image_bomb_pdf(300), "an image"),
], ids=["flate", "flate_twice", "ascii85_flate", "hex_flate", "encrypted", "endstream_inside",
         "image"])
def test_bomb_is_refused_with_the_reason(tmp_path, make, what, in_memory):
    with pytest.raises(Rejected) as refusal:
        check(tmp_path, make(), in_memory=in_memory)
    assert refusal.value.code == "pdf_stream_too_large"
    assert refusal.value.status == 422
    assert f"holds {what}" in refusal.value.reason and "decompression bomb" in refusal.value.reason


def test_limits_come_from_settings_and_are_exact(tmp_path):
    small = Limits(max_bytes=50 * MB, max_pages=10, max_image_pixels=89_478_485,
                   max_pdf_stream_bytes=3 * MB, max_pdf_image_bytes=3 * MB)
    assert check(tmp_path, bad_files.flate_bomb_pdf(3), small) == (sniff.PDF, 1)
    with pytest.raises(Rejected, match="more than 3 MB"):
        check(tmp_path, bad_files.flate_bomb_pdf(4), small)


@pytest.mark.parametrize("make", [
    lambda: factories.invoice_pdf(pages=3),
    lambda: bad_files.encrypted_pdf(""),
    lambda: bad_files.encrypted_flate_bomb_pdf(2),
    lambda: bad_files.huge_image_page_pdf(20000),  # 50 MB of 1-bit pixels: an honest large scan
    lambda: bad_files.image_bomb_pdf(200),  # a 200 MB greyscale image is under the image limit
], ids=["invoice", "owner_password_only", "small_encrypted", "poster", "large_image"])
def test_ordinary_and_large_honest_pdfs_pass(tmp_path, make):
    content_type, pages = check(tmp_path, make())
    assert content_type == sniff.PDF and pages >= 1


@pytest.mark.parametrize("at", [0, 1, SCAN - 8, SCAN - 3, SCAN, SCAN + 1, 2 * SCAN - 1])
def test_streams_are_found_across_the_blocks_a_file_is_read_in(at):
    data = b"%" * at + b" stream\n" + b"x" * 100 + b"endstream" + b"%" * SCAN
    source = Source.of_bytes(data)
    starts = list(source.starts())
    assert starts == [(at + 1, at + 8)]
    assert source.find(b"endstream", at + 8) == at + 108
    assert list(Source.of_bytes(b"%" * at + b"endstream\n").starts()) == []


def test_a_small_file_is_cleared_by_its_size_unless_its_filters_can_multiply():
    """The whole-file bound: a small file with single Flate (and ASCII85) streams needs no stream
    measured, but a repeated filter or an indirect /Filter are always measured, and a file with
    ASCII85 (its "z" quadruples) must be four times smaller."""
    from archive.files.pdfstreams import _cannot_exceed

    limits = StreamLimits(64 * 1024 * 1024, 256 * 1024 * 1024)
    plain = b"%PDF-1.4\n1 0 obj <</Length 10 /Filter /FlateDecode>> stream\n0123456789\nendstream"
    assert _cannot_exceed(Source.of_bytes(plain), limits)
    ascii85 = plain.replace(b"/FlateDecode", b"[/ASCII85Decode /FlateDecode]", 1)
    assert _cannot_exceed(Source.of_bytes(ascii85), limits)
    for filters in (b"[/FlateDecode /Fl]", b"[/A85 /A85 /FlateDecode]", b"5 0 R"):
        risky = plain.replace(b"/FlateDecode", filters, 1)
        assert not _cannot_exceed(Source.of_bytes(risky), limits), filters
    assert not _cannot_exceed(Source.of_bytes(plain + b" " * 70_000), limits)  # too big to tell
    assert not _cannot_exceed(Source.of_bytes(ascii85 + b" " * 20_000), limits)
