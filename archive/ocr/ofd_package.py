"""An OFD file (GB/T 33190) as a package: a ZIP whose root holds `OFD.xml`, read defensively.

An OFD arrives from outside, so the ZIP is judged before anything in it is used: a bounded number
of members, no member larger than `MAX_MEMBER_BYTES` or packed more tightly than
`MAX_RATIO` to one (a zip bomb), no name that leaves the package (`..`, an absolute path, a drive
letter), and a bounded total. Members are read with a cap on what is actually inflated — the
sizes a ZIP declares are the sender's word. XML is parsed with defusedxml (no entity expansion,
no external entities), and every name is taken without its namespace: producers differ in
prefixes (`ofd:`, none) and some even put an invoice's XML in the 2019 `fp:` namespace.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 64 * 1024 * 1024  # an embedded scan of a page is a few MB
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # deflate reaches ~1000:1 only on contrived data; XML packs at 5–20:1
RATIO_FROM_BYTES = 1024 * 1024  # small members may pack tightly (a run of spaces) without harm


class OfdError(ValueError):
    """The file is not a readable OFD package; the message says why, for the user."""


@dataclass
class OfdPackage:
    archive: zipfile.ZipFile
    names: dict[str, zipfile.ZipInfo]  # normalised member name → its entry

    def has(self, name: str) -> bool:
        return _normal(name) in self.names

    def read(self, name: str) -> bytes:
        """A member's bytes, never more than MAX_MEMBER_BYTES however its header lies."""
        key = _normal(name)
        info = self.names.get(key)
        if info is None:
            raise OfdError(f"the OFD names a part that is missing: {name}")
        try:
            with self.archive.open(info) as member:
                data = member.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise OfdError(f"part {name} of the OFD cannot be read: {exc}") from exc
        if len(data) > MAX_MEMBER_BYTES:
            raise OfdError(f"part {name} of the OFD inflates beyond {MAX_MEMBER_BYTES // 2**20} MB")
        return data

    def xml(self, name: str) -> Element:
        """A member parsed as XML, with namespaces dropped from every tag and attribute."""
        return parse_xml(self.read(name), name)

    def close(self) -> None:
        self.archive.close()


def open_package(source: Path | bytes | io.BytesIO) -> OfdPackage:
    """The package, checked; OfdError with the reason when it must be refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise OfdError(f"the file is not a readable ZIP/OFD package: {exc}") from exc
    try:
        names = _checked_names(archive)
    except OfdError:
        archive.close()
        raise
    if "OFD.xml" not in names:
        archive.close()
        raise OfdError("a ZIP archive without OFD.xml is not an OFD document")
    return OfdPackage(archive, names)


def _checked_names(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    entries = archive.infolist()
    if len(entries) > MAX_MEMBERS:
        raise OfdError(f"the OFD package has {len(entries)} parts (limit {MAX_MEMBERS})")
    names, total = {}, 0
    for info in entries:
        raw = info.filename
        if raw.startswith(("/", "\\")) or "\\" in raw or ".." in raw.split("/") or ":" in raw.split("/")[0]:
            raise OfdError(f"the OFD package has a part outside itself: {raw!r}")
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise OfdError("the OFD package is encrypted")
        if info.file_size > MAX_MEMBER_BYTES:
            raise OfdError(f"part {raw} of the OFD is {info.file_size} bytes "
                           f"(limit {MAX_MEMBER_BYTES // 2**20} MB)")
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise OfdError(f"part {raw} of the OFD is packed {ratio}:1 "
                           "(a possible zip bomb)")
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise OfdError(f"the OFD package inflates beyond {MAX_TOTAL_BYTES // 2**20} MB")
        names[_normal(raw)] = info
    return names


def _normal(name: str) -> str:
    return posixpath.normpath(name.lstrip("/")) if name.strip("/") else ""


def resolve(base: str, location: str) -> str:
    """A location as the OFD writes it (relative to the part that names it, or absolute from the
    package root when it starts with '/') as a package member name."""
    location = location.strip()
    if location.startswith("/"):
        return _normal(location)
    return _normal(posixpath.join(posixpath.dirname(base), location))


_DECLARED_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9_-]+)[\"']")


def parse_xml(data: bytes, name: str = "XML") -> Element:
    declared = _DECLARED_ENCODING.match(data)
    if declared and declared.group(1).lower() in (b"gbk", b"gb2312", b"gb18030"):
        # expat reads no multi-byte encoding but UTF-8/16; older Chinese e-invoices are in GBK.
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise OfdError(f"{name} is not in the {declared.group(1).decode()} it declares") from exc
        data = text.replace(declared.group(1).decode(), "UTF-8", 1).encode("utf-8")
    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise OfdError(f"{name} declares entities or a DTD, which are refused") from exc
    except SafeET.ParseError as exc:
        raise OfdError(f"{name} is not well-formed XML: {exc}") from exc
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.rsplit("}", 1)[1]
        for key in [key for key in element.attrib if "}" in key]:
            element.attrib[key.rsplit("}", 1)[1]] = element.attrib.pop(key)
    return root


def child(element: Element | None, *path: str) -> Element | None:
    """The first descendant along `path` (local names), or None."""
    for name in path:
        if element is None:
            return None
        element = element.find(name)
    return element


def text_of(element: Element | None, *path: str) -> str | None:
    found = child(element, *path)
    value = (found.text or "").strip() if found is not None else ""
    return value or None
