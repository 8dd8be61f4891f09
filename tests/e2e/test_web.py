"""The web desk and the API over HTTP (Flask's test client; the browser tests come with the UI)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from archive import create_app
from archive.models import AuditEvent, Case, Document, StoredObject
from archive.storage.local import LocalStore
from tests import factories
from tests.fixtures import bad_files


@pytest.fixture
def clerk_client(client, users):
    assert factories.login(client, "intake_clerk").status_code == 302
    return client


def audit_actions(runtime) -> list[str]:
    with runtime.sessions() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def count(runtime, model) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count(model.id)))


def csrf(client, path="/cases") -> str:
    return factories.csrf_from(client.get(path).get_data(as_text=True))


def post_files(client, case_no, files, *, token=None, kind=""):
    fields = MultiDict([("kind", kind)] + [
        ("files", FileStorage(io.BytesIO(content), filename=name)) for name, content in files])
    headers = {"X-Requested-With": "fetch"}
    if token is not False:
        headers["X-CSRFToken"] = token or csrf(client, f"/cases/{case_no}")
    # Encoded in memory: the test client spools big bodies to a file it never closes.
    boundary, body = encode_multipart(fields)
    return client.post(f"/cases/{case_no}/documents", data=body, headers=headers,
                       content_type=f'multipart/form-data; boundary="{boundary}"')


def test_login_logout_and_failed_login_are_audited(client, users, runtime):
    assert factories.login(client, "reviewer", "wrong").status_code == 401
    assert factories.login(client, "nobody", "x").status_code == 401
    assert factories.login(client, "reviewer").status_code == 302
    assert client.get("/cases").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client)})
    assert client.get("/cases").status_code == 302  # back to the login page
    assert [a for a in audit_actions(runtime) if a.startswith("auth.")] == [
        "auth.login_failed", "auth.login_failed", "auth.login", "auth.logout"]


def test_repeated_failures_lock_the_account_even_for_the_right_password(client, users, runtime):
    for _ in range(5):  # storage_config/default.toml: login.max_failures = 5
        assert factories.login(client, "reviewer", "wrong").status_code == 401
    locked = factories.login(client, "reviewer")
    # Answered as any failure (401, the same words): the lock state would tell which names
    # exist and, for the right password, which guess was right (tests/e2e/test_auth_security.py).
    assert locked.status_code == 401
    assert "锁定" in locked.get_data(as_text=True)  # the rule is stated on every failure
    assert factories.login(client, "auditor").status_code == 302  # other accounts unaffected
    actions = [a for a in audit_actions(runtime) if a.startswith("auth.")]
    assert actions == ["auth.login_failed"] * 5 + ["auth.lockout", "auth.login_locked", "auth.login"]


def test_lockout_runs_out_and_a_new_password_lifts_it(runtime, users):
    from datetime import timedelta

    from archive.auth import AccountLocked, AuthError, LockoutPolicy, authenticate, set_password
    from archive.models import User
    from archive.models.types import utcnow

    policy = LockoutPolicy(max_failures=2, minutes=10)
    with runtime.sessions() as session:
        user = session.scalar(select(User).where(User.username == "u_reviewer"))
        for _ in range(2):
            with pytest.raises(AuthError):
                authenticate(session, "u_reviewer", "wrong", policy=policy)
        with pytest.raises(AccountLocked) as locked:
            authenticate(session, "u_reviewer", "pw-reviewer", policy=policy)
        assert timedelta(minutes=9) < locked.value.until - utcnow() <= timedelta(minutes=10)
        later = utcnow() + timedelta(minutes=11)
        assert authenticate(session, "u_reviewer", "pw-reviewer", policy=policy, now=later) is user
        for _ in range(2):
            with pytest.raises(AuthError):
                authenticate(session, "u_reviewer", "wrong", policy=policy)
        set_password(session, user, "a-new-password", actor=None)
        assert authenticate(session, "u_reviewer", "a-new-password", policy=policy) is user
        session.commit()


def test_sign_in_attempts_are_rate_limited_per_address(make_rt, users):
    app = create_app(make_rt(ARCHIVE_LOGIN_RATE_LIMIT="3 per minute"))
    client = app.test_client()
    # Different accounts, one address: the per-account lockout would not catch this.
    replies = [factories.login(client, f"user{i}", "guess") for i in range(4)]
    assert [reply.status_code for reply in replies] == [401, 401, 401, 429]
    assert "登录尝试过多" in replies[-1].get_data(as_text=True)
    assert client.get("/login").status_code == 200  # only posting is limited


def test_session_cookie_is_httponly_and_lax(client, users):
    response = factories.login(client, "reviewer")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("id_number, accepted", [
    ("11010519491231002X", True), ("11010519491231002x", True),  # stored upper-case
    ("110105194912310021", False),  # wrong check digit
    ("110105194913310028", False),  # no 13th month
    ("11010519491231002", False),   # 17 characters
])
def test_new_case_checks_the_id_number_and_keeps_what_was_typed(clerk_client, runtime, id_number, accepted):
    from archive.models import Case

    page = clerk_client.get("/cases/new")
    response = clerk_client.post("/cases/new", data={
        "csrf_token": factories.csrf_from(page.get_data(as_text=True)),
        "claimant_name": "赵敏", "claim_type": "outpatient", "claimant_id_number": id_number})
    with runtime.sessions() as session:
        stored = session.scalars(select(Case.claimant_id_number)).all()
    if accepted:
        assert response.status_code == 302
        assert stored == [id_number.upper()]
    else:
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        # Said beside the field (issue 20, 14), what was typed kept.
        label = text.split('name="claimant_id_number"')[1].split("</label>")[0]
        assert 'id="claimant_id_number-error"' in label and "身份证号" in label
        assert f'value="{id_number}"' in text and "赵敏" in text
        assert stored == []


def test_open_case_upload_watch_and_download(clerk_client, runtime):
    page = clerk_client.get("/cases/new")
    response = clerk_client.post("/cases/new", data={
        "csrf_token": factories.csrf_from(page.get_data(as_text=True)),
        "claimant_name": "赵敏", "claim_type": "inpatient", "claimant_id_number": "",
        "insurance_number": "", "township": "城关镇"})
    assert response.status_code == 302
    case_no = response.headers["Location"].rsplit("/", 1)[1]

    invoice, tiff = factories.invoice_pdf(pages=2), bad_files.multipage_tiff(3)
    response = post_files(clerk_client, case_no, [("发票.pdf", invoice), ("清单扫描.tif", tiff)],
                          kind="invoice")
    assert response.status_code == 201, response.json
    assert [r["filename"] for r in response.json["results"]] == ["发票.pdf", "清单扫描.tif"]

    states = clerk_client.get(f"/cases/{case_no}/documents.json").json["documents"]
    assert [(d["status"], d["pages"]) for d in states] == [("processed", 2), ("processed", 3)]
    assert states[0]["status_label"]  # shown to the user in their language

    page = clerk_client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert "发票.pdf" in page and "赵敏" in page

    download = clerk_client.get(f"/documents/{states[0]['id']}/original")
    assert download.status_code == 200
    assert download.data == invoice
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%8F%91%E7%A5%A8.pdf" in download.headers["Content-Disposition"]
    assert audit_actions(runtime)[-1] == "document.download"


@pytest.mark.parametrize(("name", "content", "status", "code"), [
    ("empty.pdf", b"", 422, "empty_file"),
    ("fake.pdf", bad_files.zip_named_pdf(), 415, "unsupported_type"),
    ("half.pdf", bad_files.truncated(factories.invoice_pdf()), 422, "truncated_pdf"),
    ("bomb.png", bad_files.png_bomb(), 422, "image_too_large"),
])
def test_bad_uploads_get_a_reason_and_leave_nothing(clerk_client, runtime, users, name, content,
                                                      status, code):
    case_no = factories.make_case(runtime, users["intake_clerk"])
    token = csrf(clerk_client, f"/cases/{case_no}")
    before = (count(runtime, Document), count(runtime, StoredObject), len(audit_actions(runtime)))
    response = post_files(clerk_client, case_no, [(name, content)], token=token)
    assert response.status_code == status
    assert response.json["results"][0]["code"] == code
    assert response.json["results"][0]["error"]
    assert (count(runtime, Document), count(runtime, StoredObject),
            len(audit_actions(runtime))) == before
    assert list(runtime.store.iter_keys()) == []
    assert list(runtime.tmp_dir.iterdir()) == []


def test_sixty_megabyte_upload_is_refused_with_413(clerk_client, runtime, users):
    case_no = factories.make_case(runtime, users["intake_clerk"])
    big = bad_files.oversized_pdf(60).getvalue()
    response = post_files(clerk_client, case_no, [("big.pdf", big)])
    assert response.status_code == 413
    assert "50 MB" in response.json["results"][0]["error"]
    assert count(runtime, Document) == 0 and list(runtime.store.iter_keys()) == []


def test_path_traversal_name_is_neutralised(clerk_client, runtime, users, tmp_path):
    case_no = factories.make_case(runtime, users["intake_clerk"])
    response = post_files(clerk_client, case_no, [("../../../etc/cron.d/x.pdf",
                                                   factories.invoice_pdf(seed=5))])
    assert response.status_code == 201
    with runtime.sessions() as session:
        document = session.scalar(select(Document))
        assert document.filename == "etc_cron.d_x.pdf"
        assert document.original_filename == "../../../etc/cron.d/x.pdf"  # kept as metadata
    assert all(key.startswith("sha256/") for key in runtime.store.iter_keys())


def test_missing_csrf_token_is_refused(clerk_client, runtime, users):
    case_no = factories.make_case(runtime, users["intake_clerk"])
    response = post_files(clerk_client, case_no, [("a.pdf", factories.invoice_pdf())], token=False)
    assert response.status_code == 400
    assert response.json["error"] == "csrf"
    assert count(runtime, Document) == 0
    form = clerk_client.post("/cases/new", data={"claimant_name": "x", "claim_type": "other"})
    assert form.status_code == 400


def test_unknown_case_is_404_and_wrong_role_403(client, runtime, users):
    factories.login(client, "intake_clerk")
    response = post_files(client, "AJ-1999-999999", [("a.pdf", factories.invoice_pdf())])
    assert response.status_code == 404
    assert client.get("/cases/AJ-1999-999999").status_code == 404
    assert client.get("/documents/999/original").status_code == 404

    case_no = factories.make_case(runtime, users["intake_clerk"])
    client.post("/logout", data={"csrf_token": csrf(client)})
    factories.login(client, "cashier")
    response = post_files(client, case_no, [("a.pdf", factories.invoice_pdf())])
    assert response.status_code == 403
    assert client.get("/cases/new").status_code == 403
    assert count(runtime, Document) == 0


def test_cashier_cannot_download_originals(client, runtime, users):
    case_no = factories.make_case(runtime, users["intake_clerk"])
    document_id = factories.upload(runtime, users["intake_clerk"], case_no,
                                   factories.invoice_pdf()).document_id
    factories.login(client, "cashier")
    assert client.get(f"/documents/{document_id}/original").status_code == 403


def test_api_with_token(client, runtime, users):
    token = factories.api_token(runtime, users["intake_clerk"])
    auth = {"Authorization": f"Bearer {token}"}
    response = client.post("/api/cases", json={"claimant_name": "孙丽", "claim_type": "outpatient"},
                           headers=auth)
    assert response.status_code == 201
    case_no = response.json["case_no"]
    response = client.post(f"/api/cases/{case_no}/documents", headers=auth,
                           data={"kind": "invoice",
                                 "files": [(io.BytesIO(factories.invoice_pdf()), "票据.pdf")]},
                           content_type="multipart/form-data")
    assert response.status_code == 201
    document_id = response.json["results"][0]["document_id"]
    shown = client.get(f"/api/documents/{document_id}", headers=auth).json
    assert (shown["status"], shown["pages"], shown["case_no"]) == ("processed", 1, case_no)
    assert client.get(f"/api/cases/{case_no}", headers=auth).json["documents"][0]["id"] == document_id


def test_a_typed_amount_may_carry_its_currency_sign_unit_and_full_width_digits(client, runtime, users):
    """The same parser on every path (archive.amounts): the desk's form and the API alike."""
    auth = {"Authorization": f"Bearer {factories.api_token(runtime, users['intake_clerk'])}"}
    for typed in ("￥3,521.78", "3521.78元", "３５２１．７８"):
        response = client.post("/api/cases", headers=auth, json={
            "claimant_name": "孙丽", "claim_type": "outpatient", "amount": typed})
        assert response.status_code == 201, (typed, response.json)
        with runtime.sessions() as session:
            case = session.scalar(select(Case).where(Case.case_no == response.json["case_no"]))
            assert case.amount_fen == 352178
    refused = client.post("/api/cases", headers=auth, json={
        "claimant_name": "孙丽", "claim_type": "outpatient", "amount": "3,52.178"})
    assert refused.status_code == 400 and "3,52.178" in refused.json["message"]


