"""Upload handling shared by the browser desk and the API."""

from __future__ import annotations

from flask import request
from flask_babel import get_locale, gettext

from archive.auth import require
from archive.errors import _ as _l
from archive.files.filenames import safe_filename
from archive.files.validate import Rejected
from archive.intake import Incoming, ingest_many
from archive.web.context import runtime


def ingest_request_files(case_no: str, user, *, kind: str | None) -> tuple[list[dict], int]:
    """Accept every file of the request; the accepted ones are committed together.

    Returns one result per file and the HTTP status: 201 if all were accepted, otherwise the
    status of the first refusal (the accepted ones stay accepted and are listed too).
    """
    require(user, "document.upload")  # a role that may not upload hears that, not "no file"
    files = request.files.getlist("files") + request.files.getlist("file")
    if not files:
        raise Rejected(_l("no file in the request (use the form field 'files')"), code="no_file",
                       status=400)
    rt = runtime()
    try:
        outcomes = ingest_many(rt.sessions, rt.store, rt.limits, tmp_dir=rt.tmp_dir, case_no=case_no,
                               files=[Incoming.from_stream(f.stream, f.filename) for f in files],
                               kind=kind, actor=user)
    except Rejected as refusal:  # the case refuses every file (held, filed)
        outcomes = [refusal] * len(files)
    results, status = [], 201
    for upload, outcome in zip(files, outcomes, strict=True):
        if isinstance(outcome, Rejected):
            # A records refusal (legal hold, filed case) carries a translatable message.
            reason = outcome.message(gettext, get_locale())
            results.append({"filename": safe_filename(upload.filename), "error": reason,
                            "code": outcome.code})
            status = status if status != 201 else outcome.status
        else:
            results.append({"filename": outcome.filename, "document_id": outcome.document_id,
                            "status": outcome.status, "duplicate": outcome.duplicate})
    return results, status

