"""Every user-visible string on a desk page is in the page's language (issue 20, point 9).

Data — names, hospitals, file names, OCR text, case contents — is whatever language it was
written in; templates mark it with `translate="no"` (or a `lang` attribute of its own), and the
check leaves such elements out. What remains is the application's own text: on an English page
it holds no Chinese characters, on a Chinese page no English words except codes, units and
abbreviations (PDF, API, ID, …).
"""

from __future__ import annotations

import html
import io
import re
from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from tests import factories

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
CJK = re.compile(r"[\u3400-\u9fff]+")
WORD = re.compile(r"[A-Za-z]{2,}")
PERMISSION = re.compile(r"[（(][a-z_]+\.[a-z_.]+[)）]")
TOKEN = re.compile(r"[A-Za-z0-9_.:/#-]+")
CODE = re.compile(r"[0-9_:/#-]|\.(pdf|jpe?g|png|tiff?|ofd|xml|zip|csv|xlsx)$", re.I)  # or a file name
LABELLED = {"option", "td", "th", "dd", "dt"}
# A lowercase word or three in an option or a cell, nothing else: a stored code drawn as it is
# (`outpatient`, `mid_year`, `u_cashier`) or a label that reads like one. English labels start
# with a capital; messages (with punctuation or longer) and keys (<kbd>) are not labels.
CODE_LIKE = re.compile(r"[a-z][a-z_-]*( [a-z_-]+){0,2}")
# Codes, units and abbreviations a Chinese page may show as they are.
ALLOWED = {"PDF", "API", "ID", "OCR", "CSV", "QR", "JPG", "JPEG", "PNG", "TIFF", "MB", "KB",
           "GB", "HTTP", "URL", "ZIP", "XLSX", "Excel", "English", "SVG", "VAT", "BagIt"}


class _Text(HTMLParser):
    """The page's visible text, without scripts, styles and elements marked as data."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is it (or an ancestor) left out?
        self.parts: list[str] = []
        self.labels: list[list[str]] = []  # the text of each option and table cell, as drawn
        self.open_labels: list[int] = []  # stack depth at which each open option/cell began

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        skip = (bool(self.stack and self.stack[-1]) or tag in {"script", "style", "template", "kbd"}
                or values.get("translate") == "no" or "lang" in values and tag != "html")
        if tag not in VOID:
            self.stack.append(skip)
        if tag in LABELLED and not skip:
            self.labels.append([])
            self.open_labels.append(len(self.stack))

    def handle_endtag(self, tag):
        if self.open_labels and self.open_labels[-1] == len(self.stack) and tag in LABELLED:
            self.open_labels.pop()
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)
            if self.open_labels:
                self.labels[-1].append(data)


def labels(html: str) -> list[str]:
    """The text of each option and table cell that is the application's own (not data)."""
    parser = _Text()
    parser.feed(html)
    return [" ".join(" ".join(parts).split()) for parts in parser.labels]


def app_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def wrong_language(html: str, lang: str) -> list[str]:
    codes = []
    if lang == "en":
        # An English label starts with a capital: a bare lowercase word in a list or a cell is a
        # stored code (`mid_year`, `outpatient`) drawn as it is, or a label that reads like one.
        codes = [f"code-like label «{label}»" for label in labels(html) if CODE_LIKE.fullmatch(label)]
    return codes + stray_text(app_text(html), lang)


def stray_text(text: str, lang: str) -> list[str]:
    """Words of the other language in the application's own text (data already left out)."""
    if lang == "en":
        return [m.group() + " in «" + text[max(0, m.start() - 40):m.end() + 40] + "»"
                for m in CJK.finditer(text)]
    # A token with digits or joiners (AJ-2026-000001, 10ml, name:) is a code, not a word; so is
    # a permission named in brackets (records.view) — an audit action as a label is not.
    text = PERMISSION.sub(" ", text)
    return [m.group() + " in «" + text[max(0, m.start() - 40):m.end() + 40] + "»"
            for m in TOKEN.finditer(text) if not CODE.search(m.group())
            for word in WORD.findall(m.group()) if word not in ALLOWED]


def test_the_checker_finds_both_kinds_of_stray_text():
    assert wrong_language("<p>Case 张三</p>", "en") and not wrong_language(
        '<p>Case <span translate="no">张三</span></p>', "en")
    assert wrong_language("<p>案卷 document.view</p>", "zh")
    assert not wrong_language("<p>案卷 PDF <b lang='en'>Bob</b></p>", "zh")
    assert wrong_language('<select><option value="mid_year">mid-year</option></select>', "en")
    assert wrong_language("<table><tr><td>outpatient</td></tr></table>", "en")
    assert not wrong_language(
        '<table><tr><td>Outpatient</td><td translate="no">li.ming</td></tr></table>', "en")


@pytest.fixture
def claim(runtime):
    desk = factories.sign_off_desk(runtime)
    case_no = factories.start_claim(runtime, desk, claim_type="inpatient", amount="999.99",
                                    hospital="县人民医院", claimant_name="张伟")
    return desk, case_no


