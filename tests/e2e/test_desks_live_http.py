"""The desks' live endpoints over HTTP (archive.web.live): the work queue and the dashboard answer
their parts with a version, 304 while nothing they draw changed, and new parts once it has."""

from __future__ import annotations

from tests import factories


def ask(client, url: str, version: str | None = None):
    headers = {"If-None-Match": f'"{version}"'} if version else {}
    return client.get(url, headers=headers)


def test_queue_and_dashboard_parts_change_with_the_work(client, runtime, users):
    desk = {**users, "checker": factories.make_user(runtime, "intake_clerk", "u_checker")}
    factories.login(client, "reviewer")
    queue, tiles = ask(client, "/queue/live").get_json(), ask(client, "/dashboard/live").get_json()
    assert 'class="empty"' in queue["parts"]["queue"] and queue["pending"] is False
    assert ask(client, "/queue/live", queue["version"]).status_code == 304
    assert ask(client, "/dashboard/live", tiles["version"]).status_code == 304

    # Sent on before its invoice is read (an outpatient claim may be): the queue's change is
    # the sign-off's, not the reading's.
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="田甜",
                                  claim_type="outpatient")
    factories.upload(runtime, users["intake_clerk"], case_no, factories.outpatient_invoice_pdf(5, "田甜"),
                     filename="门诊发票.pdf", kind="invoice", process=False)
    factories.send_for_sign_off(runtime, users["intake_clerk"], case_no)
    factories.walk(runtime, desk, case_no, until="initial_review")

    changed = ask(client, "/queue/live", queue["version"])
    assert changed.status_code == 200 and case_no in changed.get_json()["parts"]["queue"]
    changed = ask(client, "/dashboard/live", tiles["version"])
    assert changed.status_code == 200
    assert '<strong>1</strong>' in changed.get_json()["parts"]["tiles"]


def test_the_clerks_queue_counts_documents_being_read(client, runtime, users):
    clerk = users["intake_clerk"]
    case_no = factories.make_case(runtime, clerk, claim_type="outpatient")
    factories.upload(runtime, clerk, case_no, factories.outpatient_invoice_pdf(6), filename="发票.pdf",
                     kind="invoice", process=False)
    factories.login(client, "intake_clerk")
    first = ask(client, "/queue/live?lang=en").get_json()
    assert first["pending"] is True and "1 being read" in first["parts"]["queue"]
    page = client.get("/queue?lang=en").get_data(as_text=True)
    assert f'data-version="{first["version"]}"' in page and "data-pending" in page
    assert "1 case</span>" in page and "0 cases waiting" in page  # singular and plural
