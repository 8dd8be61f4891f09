"""How large a PDF's streams become once decoded, measured before any reader decodes them.

A megabyte of Flate data can inflate to a gigabyte (a "decompression bomb"), and PDFium (page
count, rendering) and pdfminer (the text layer) both decode a stream whole, in memory. So before
either opens the file, every stream is found in the raw bytes and run through its declared
filters here a chunk at a time, counting the output and holding none of it: memory stays at a
few chunks whatever the stream claims. A stream whose raw length cannot reach the limit even at
Flate's highest ratio is not decoded at all, so an ordinary invoice costs a scan for keywords
(0.3 ms). That length is the one readers use (/Length, direct or by reference, with the
`endstream` keyword where it says): a keyword hidden inside the data does not shorten it.

Streams are found by their `stream` keyword, not through the cross-reference table: a broken
table cannot hide one, and streams never sit inside object streams. Page content, fonts and
forms get a smaller limit than images: pdfminer turns every operator of a content stream into
Python objects, while an image's decoded bytes are bounded by its declared size when drawn.
"""

from __future__ import annotations

import base64
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

READ = 64 * 1024  # raw bytes fed to a decoder at a time
SCAN = 1024 * 1024  # bytes searched for the `stream` keyword at a time
OUT = 256 * 1024  # the most decoded bytes held at a time
FLATE_MAX_RATIO = 1040  # deflate's worst case is 1032:1; zlib's header and checksum add bytes
DICT_WINDOW = 4096  # how far before `stream` a stream's dictionary is looked for first
MAX_DICT = 16 * 1024 * 1024  # ... and at most

# Not preceded by a letter (endstream), and then whatever whitespace a lenient reader skips
# (the spec's end of line, or none at all): whitespace never starts Flate data, whose first
# byte ends in 8, and the ASCII filters ignore it.
_STREAM = re.compile(rb"stream(?![A-Za-z0-9])[ \t\f\0]*(?:\r\n|\n|\r)?")
_OBJ_NUMBERS = re.compile(rb"(?<!\d)(\d+)\s+(\d+)\s+$")  # before "obj"
_LENGTH = re.compile(rb"/Length\s+(\d+)(?:\s+(\d+)\s+R\b)?")  # not /Length1 (fonts)
_INTEGER_BODY = re.compile(rb"\s+(\d+)\s+endobj")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
_NAME = re.compile(rb"/([^\s/\[\]<>()]+)")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_NOT_HEX = re.compile(rb"[^0-9A-Fa-f]")
_SPACE = re.compile(rb"\s+")
_A85_GROUP = re.compile(rb"z|[!-u]{5}")

# Filters that can only shrink (ASCII encodings) or whose output is bounded by the image size
# they declare (DCT, JPX, JBIG2, CCITT) end the measurement: what came out so far is counted.
_FLATE = {b"FlateDecode", b"Fl"}
_HEX = {b"ASCIIHexDecode", b"AHx"}
_A85 = {b"ASCII85Decode", b"A85"}


# What the whole-file bound below cannot see through: a filter array naming Flate or ASCII85
# twice (the ratios multiply), or a /Filter held in another object (an indirect reference).
_FLATE_NAME, _A85_NAME = rb"/Fl(?:ateDecode)?(?![A-Za-z])", rb"/A(?:SCII)?85(?:Decode)?(?![A-Za-z])"
_UNBOUNDED = re.compile(rb"/Filter\s*(?:\[[^\]]*?" + _FLATE_NAME + rb"[^\]]*?" + _FLATE_NAME
                        + rb"|\[[^\]]*?" + _A85_NAME + rb"[^\]]*?" + _A85_NAME + rb"|\d)")
_ASCII85 = re.compile(_A85_NAME)
A85_MAX_RATIO = 4  # "z" writes four zero bytes in one character


def _cannot_exceed(source: Source, limits: StreamLimits) -> bool:
    """Whether the whole file is too small for any stream in it to inflate past a limit: one
    Flate filter gives at most FLATE_MAX_RATIO times its input, one ASCII85 filter four times
    (hex only shrinks), so a file under limit / (FLATE_MAX_RATIO × 4) (15 KB at 64 MB; 62 KB
    without ASCII85) that repeats neither filter in one stream needs no stream measured — an
    ordinary invoice costs two regular-expression searches."""
    limit = min(limits.content_bytes, limits.image_bytes)
    if source.size * FLATE_MAX_RATIO > limit:
        return False
    data = source.read(0, source.size)
    if _UNBOUNDED.search(data):
        return False
    return not (_ASCII85.search(data) and source.size * FLATE_MAX_RATIO * A85_MAX_RATIO > limit)