def _pages(client, case_no: str) -> dict[str, str]:
    case = client.get(f"/cases/{case_no}").get_data(as_text=True)
    document = re.search(r'href="/documents/(\d+)"', case)
    pages = {"dashboard": "/dashboard", "cases": "/cases", "queue": "/queue",
             "case": f"/cases/{case_no}", "search": "/search?q=%E5%BC%A0%E4%BC%9F",
             "search-short": "/search?q=x", "not-found": "/no-such-page",
             "search-refused": "/search?q=%E5%BC%A0%E4%BC%9F&date_from=2026-13-45&amount_min=abc&sort=zz",
             "loans": "/loans", "records": "/records", "users": "/admin/users"}
    if document:
        pages["document"] = f"/documents/{document.group(1)}"
        pages["case-history"] = f"/cases/{case_no}?views=1"  # with the view of the document
    return pages


@pytest.mark.parametrize("role", ["intake_clerk", "reviewer", "archivist", "auditor", "admin"])
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_desk_pages_are_in_one_language(client, claim, role, lang):
    desk, case_no = claim
    factories.login(client, desk[role])
    client.get(f"/dashboard?lang={lang}")
    found = {}
    for name, url in _pages(client, case_no).items():
        reply = client.get(url, follow_redirects=True)
        assert reply.status_code in (200, 403, 404), (name, reply.status_code)
        stray = wrong_language(reply.get_data(as_text=True), "en" if lang == "en" else "zh")
        if stray:
            found[name] = stray[:12]
    assert not found, "\n".join(f"{page}: {item}" for page, items in found.items() for item in items)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_an_upload_refusal_is_in_the_page_language(client, claim, lang):
    desk, case_no = claim
    factories.login(client, desk["intake_clerk"])
    page = client.get(f"/cases/{case_no}?lang={lang}").get_data(as_text=True)
    reply = client.post(f"/cases/{case_no}/documents", data={
        "csrf_token": factories.csrf_from(page), "file": (__import__("io").BytesIO(b""), "x.pdf")},
        content_type="multipart/form-data", follow_redirects=True)
    page = reply.get_data(as_text=True)
    assert not wrong_language(page, "en" if lang == "en" else "zh")
    assert ("the file is empty" if lang == "en" else "文件为空") in page


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_findings_are_drawn_in_the_page_language(runtime, client, lang):
    """A case finding (a statement of another patient) and a flag (no provider agreement on
    file) are stored with their code and values and drawn in the reader's language, the
    names they hold marked as data."""
    desk = factories.sign_off_desk(runtime)
    case_no = factories.make_claim(runtime, desk["intake_clerk"], claim_type="inpatient",
                                   claimant_name="张伟")
    factories.upload(runtime, desk["intake_clerk"], case_no, factories.statement_pdf(77, "王芳"),
                     filename="other.pdf", kind="daily_statement")
    factories.login(client, desk["intake_clerk"])
    page = client.get(f"/cases/{case_no}?lang={lang}").get_data(as_text=True)
    findings = re.findall(r'<p class="finding[^"]*" data-code="(\w+)"[^>]*>(.*?)</p>', page, re.S)
    shown = {code: html.unescape(text) for code, text in findings}
    assert "patient_name_mismatch" in shown and "agreement_missing" in shown
    if lang == "en":
        assert shown["patient_name_mismatch"].startswith("The patient's name differs between the documents: ")
        assert shown["agreement_missing"].startswith("The archive holds no designated-provider agreement of ")
    else:
        assert shown["patient_name_mismatch"].startswith("各材料中的患者姓名不一致：")
    assert re.search(r'<span translate="no">(王芳、张伟|张伟、王芳)</span>', shown["patient_name_mismatch"])
    assert not wrong_language(page, "en" if lang == "en" else "zh")


