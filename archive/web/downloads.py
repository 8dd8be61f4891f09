"""Files sent to the browser or an API client: originals and exported case files, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import quote

from flask import Response, stream_with_context

from archive.cases import open_original
from archive.records.errors import OriginalDamaged
from archive.web.context import db, runtime

CHUNK = 256 * 1024


def original_response(user, document_id: int) -> Response:
    """The original as it was received, for the desk and the API alike (same checks, same audit
    event): the store's bytes are verified against their sha256 as they are read."""
    try:
        document, stream = open_original(db(), runtime().store, user, document_id)
    except OriginalDamaged:
        db().commit()  # what the check found stays in the trail
        raise
    db().commit()
    return attachment(stream, filename=document.filename, content_type=document.content_type,
                      size=document.stored_object.size)


def attachment(stream: BinaryIO, *, filename: str, content_type: str, size: int) -> Response:
    """A streamed download kept out of every cache (medical records; a shared desk's next user)."""
    return Response(stream_with_context(_chunks(stream)), mimetype=content_type, headers={
        "Content-Disposition": content_disposition(filename),
        "Content-Length": str(size),
        "Cache-Control": "private, no-store",
    })


def content_disposition(filename: str) -> str:
    """An attachment header that keeps Chinese names (RFC 6266 / 5987) with an ASCII fallback."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    try:
        while chunk := stream.read(CHUNK):
            yield chunk
    finally:
        stream.close()