@dataclass(frozen=True)
class Oversized:
    """A stream that decodes to more than its limit (counting stopped at the limit)."""

    offset: int  # where its data starts in the file
    image: bool
    limit: int


@dataclass(frozen=True)
class StreamLimits:
    content_bytes: int  # page content, forms, fonts, object streams: anything but an image
    image_bytes: int


class Source:
    """The file's bytes, read a block at a time (`read(offset, length)`), so that measuring a
    200 MB scan holds a few blocks, not the file: a file on disk is read with pread, an upload
    already in memory is sliced."""

    def __init__(self, read, size: int) -> None:
        self.read, self.size = read, size
        self._integers: dict[tuple[int, int], int] | None = None

    @classmethod
    def of_bytes(cls, content: bytes) -> Source:
        return cls(lambda offset, length: content[offset:offset + length], len(content))

    @classmethod
    def of_file(cls, fd: int, size: int) -> Source:
        return cls(lambda offset, length: os.pread(fd, length, offset), size)

    def starts(self) -> Iterator[tuple[int, int]]:
        """(offset of the `stream` keyword, offset of its data) for every stream."""
        for block in range(0, self.size, SCAN):
            # One byte before the block to see what precedes a keyword, a few after for a
            # keyword across the boundary (it belongs to the block it starts in). bytes.find,
            # not a regular expression: a look-behind makes re scan at 5 MB/s, find at GB/s.
            before = 1 if block else 0
            data = self.read(block - before, SCAN + before + 16)
            at = data.find(b"stream", before)
            while 0 <= at < SCAN + before:
                match = _STREAM.match(data, at)
                if match and not data[at - 1:at].isalpha():
                    yield block - before + at, block - before + match.end()
                at = data.find(b"stream", at + 6)

    def find(self, needle: bytes, start: int) -> int:
        at, step = start, READ  # most streams are short: a small first read, then larger ones
        while at < self.size:
            data = self.read(at, step + len(needle))
            found = data.find(needle)
            if found >= 0:
                return at + found
            at += step
            step = min(step * 2, SCAN)
        return -1

    def integer_objects(self) -> dict[tuple[int, int], int]:
        """Every `N G obj <integer> endobj` of the file (indirect stream lengths), found once."""
        if self._integers is None:
            self._integers = {}
            for block in range(0, self.size, SCAN):
                base = max(0, block - 32)
                data = self.read(base, block - base + SCAN + 64)
                at = data.find(b"obj", block - base)
                while 0 <= at < block - base + SCAN:
                    numbers = _OBJ_NUMBERS.search(data, max(0, at - 32), at)
                    value = _INTEGER_BODY.match(data, at + 3)
                    if numbers and value:
                        self._integers[(int(numbers[1]), int(numbers[2]))] = int(value[1])
                    at = data.find(b"obj", at + 3)
        return self._integers

    def chunks(self, start: int, end: int) -> Iterator[bytes]:
        for at in range(start, end, READ):
            yield self.read(at, min(READ, end - at))


def find_oversized(source: Source, limits: StreamLimits, *, decipher=None) -> Oversized | None:
    """The first stream whose decoded size exceeds its limit, or None. `decipher(objid, genno,
    raw) -> bytes` decrypts an encrypted file's streams (held whole: a stream at most)."""
    if _cannot_exceed(source, limits):
        return None
    for keyword, start in source.starts():
        header, dictionary = _dictionary(source, keyword)
        image = bool(_IMAGE.search(dictionary))
        limit = limits.image_bytes if image else limits.content_bytes
        filters = _filters(dictionary)
        length = _length(source, start, dictionary)
        if length is None and decipher is not None:
            # Deciphering to the end of the file for every stream would cost too much: the
            # keyword is taken as the end (a bomb that hides an `endstream` in its data and
            # gives its length indirectly in an encrypted file is not measured here).
            found = source.find(b"endstream", start)
            length = (source.size if found < 0 else found) - start
        if length is None:
            # No length that a reader is bound to (given indirectly, or not followed by the
            # keyword): the data may run anywhere up to the end of the file, and the keyword
            # itself can sit inside it. Decoding stops where the encoded data ends.
            length = source.size - start
        if _bound(length, filters) <= limit:
            continue
        if decipher is not None and header is not None:
            raw = decipher(*header, source.read(start, length))
            chunks: Iterable[bytes] = (raw[at:at + READ] for at in range(0, len(raw), READ))
        else:
            chunks = source.chunks(start, start + length)
        if _measure(chunks, filters, limit) > limit:
            return Oversized(offset=start, image=image, limit=limit)
    return None