def _bad_manifest() -> bytes:
    """A manifest with a problem in each of several columns: the page lists them row by row."""
    header = "全宗号,年度,保管期限,原档号,案卷题名,姓名,身份证号,报销类别,起始日期,终止日期,盒号,页数,文件"
    rows = ["X1,2019,D30,,住院报销,张伟,,飞行,2019-03-01,2019-13-01,1,2,a.pdf",
            "X1,2019,永久,,门诊报销,王芳,110101199001011234,门诊,2019-05-01,2019-05-02,1,0,missing.pdf"]
    return "\n".join([header, *rows]).encode("utf-8")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_provider_and_backscan_pages_are_in_one_language(client, runtime, lang):
    """The register (list, a provider with a settlement and its finding, the record's form with
    its errors, the due list) and the back-scanning page with a manifest's row errors."""
    from tests.e2e import claim_api
    from tests.e2e.test_provider_settlements_http import approved_fen, bill, provider_claim
    from tests.e2e.test_providers_http import add

    desk = factories.sign_off_desk(runtime)
    admin, clerk = (claim_api.headers(runtime, desk[role]) for role in ("admin", "intake_clerk"))
    provider = add(client, admin, name="县人民医院", township="城关镇").json["id"]
    case_no = provider_claim(client, clerk, bill("0094000001", "1000.00", "250.00",
                                                 issued=date(2026, 3, 4)))
    claimed = f"{Decimal(approved_fen(client, clerk, case_no) + 100) / 100:.2f}"
    client.post(f"/api/providers/{provider}/settlements", headers=admin,
                json={"month": "2026-03", "claimed": claimed, "received_on": "2026-04-02"})
    client.post(f"/api/providers/{provider}/sanctions", headers=admin,
                json={"kind": "warning", "starts_on": "2026-04-06", "description": "书面告诫"})
    found = {}
    factories.login(client, desk["admin"])
    client.get(f"/dashboard?lang={lang}")
    pages = {"providers": "/providers", "provider": f"/providers/{provider}",
             "provider-edit": f"/providers/{provider}/edit", "due": "/providers/settlements/due"}
    replies = {name: client.get(url) for name, url in pages.items()}
    form = replies["provider-edit"].get_data(as_text=True)
    replies["provider-edit-errors"] = client.post(f"/providers/{provider}/edit", data={
        "csrf_token": factories.csrf_from(form), "name": "", "level": "county", "type": "hospital",
        "uscc": "123", "reason": ""})
    factories.login(client, desk["archivist"])
    client.get(f"/dashboard?lang={lang}")
    replies["backscan"] = client.get("/records/backscan")
    page = replies["backscan"].get_data(as_text=True)
    replies["backscan-errors"] = client.post("/records/backscan", data={
        "csrf_token": factories.csrf_from(page), "manifest": (io.BytesIO(_bad_manifest()), "清单.csv")},
        content_type="multipart/form-data")
    assert replies["backscan-errors"].status_code == 422
    assert replies["provider-edit-errors"].status_code == 400
    for name, reply in replies.items():
        assert reply.status_code in (200, 400, 422), (name, reply.status_code)
        stray = wrong_language(reply.get_data(as_text=True), "en" if lang == "en" else "zh")
        if stray:
            found[name] = stray[:12]
    assert not found, "\n".join(f"{page}: {item}" for page, items in found.items() for item in items)


# The notices, records (filing, the audit trail's verification), loans, admin, oversight and
# workflow-report desks, each read by every role (a page a role may not open is refused: 403).
OTHER_DESKS = {"publications": "/publications", "objections": "/objections",
               "fund-report": "/fund-report", "records": "/records", "loans": "/loans",
               "users": "/admin/users", "workflows": "/admin/workflows", "calendar": "/admin/calendar",
               "retention": "/admin/retention", "follow-ups": "/follow-ups",
               "spot-checks": "/spot-checks", "publication": "/publication",
               "tokens": "/account/tokens", "new-case": "/cases/new"}


@pytest.fixture
def filed(runtime):
    """A claim paid and filed (the records, loans and report desks then have a row to draw)."""
    desk = factories.sign_off_desk(runtime)
    case_no = factories.start_claim(runtime, desk, claim_type="inpatient", amount="999.99",
                                    hospital="县人民医院", claimant_name="张伟")
    factories.walk(runtime, desk, case_no)
    factories.file_closed(runtime, desk["archivist"], case_no)
    return desk, case_no


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_other_desks_are_in_one_language(app, filed, lang):
    desk, _case_no = filed
    found, seen = {}, set()
    for role, user in desk.items():
        client = app.test_client()  # signed in as this role only
        factories.login(client, user)
        client.get(f"/dashboard?lang={lang}")
        pages = {**OTHER_DESKS, "user": f"/admin/users/{user.id}"}
        for name, url in pages.items():
            reply = client.get(url, follow_redirects=True)
            assert reply.status_code in (200, 403), (role, name, reply.status_code)
            if reply.status_code == 200:
                seen.add(name)
            stray = wrong_language(reply.get_data(as_text=True), "en" if lang == "en" else "zh")
            if stray:
                found[f"{role} {name}"] = stray[:12]
    assert seen == set(OTHER_DESKS) | {"user"}  # each desk drawn for someone
    assert not found, "\n".join(f"{page}: {item}" for page, items in found.items() for item in items)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_statistics_pages_are_in_one_language(runtime, client, lang):
    """Claim types, levels, chains and steps by their labels; townships, villages and hospitals
    (data) marked as such; a place not given said in the page's language."""
    from tests.integration import statistics_data

    users = factories.users_for_all_roles(runtime)
    statistics_data.build(runtime, users, cases=40, seed=5)
    found = {}
    for role, url in (("director", "/statistics?quarter=2026-Q1"), ("director", "/statistics?month=2026-03"),
                      ("admin", "/statistics/insured?year=2026")):
        factories.login(client, users[role])
        client.get(f"/dashboard?lang={lang}")
        reply = client.get(url)
        assert reply.status_code == 200, url
        page = reply.get_data(as_text=True)
        stray = wrong_language(page, "en" if lang == "en" else "zh")
        if stray:
            found[url] = stray[:12]
        if role == "director":
            shown = page
    assert not found, "\n".join(f"{page}: {item}" for page, items in found.items() for item in items)
    assert ("Not given" if lang == "en" else "未填") in shown and "— —" not in shown
