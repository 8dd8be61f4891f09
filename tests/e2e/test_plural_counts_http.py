"""Counts on desk pages take the number's form in English (issue 20: plurals through ngettext):
"1 case", "2 cases", "1 day left"; Chinese has one form."""

from __future__ import annotations

from datetime import date, timedelta

from archive.signoff.workdays import today_in_china
from tests import factories
from tests.e2e import claim_api
from tests.e2e.test_payment_flags import HOSPITAL
from tests.e2e.test_providers_http import add, archive_agreement


def count_hint(client, lang: str) -> str:
    page = client.get(f"/cases?lang={lang}").get_data(as_text=True)
    return page.split('<p class="hint">')[1].split("</p>")[0]


def test_the_case_list_counts_one_case_and_two_cases(client, runtime, users):
    factories.make_case(runtime, users["intake_clerk"], claimant_name="甲")
    factories.login(client, "reviewer")
    assert count_hint(client, "en") == "1 case"
    assert count_hint(client, "zh_CN") == "共 1 件案卷"
    factories.make_case(runtime, users["intake_clerk"], claimant_name="乙")
    assert count_hint(client, "en") == "2 cases"


def test_an_agreement_ending_tomorrow_has_one_day_left(client, runtime, users):
    clerk, admin = (claim_api.headers(runtime, users[role]) for role in ("intake_clerk", "admin"))
    today = today_in_china()
    archive_agreement(client, clerk, HOSPITAL, date(today.year - 1, 1, 1), today + timedelta(days=1))
    provider = add(client, admin).json["id"]
    factories.login(client, "auditor")
    page = client.get(f"/providers/{provider}?lang=en").get_data(as_text=True)
    assert "1 day left" in page and "1 days" not in page
    assert "剩余 1 天" in client.get(f"/providers/{provider}?lang=zh_CN").get_data(as_text=True)
