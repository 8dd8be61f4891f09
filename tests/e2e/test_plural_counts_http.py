"""Counts on desk pages take the number's form in English (issue 20: plurals through ngettext):
"1 case", "2 cases"; Chinese has one form."""

from __future__ import annotations

from tests import factories


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
