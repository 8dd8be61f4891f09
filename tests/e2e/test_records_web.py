"""The archive desk over HTTP: filing, holds on the case page, refusals with 423, appraisal and
destruction by different people, the register as CSV; CSRF, roles, Chinese and English."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from archive.models import AuditEvent
from archive.retention import china_date
from tests import factories


@pytest.fixture
def desk(runtime):
    desk = factories.sign_off_desk(runtime)
    desk["archivist2"] = factories.make_user(runtime, "archivist", "u_archivist2")
    return desk


@pytest.fixture
def as_user(app, desk):
    """A signed-in test client per user: as_user("archivist")."""
    clients = {}

    def client_for(name: str):
        if name not in clients:
            clients[name] = app.test_client()
            assert factories.login(clients[name], desk[name]).status_code == 302
        return clients[name]

    return client_for


def post(client, path: str, page: str, **form):
    token = factories.csrf_from(client.get(page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **form})


def test_filing_and_holds_from_the_desk_and_the_case_page(runtime, desk, as_user):
    archivist, clerk = as_user("archivist"), as_user("intake_clerk")
    case_no = factories.close_by_rejection(runtime, desk, seed=1)
    page = archivist.get("/records").get_data(as_text=True)
    assert "档案管理" in page and case_no in page and "待遇审核材料" in page
    assert "Archive desk" in archivist.get("/records?lang=en").get_data(as_text=True)
    archivist.get("/records?lang=zh_CN")

    assert archivist.post(f"/records/cases/{case_no}/file").status_code == 400  # no CSRF token
    filed = post(archivist, f"/records/cases/{case_no}/file", "/records")
    assert filed.status_code == 302
    shown = archivist.get(f"/cases/{case_no}").get_data(as_text=True)
    assert f"F001-{china_date().year}-D10-DY-0001" in shown and "已归档" in shown

    # Holds from the case page: placed with a reason, shown, and the case refuses changes.
    open_case = factories.make_case(runtime, desk["intake_clerk"])
    assert post(archivist, f"/records/cases/{open_case}/holds", f"/cases/{open_case}",
                reason="", back="case").status_code == 422
    response = post(archivist, f"/records/cases/{open_case}/holds", f"/cases/{open_case}",
                    reason="法院调取", back="case")
    assert response.status_code == 302 and response.location.endswith(f"/cases/{open_case}")
    shown = clerk.get(f"/cases/{open_case}").get_data(as_text=True)
    assert "已冻结" in shown and "法院调取" in shown
    token = factories.csrf_from(shown)
    upload = clerk.post(f"/cases/{open_case}/documents", headers={"X-Requested-With": "fetch"},
                        data={"csrf_token": token, "kind": "invoice",
                              "files": (io.BytesIO(factories.invoice_pdf(seed=5)), "票据.pdf")})
    assert upload.status_code == 423
    assert "已被冻结" in upload.get_json()["results"][0]["error"]
    api = clerk.application.test_client()
    api_token = factories.api_token(runtime, desk["intake_clerk"])
    refused = api.post(f"/api/cases/{open_case}/documents",
                       headers={"Authorization": f"Bearer {api_token}"},
                       data={"kind": "invoice",
                             "files": (io.BytesIO(factories.invoice_pdf(seed=5)), "a.pdf")})
    assert refused.status_code == 423 and refused.get_json()["results"][0]["code"] == "case_on_hold"

    # A clerk may neither hold nor open the desk.
    forbidden = post(clerk, f"/records/cases/{open_case}/holds", f"/cases/{open_case}", reason="x")
    assert forbidden.status_code == 403
    assert clerk.get("/records").status_code == 403
    hold_id = _last(runtime, "records.hold_placed")["hold"]
    assert post(archivist, f"/records/cases/{open_case}/holds/{hold_id}/lift", "/records",
                reason="诉讼结束").status_code == 302
    assert "已冻结：" not in clerk.get(f"/cases/{open_case}").get_data(as_text=True)


def test_appraisal_approvals_destruction_and_register_over_http(runtime, desk, as_user):
    archivist = as_user("archivist")
    case_no = factories.close_by_rejection(runtime, desk, seed=2)
    archive_no = factories.file_closed(runtime, desk["archivist"], case_no)
    factories.age_record(runtime, case_no, retention_ends_on=date(2020, 1, 1))
    assert "尚未鉴定" in archivist.get("/records").get_data(as_text=True)

    assert post(archivist, f"/records/cases/{case_no}/appraisal", "/records", decision="destroy",
                opinion="保管期满，无保存价值").status_code == 302
    # The appraiser may not approve their own decision.
    refused = post(archivist, f"/records/cases/{case_no}/approve", "/records")
    assert refused.status_code == 403 and "须由他人审批" in refused.get_data(as_text=True)
    assert post(as_user("archivist2"), f"/records/cases/{case_no}/approve", "/records").status_code == 302
    too_early = post(archivist, f"/records/cases/{case_no}/destroy", "/records")
    assert too_early.status_code == 409
    assert post(as_user("director"), f"/records/cases/{case_no}/approve", "/records",
                opinion="同意").status_code == 302
    assert post(archivist, f"/records/cases/{case_no}/destroy", "/records").status_code == 302
    assert "已销毁" in archivist.get(f"/cases/{case_no}").get_data(as_text=True)

    auditor = as_user("auditor")
    csv = auditor.get("/records/destruction-register.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert archive_no in csv.get_data(as_text=True)
    assert as_user("intake_clerk").get("/records/destruction-register.csv").status_code == 403
    with runtime.sessions() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("records.%"))
                                  .order_by(AuditEvent.id)).all()
    assert actions == ["records.four_properties", "records.filed", "records.appraised",
                       "records.destruction_approved",
                       "records.destruction_approved", "records.destroyed", "records.register_exported"]


def _last(runtime, action: str) -> dict:
    with runtime.sessions() as session:
        return session.scalar(select(AuditEvent.details).where(AuditEvent.action == action)
                              .order_by(AuditEvent.id.desc()).limit(1))