def test_api_refuses_missing_bad_and_session_credentials(client, runtime, users):
    assert client.post("/api/cases", json={}).status_code == 401
    bad = {"Authorization": "Bearer arc_not-a-token"}
    assert client.post("/api/cases", json={}, headers=bad).status_code == 401
    # A signed-in browser session is not an API credential (no CSRF hole through /api).
    factories.login(client, "intake_clerk")
    assert client.post("/api/cases", json={"claimant_name": "x", "claim_type": "other"}
                       ).status_code == 401
    token = factories.api_token(runtime, users["intake_clerk"])
    response = client.post("/api/cases", data="not json", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["message"]


def test_healthz_reports_each_part(client, runtime):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert set(response.json["checks"]) == {"database", "store", "queue", "index", "fixity", "orphans",
                                            "four_properties"}
    blocker = runtime.settings.data_dir / "not-a-directory"
    blocker.write_text("")
    runtime.store = LocalStore(blocker / "objects")  # a store that cannot be written
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["store"]["ok"] is False


def test_security_headers_and_request_id(client):
    response = client.get("/login", headers={"X-Request-ID": "scan-42"})
    assert response.headers["X-Request-ID"] == "scan-42"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_personal_pages_json_and_images_are_never_cached_and_hsts_is_an_option(
        client, runtime, users, make_rt):
    case_no = factories.make_case(runtime, users["intake_clerk"])
    document_id = factories.upload(runtime, users["intake_clerk"], case_no,
                                   factories.invoice_pdf()).document_id
    token = factories.api_token(runtime, users["reviewer"])
    factories.login(client, "reviewer")
    for path in ("/dashboard", f"/cases/{case_no}", f"/documents/{document_id}",
                 f"/documents/{document_id}/pages/1/view.jpg", "/login"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"], path
    api = client.get(f"/api/cases/{case_no}", headers={"Authorization": f"Bearer {token}"})
    assert "no-store" in api.headers["Cache-Control"]
    assert "Strict-Transport-Security" not in api.headers  # off by default

    secure = create_app(make_rt(ARCHIVE_APP_SECURE_COOKIES="true", ARCHIVE_HSTS_SECONDS="31536000"))
    response = secure.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Secure" in response.headers.get("Set-Cookie", "Secure")


def test_chinese_by_default_english_on_request(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    assert "Sign in" in client.get("/login?lang=en").get_data(as_text=True)


def test_case_history_shows_who_did_what_and_who_looked(client, runtime, users):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claimant_name="吴刚")
    factories.upload(runtime, clerk, case_no, factories.invoice_pdf(), filename="门诊发票.pdf")

    factories.login(client, "intake_clerk")
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert "历史记录" not in page  # clerks work the case; the history is for reviewers and auditors
    client.post("/logout", data={"csrf_token": csrf(client)})

    factories.login(client, "auditor")
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert "历史记录" in page
    # Views are shown on request (issue 20, 12); people by their names, not their usernames.
    assert "查看案卷" not in page.split('id="history-head"')[1]
    page = client.get(f"/cases/{case_no}?views=1").get_data(as_text=True)
    for expected in ("建立案卷", "上传材料", "处理完成", "查看案卷", "门诊发票.pdf", clerk.display_name,
                     "User auditor"):
        assert expected in page, expected
    with runtime.sessions() as session:
        viewers = list(session.scalars(select(AuditEvent.actor_name).where(
            AuditEvent.action == "case.view", AuditEvent.target_id == case_no)))
    assert viewers == ["u_intake_clerk", "u_auditor", "u_auditor"]


def test_case_page_shows_fields_and_findings_escaped(client, runtime, users):
    import random

    from archive.demo import documents as gen

    invoice = gen.invoice(random.Random(8))
    case_no = factories.make_case(runtime, users["intake_clerk"])
    factories.upload(runtime, users["intake_clerk"], case_no, invoice.content, filename="发票.pdf")
    hostile = gen._pdf([["交款人：<script>alert(1)</script>", "合计（小写）：￥10.00",
                         "合计（大写）：贰拾元整"]], "医疗收费票据")
    factories.upload(runtime, users["intake_clerk"], case_no, hostile, filename="x.pdf")
    factories.login(client, "reviewer")
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    assert "票据号码" in page and invoice.truth["invoice_number"] in page
    assert "自动识别" in page or "kind recognised automatically" in page
    assert "大写金额 20.00 与小写金额 10.00 不一致" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