def _dictionary(source: Source, keyword: int) -> tuple[tuple[int, int] | None, bytes]:
    """The (object number, generation) of the `N G obj` header before a stream keyword and the
    dictionary text between them; the window grows until the header is found, so padding a
    dictionary does not hide its filters."""
    window = DICT_WINDOW
    while True:
        head = source.read(max(0, keyword - window), min(keyword, window))
        at = len(head)
        # rfind, not a regular expression over the window: digits in binary data make that slow.
        while (at := head.rfind(b"obj", 0, at)) >= 0:
            numbers = _OBJ_NUMBERS.search(head, max(0, at - 32), at)
            if numbers and not head[at + 3:at + 4].isalnum():
                return (int(numbers[1]), int(numbers[2])), head[at + 3:]
        if window >= keyword or window >= MAX_DICT:
            return None, head[-DICT_WINDOW:]
        window *= 4


def _length(source: Source, start: int, dictionary: bytes) -> int | None:
    """The stream's /Length, when readers will take it: given directly, or as an integer object
    outside object streams, and followed by the `endstream` keyword where it says."""
    found = _LENGTH.search(dictionary)
    if found is None:
        return None
    if found[2] is None:
        length = int(found[1])
    else:
        length = source.integer_objects().get((int(found[1]), int(found[2])))
        if length is None:
            return None
    after = source.read(start + length, 32).lstrip(b"\r\n \t\f\0")
    return length if after.startswith(b"endstream") else None


def _filters(dictionary: bytes) -> list[bytes]:
    """The declared filter names in order; unknown (none, or given by reference) means Flate is
    tried, since that is the filter a bomb needs."""
    found = _FILTER.search(dictionary)
    names = _NAME.findall(found[1]) if found else []
    return names or [b"FlateDecode"]


def _bound(raw_length: int, filters: list[bytes]) -> float:
    """The most bytes the filters could produce from `raw_length` bytes."""
    bound = float(raw_length)
    for name in filters:
        if name in _FLATE:
            bound *= FLATE_MAX_RATIO
        elif name in _HEX:
            bound /= 2
        elif name in _A85:
            bound *= 4  # "z" stands for four zero bytes
        else:
            break
    return bound


def _measure(chunks: Iterable[bytes], filters: list[bytes], limit: int) -> int:
    """Bytes out of the filter chain, stopping as soon as they pass `limit`."""
    stream: Iterable[bytes] = chunks
    for name in filters:
        if name in _FLATE:
            stream = _inflate(stream)
        elif name in _HEX:
            stream = _unhex(stream)
        elif name in _A85:
            stream = _un85(stream)
        else:
            break
    total = 0
    try:
        for piece in stream:
            total += len(piece)
            if total > limit:
                break
    except (zlib.error, ValueError):
        pass  # a damaged stream: readers stop here too, with what came out so far
    return total


def _inflate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    inflater = zlib.decompressobj()
    for chunk in chunks:
        pending = chunk
        while pending and not inflater.eof:
            out = inflater.decompress(pending, OUT)
            pending = inflater.unconsumed_tail
            if out:
                yield out
        if inflater.eof:
            return


def _unhex(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        end = chunk.find(b">")
        digits = carry + _NOT_HEX.sub(b"", chunk if end < 0 else chunk[:end])
        whole = len(digits) - len(digits) % 2
        yield bytes.fromhex(digits[:whole].decode())
        carry = digits[whole:]
        if end >= 0:
            break
    if carry:
        yield b"\0"


def _un85(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        end = chunk.find(b"~>")
        text = carry + _SPACE.sub(b"", chunk if end < 0 else chunk[:end])
        groups = _A85_GROUP.findall(text)
        used = sum(len(group) for group in groups)
        yield base64.a85decode(b"".join(groups))
        carry = text[used:]
        if end >= 0:
            break
