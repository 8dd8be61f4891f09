"""Keyboard review over HTTP: next / previous case in the reviewer's queue, pages across the
case's documents, decision buttons that ask for confirmation, and the same case links in the viewer."""

from __future__ import annotations

import re

from tests import factories


def links(html: str) -> dict[str, str]:
    """id → href of the review desk's navigation links."""
    return {m[1]: m[0].replace("&amp;", "&") for m in re.findall(
        r'<a href="([^"]+)" data-key="[^"]+"(?: rel="\w+")? id="([\w-]+)"', html)}


def test_reviewer_moves_through_the_queue_and_pages(client, runtime):
    desk = factories.sign_off_desk(runtime)
    cases = []
    for n in range(3):
        case_no = factories.make_case(runtime, desk["intake_clerk"], claim_type="outpatient", amount="100")
        factories.upload(runtime, desk["intake_clerk"], case_no, factories.invoice_pdf(seed=40 + n, pages=2),
                         filename=f"发票{n}.pdf", kind="invoice", process=False)
        if n == 1:
            factories.upload(runtime, desk["intake_clerk"], case_no, factories.invoice_pdf(seed=50),
                             filename="清单.pdf", kind="other", process=False)
        factories.send_for_sign_off(runtime, desk["intake_clerk"], case_no)
        factories.walk(runtime, desk, case_no, until="initial_review")
        cases.append(case_no)
    factories.login(client, "reviewer")
    order = re.findall(r'<td><a href="/cases/([\w-]+)">', client.get("/queue").get_data(as_text=True))
    assert sorted(order) == sorted(cases)

    page = client.get(f"/cases/{order[1]}").get_data(as_text=True)
    nav = links(page)
    assert nav["prev-case"] == f"/cases/{order[0]}" and nav["next-case"] == f"/cases/{order[2]}"
    assert "prev-page" not in nav and re.fullmatch(rf"/cases/{order[1]}\?document=\d+&page=1#document-\d+",
                                                     nav["next-page"])
    assert "a approve" in client.get(f"/cases/{order[1]}?lang=en").get_data(as_text=True)
    assert 'id="confirm-decision"' in page
    confirms = re.findall(r'class="decision-(\w+)"\s+data-confirm="([^"]+)"', page)
    assert [d for d, _text in confirms] == ["approve", "return", "reject"]
    assert all(order[1] in text and "初审" in text for _d, text in confirms)

    # Pages run across the documents of the case: the last page of one, then the next one's first.
    documents = sorted({int(d) for d in re.findall(r'data-id="(\d+)"', page)})
    pages = [(d, n) for d, count in zip(documents, (2, 1), strict=True) for n in range(1, count + 1)]
    shown = links(client.get(f"/cases/{order[1]}?document={pages[1][0]}&page=2").get_data(as_text=True))
    assert shown["prev-page"].startswith(f"/cases/{order[1]}?document={pages[0][0]}&page=1")
    assert shown["next-page"].startswith(f"/cases/{order[1]}?document={pages[2][0]}&page=1")
    last = links(client.get(f"/cases/{order[1]}?document={pages[2][0]}&page=1").get_data(as_text=True))
    assert "next-page" not in last

    # Decided, the case leaves the queue: "next" is the queue's first case.
    factories.sign(runtime, desk["reviewer"], order[0])
    nav = links(client.get(f"/cases/{order[0]}").get_data(as_text=True))
    assert nav == {"next-case": f"/cases/{order[1]}", "next-page": nav["next-page"]}
    viewer = client.get(f"/documents/{documents[0]}").get_data(as_text=True)
    assert links(viewer)["next-case"] == f"/cases/{order[2]}"  # the viewer's case is order[1]
    assert "a approve" not in viewer
