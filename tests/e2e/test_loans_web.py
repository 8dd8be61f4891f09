"""Over HTTP: an administrator sets a person's clearance; the loans desk registers, approves and
ends loans (CSRF on every form, refusals as 4xx with the reason, nothing written on refusal)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from archive.models import AuditEvent, Loan, User
from archive.records.filing import set_record_class
from archive.retention import china_date
from tests import factories


def signed_in(app, role):
    client = app.test_client()
    assert factories.login(client, role).status_code == 302
    return client


def post(client, path, data=None, *, form_page):
    token = factories.csrf_from(client.get(form_page).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def restricted_case(runtime, users) -> str:
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="欧阳限")
    with runtime.sessions.begin() as session:
        set_record_class(session, case_no, actor=session.merge(users["archivist"]),
                         record_class="audit_materials", reason="稽核材料")
    return case_no


def events(runtime, action) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).where(AuditEvent.action == action))


def test_admin_sets_and_resets_a_clearance(app, runtime, users):
    admin, reviewer = signed_in(app, "admin"), signed_in(app, "reviewer")
    case_no = restricted_case(runtime, users)
    page = f"/admin/users/{users['reviewer'].id}"
    assert reviewer.get(f"/cases/{case_no}").status_code == 404
    assert 'id="clearance"' in admin.get(page).get_data(as_text=True)
    assert post(admin, f"{page}/clearance", {"clearance": "3"}, form_page=page).status_code == 302
    assert reviewer.get(f"/cases/{case_no}").status_code == 200
    assert post(admin, f"{page}/clearance", {"clearance": "9"}, form_page=page).status_code == 400
    assert admin.post(f"{page}/clearance", data={"clearance": "1"}).status_code == 400  # no CSRF
    assert post(admin, f"{page}/clearance", {"clearance": ""}, form_page=page).status_code == 302
    assert reviewer.get(f"/cases/{case_no}").status_code == 404
    with runtime.sessions() as session:
        assert session.scalar(select(User.clearance).where(User.username == "u_reviewer")) is None
    assert events(runtime, "user.clearance") == 2
    # Not for other roles.
    assert post(reviewer, f"{page}/clearance", {"clearance": "3"}, form_page="/cases").status_code == 403


def test_register_approve_and_end_a_loan_on_the_desk(app, runtime, users):
    case_no = restricted_case(runtime, users)
    archivist, director, reviewer = (signed_in(app, r) for r in ("archivist", "director", "reviewer"))
    last_day = (china_date() + timedelta(days=5)).isoformat()
    form = {"case_no": case_no, "borrower": "u_reviewer", "last_day": last_day, "reason": "信访核查"}
    for bad, status in (({"last_day": "31.12.2026"}, 422), ({"borrower": "u_nobody"}, 422),
                        ({"reason": ""}, 422), ({"case_no": "AJ-1999-999999"}, 404)):
        response = post(archivist, "/loans", {**form, **bad}, form_page="/loans")
        assert response.status_code == status, bad
        assert "Traceback" not in response.get_data(as_text=True)
    assert post(reviewer, "/loans", form, form_page="/loans").status_code == 403
    assert events(runtime, "loan.grant") == 0
    assert post(archivist, "/loans", form, form_page="/loans").status_code == 302
    with runtime.sessions() as session:
        loan_id = session.scalar(select(Loan.id))
    mine = reviewer.get("/loans").get_data(as_text=True)
    assert f'data-loan="{loan_id}" data-status="pending"' in mine
    assert reviewer.get(f"/cases/{case_no}").status_code == 404
    # The archivist who registered the loan may not approve it too.
    assert post(archivist, f"/loans/{loan_id}/approve", form_page="/loans").status_code == 403
    assert post(director, f"/loans/{loan_id}/approve", form_page="/loans").status_code == 302
    assert reviewer.get(f"/cases/{case_no}").status_code == 200
    ended = post(archivist, f"/loans/{loan_id}/revoke", {"reason": "已归还"}, form_page="/loans")
    assert ended.status_code == 302
    assert reviewer.get(f"/cases/{case_no}").status_code == 404
    assert f'data-loan="{loan_id}" data-status="revoked"' in reviewer.get("/loans").get_data(as_text=True)
    assert [events(runtime, a) for a in ("loan.grant", "loan.approve", "loan.revoke")] == [1, 1, 1]
