"""Finding cases (issue 20, point 12), over HTTP: the case list's filters, sort, status tabs and
pages, saved views on the dashboard, the archive desk's filed records, and a case history
without the view rows by default and with people's names."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests import factories


def case_numbers(page: str) -> list[str]:
    return re.findall(r'<tr data-case="([^"]+)">', page)


def tab_count(page: str, tab: str) -> int:
    return int(re.search(rf'data-tab="{tab}".*?<span class="count">(\d+)</span>', page, re.S).group(1))


def test_filters_sort_tabs_and_pages(client, runtime, users):
    clerk = users["intake_clerk"]
    made = {
        "a": factories.make_case(runtime, clerk, claimant_name="甲", township="城关镇", amount="￥1,200.00",
                                 hospital="县人民医院"),
        "b": factories.make_case(runtime, clerk, claimant_name="乙", township="城关镇", amount="300元",
                                 hospital="县中医院", claim_type="outpatient"),
        "c": factories.make_case(runtime, clerk, claimant_name="丙", township="南山乡", amount="5000",
                                 hospital="县人民医院"),
    }
    factories.login(client, "reviewer")
    page = client.get("/cases?township=城关镇&sort=amount_asc").get_data(as_text=True)
    assert case_numbers(page) == [made["b"], made["a"]]
    page = client.get("/cases?hospital=人民&amount_min=１,０００元&sort=amount_desc").get_data(as_text=True)
    assert case_numbers(page) == [made["c"], made["a"]]  # full-width digits and 元 read as 1000
    page = client.get("/cases?claim_type=outpatient").get_data(as_text=True)
    assert case_numbers(page) == [made["b"]]
    page = client.get("/cases?opened_from=2000-01-01&opened_to=2000-12-31").get_data(as_text=True)
    assert case_numbers(page) == []
    # Status tabs count under the other filters; a tab filters the list.
    page = client.get("/cases?township=城关镇").get_data(as_text=True)
    assert tab_count(page, "all") == 2 and tab_count(page, "intake") == 2 and tab_count(page, "paid") == 0
    assert case_numbers(client.get("/cases?status=in_review").get_data(as_text=True)) == []
    # Pages keep the filters.
    for n in range(26):
        factories.make_case(runtime, clerk, claimant_name=f"丁{n}", township="北岭乡")
    page = client.get("/cases?township=北岭乡&sort=claimant").get_data(as_text=True)
    pager = page.split('class="pager"')[1]
    assert len(case_numbers(page)) == 25 and "page=2" in pager and "township=" in pager
    assert len(case_numbers(client.get("/cases?township=北岭乡&page=2").get_data(as_text=True))) == 1


def test_a_bad_filter_is_said_beside_its_field_not_a_500(client, runtime, users):
    factories.make_case(runtime, users["intake_clerk"], claimant_name="甲")
    factories.login(client, "reviewer")
    response = client.get("/cases?opened_from=2026-02-31&amount_max=abc&claim_type=outpatient")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    date_label = page.split('name="opened_from"')[1].split("</label>")[0]
    assert 'id="opened_from-error"' in date_label and "2026-03-01" in date_label  # the example date
    assert 'id="amount_max-error"' in page.split('name="amount_max"')[1].split("</label>")[0]
    assert "opened_from:" not in page and "amount_max:" not in page
    assert 'value="2026-02-31"' in page  # what was typed stays
    assert case_numbers(page) == []  # the valid filter (outpatient) still applies


def test_filters_never_widen_a_scope(client, runtime, users):
    clerk = users["intake_clerk"]
    mine = factories.make_case(runtime, clerk, claimant_name="甲")  # the scoped hospital
    other = factories.make_case(runtime, clerk, claimant_name="乙", hospital="别的医院")
    factories.login(client, "hospital_clerk")
    assert case_numbers(client.get("/cases").get_data(as_text=True)) == [mine]
    page = client.get("/cases?hospital=别的医院").get_data(as_text=True)
    assert case_numbers(page) == [] and other not in page and tab_count(page, "all") == 0


def test_saved_views_are_per_user_and_on_the_dashboard(client, runtime, users):
    from archive.models import SavedView  # new in issue 20

    factories.make_case(runtime, users["intake_clerk"], claimant_name="甲", township="城关镇")
    factories.login(client, "reviewer")
    page = client.get("/cases?township=城关镇&sort=oldest").get_data(as_text=True)
    token = factories.csrf_from(page)
    saved = client.post("/cases/views", data={"csrf_token": token, "name": "城关镇的案卷",
                                              "township": "城关镇", "sort": "oldest", "page": "3"})
    assert saved.status_code == 302 and "township=" in saved.headers["Location"]
    board = client.get("/dashboard").get_data(as_text=True)
    section = board.split('id="saved-views"')[1].split("</section>")[0]
    assert "城关镇的案卷" in section
    link = re.search(r'href="([^"]+)">城关镇的案卷', section).group(1).replace("&amp;", "&")
    assert "township=%E5%9F%8E%E5%85%B3%E9%95%87" in link and "sort=oldest" in link and "page" not in link
    assert len(case_numbers(client.get(link).get_data(as_text=True))) == 1
    with runtime.sessions() as session:
        view = session.scalars(select(SavedView)).one()
    # Another user neither sees nor deletes it.
    factories.login(client, "auditor")
    assert "城关镇的案卷" not in client.get("/dashboard").get_data(as_text=True)
    token = factories.csrf_from(client.get("/dashboard").get_data(as_text=True))
    client.post(f"/cases/views/{view.id}/delete", data={"csrf_token": token})
    with runtime.sessions() as session:
        assert session.scalars(select(SavedView)).one().name == "城关镇的案卷"
    refused = client.post("/cases/views", data={"csrf_token": token, "name": " "})
    assert refused.status_code == 422 and 'id="name-error"' in refused.get_data(as_text=True)
    with runtime.sessions() as session:
        assert len(session.scalars(select(SavedView)).all()) == 1  # the nameless one was not kept
    # Its owner deletes it; the way back is this site's, however the address is dressed.
    factories.login(client, "reviewer")
    token = factories.csrf_from(client.get("/dashboard").get_data(as_text=True))
    gone = client.post(f"/cases/views/{view.id}/delete",
                       data={"csrf_token": token, "next": "/\\evil.example/"})
    assert gone.status_code == 302 and "evil.example" not in gone.headers["Location"]
    with runtime.sessions() as session:
        assert session.scalars(select(SavedView)).all() == []


def test_the_archive_desk_lists_filed_records(client, runtime):
    desk = factories.sign_off_desk(runtime)
    case_no = factories.close_by_rejection(runtime, desk)
    archive_no = factories.file_closed(runtime, desk["archivist"], case_no)
    factories.login(client, "archivist")
    page = client.get("/records").get_data(as_text=True)
    filed = page.split('id="filed"')[1].split("</section>")[0]
    assert archive_no in filed and case_no in filed
    listing = client.get("/cases?status=filed").get_data(as_text=True)
    assert case_numbers(listing) == [case_no] and archive_no in listing and tab_count(listing, "filed") == 1


def test_case_history_hides_views_by_default_and_shows_names(client, runtime, users):
    case_no = factories.make_case(runtime, users["intake_clerk"], claimant_name="甲")
    factories.login(client, "auditor")
    for _ in range(3):
        client.get(f"/cases/{case_no}")
    page = client.get(f"/cases/{case_no}").get_data(as_text=True)
    history = page.split('id="history-head"')[1]
    assert "查看案卷" not in history  # case.view rows hidden
    assert "User intake_clerk" in history and "u_intake_clerk" not in history
    shown = client.get(f"/cases/{case_no}?views=1").get_data(as_text=True).split('id="history-head"')[1]
    assert shown.count("查看案卷") >= 4 and "User auditor" in shown
