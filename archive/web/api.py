"""JSON API for scanner software and scripts. Bearer tokens only: no cookies, so no CSRF."""

from __future__ import annotations

from dataclasses import replace
from functools import wraps

from flask import Blueprint, g, jsonify, request

from archive.access import get_document
from archive.audit import current_origin
from archive.auth import api_token, require
from archive.cases import document_states, view_case
from archive.errors import Refusal
from archive.intake import open_case
from archive.intake.cases import update_case
from archive.intake.corrections import delete_document, reclassify_document
from archive.intake.field_corrections import correct_field
from archive.search import read_params
from archive.search import search as run_search
from archive.web import route_permissions
from archive.web.bodies import (
    CaseCorrection,
    CaseOpening,
    FieldCorrection,
    Reclassification,
    Removal,
    parse_body,
    text,
)
from archive.web.context import db, runtime
from archive.web.downloads import original_response
from archive.web.uploads import ingest_request_files

api = Blueprint("api", __name__, url_prefix="/api")


class Unauthorized(Refusal):
    status = 401
    code = "unauthorized"


def token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        token = None
        if header.startswith("Bearer "):
            token = api_token(db(), header.removeprefix("Bearer ").strip())
        user, token_id = (token.user, token.id) if token is not None else (None, None)
        if user is None:
            raise Unauthorized("a valid API token is required (header 'Authorization: Bearer ...')")
        if db().dirty:
            db().commit()  # records the token's last use (at most once a minute)
        require(user, "api.use")
        route_permissions.check(user, request.endpoint)
        g.api_user = user
        # Every audit event of this request names the token (reset with the request's origin).
        current_origin.set(replace(current_origin.get(), token_id=token_id))
        return view(*args, **kwargs)

    return wrapper


@api.post("/cases")
@token_required
def create_case():
    body = parse_body(CaseOpening).model_dump()
    fields = ("claimant_name", "claim_type", "claimant_id_number", "insurance_number", "township",
              "village", "hospital", "filed_by")
    extra = ("amount", "out_of_county", "designated_provider")  # route the case to its chain
    case = open_case(db(), actor=g.api_user, **{k: text(body[k]) for k in fields},
                     **{k: text(body[k]) for k in extra if body[k] is not None})
    db().commit()
    return jsonify(case_no=case.case_no, status=case.status), 201


@api.get("/cases/<case_no>")
@token_required
def show_case(case_no: str):
    case = view_case(db(), g.api_user, case_no)
    db().commit()
    return jsonify(case_no=case.case_no, claimant_name=case.claimant_name,
                   claim_type=case.claim_type, status=case.status,
                   documents=document_states(db(), g.api_user, case_no))


@api.post("/cases/<case_no>/documents")
@token_required
def upload(case_no: str):
    results, status = ingest_request_files(case_no, g.api_user,
                                           kind=request.form.get("kind") or None)
    return jsonify(results=results), status


@api.get("/documents/<int:document_id>")
@token_required
def show_document(document_id: int):
    document = get_document(db(), g.api_user, document_id)
    return jsonify(id=document.id, case_no=document.case.case_no, status=document.status,
                   pages=document.page_count, kind=document.kind, filename=document.filename,
                   failure_reason=document.failure_reason, duplicate_of=document.duplicate_of_id,
                   sha256=document.stored_object.sha256, fields=document.fields,
                   field_sources=document.field_sources or {}, checks=document.checks)


@api.get("/documents/<int:document_id>/original")
@token_required
def download_original(document_id: int):
    """The original file, as the desk's download gives it (scanner and archive-system
    integrations fetch what they stored); the bytes are checked against their sha256."""
    return original_response(g.api_user, document_id)


@api.put("/documents/<int:document_id>/fields/<field>")
@token_required
def correct_document_field(document_id: int, field: str):
    """{"value": "2026年3月5日", "reason": "..."}; an empty value clears the field."""
    body = parse_body(FieldCorrection)
    correction = correct_field(db(), document_id, actor=g.api_user, field=field,
                               value=text(body.value), reason=body.reason or "")
    document = correction.document
    db().commit()
    return jsonify(id=document.id, field=field, value=correction.value,
                   machine_value=correction.machine_value, fields=document.fields, checks=document.checks)


@api.patch("/cases/<case_no>")
@token_required
def correct_case(case_no: str):
    """{"reason": "...", "<field>": value, ...} for the fields of archive.intake.cases.EDITABLE_FIELDS."""
    changes = parse_body(CaseCorrection).model_dump(exclude_unset=True)
    case = update_case(db(), case_no, actor=g.api_user, reason=text(changes.pop("reason", None)) or "",
                       **changes)
    db().commit()
    return jsonify(case_no=case.case_no, status=case.status, version=case.version)


@api.patch("/documents/<int:document_id>")
@token_required
def reclassify(document_id: int):
    """{"kind": "invoice", "reason": "..."}"""
    body = parse_body(Reclassification)
    document = reclassify_document(db(), document_id, actor=g.api_user, kind=body.kind or "",
                                   reason=body.reason or "")
    db().commit()
    return jsonify(id=document.id, kind=document.kind, status=document.status)


@api.delete("/documents/<int:document_id>")
@token_required
def remove_document(document_id: int):
    """?reason=... (or {"reason": "..."})"""
    body = parse_body(Removal, required=False) if request.is_json else Removal()
    reason = request.args.get("reason") or body.reason or ""
    case_no = delete_document(db(), document_id, actor=g.api_user, reason=str(reason))
    db().commit()
    return jsonify(deleted=document_id, case_no=case_no)


@api.get("/search")
@token_required
def search_documents():
    """Search as the token's user; the parameters of archive.search.params, strictly checked."""
    require(g.api_user, "search.use")
    params = read_params(request.args, strict=True)
    result = run_search(db(), runtime().search_index(), g.api_user, params.query,
                        filters=params.filters, sort=params.sort, page=params.page,
                        page_size=params.page_size)
    db().commit()  # an auditor's search is an audit event
    return jsonify(query=params.query, filters=params.filters, sort=params.sort, **result.as_dict())
