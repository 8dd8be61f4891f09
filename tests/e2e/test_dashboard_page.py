"""The dashboard page: where a user lands after signing in, its counts and its SVG chart."""

from __future__ import annotations

import re

from tests import factories


def test_home_is_the_dashboard_with_counts_and_a_weekly_chart(client, runtime):
    desk = factories.sign_off_desk(runtime)
    case_no = factories.start_claim(runtime, desk, claim_type="outpatient", amount="100",
                                    documents=("invoice",))
    factories.login(client, desk["checker"])
    assert client.get("/").headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "工作台" in page  # Chinese by default
    counts = dict(re.findall(r'data-count="(\w+)">\s*<strong>(\d+)</strong>', page))
    assert counts == {"waiting": "1", "overdue": "0", "due_this_week": counts["due_this_week"]}
    assert case_no in page  # the most urgent case, linked
    assert 'data-series="opened"' in page and "<svg" in page and "<script" not in page.split("<main>")[1]
    # The intake desk's chart: this week's bar holds the one case opened.
    bars = re.findall(r'data-series="opened".*?</figure>', page, re.S)[0]
    weeks = re.findall(r'data-week="(\d{4}-W\d\d)" data-count="(\d+)"', bars)
    assert len(weeks) == 10 and weeks[-1][1] == "1" and all(c == "0" for _w, c in weeks[:-1])

    factories.login(client, "archivist")
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert "Cases filed in the archive" in page and 'data-series="opened"' not in page
