"""Page render time (issue 7): server time of each desk's pages with 100,000 documents in the archive.

The archive is filled in bulk (cases, documents with a page of text each, a few real originals
shared across cases; no audit events, which only a case's history reads, by an index), then each
page is requested through the app in process as a signed-in user and timed from request to last
byte: that is the server's time, the network excluded. The baseline is the app's cheapest page
(`/healthz`), timed in the same run.

Prints one JSON object on stdout; progress goes to stderr. See benchmarks/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

TARGET_MS = 300
DOCS_PER_CASE = 5


def log(message: str) -> None:
    print(f"[pages-bench] {message}", file=sys.stderr, flush=True)


def fill(runtime, documents: int, seed: int) -> dict:
    """Cases and documents in bulk, as years of intake would leave them."""
    from sqlalchemy import insert, select

    from archive.demo import documents as gen
    from archive.intake.service import ingest
    from archive.models import Case, Document, Page, User
    from archive.models.types import utcnow
    from tests import factories

    users = factories.users_for_all_roles(runtime)
    clerk = users["intake_clerk"]
    rng = random.Random(seed)
    case_no = factories.make_case(runtime, clerk, claimant_name="样本")
    # A case holds each original once: DOCS_PER_CASE real originals, shared across the cases.
    samples = [ingest(runtime.sessions, runtime.store, runtime.limits, tmp_dir=runtime.tmp_dir,
                      case_no=case_no, stream=io.BytesIO(factories.invoice_pdf(seed=seed + k)),
                      filename=f"样本{k}.pdf", kind="invoice", actor=clerk).document_id
               for k in range(DOCS_PER_CASE)]
    with runtime.sessions() as session:
        object_ids = [session.get(Document, d).object_id for d in samples]
        clerk_id = session.scalar(select(User.id).where(User.username == "u_intake_clerk"))
    cases = documents // DOCS_PER_CASE
    now = utcnow()
    started = time.perf_counter()
    with runtime.engine.begin() as connection:
        for first in range(0, cases, 2000):
            batch = range(first, min(cases, first + 2000))
            connection.execute(insert(Case), [{
                "case_no": f"AJ-2020-{n + 100000:06d}", "claimant_name": gen.person_name(rng),
                "claim_type": rng.choice(["inpatient", "outpatient", "maternity", "trauma"]),
                "amount_fen": rng.randint(10_000, 9_000_000), "status": "intake",
                "created_by_id": clerk_id, "created_at": now, "updated_at": now, "version": 1,
            } for n in batch])
        case_ids = list(connection.scalars(select(Case.id).where(Case.case_no.like("AJ-2020-%"))
                                           .order_by(Case.id)))
        doc_rows = [{
            "case_id": case_id, "object_id": object_ids[k], "kind": "invoice",
            "original_filename": f"票据{k}.pdf", "filename": f"票据{k}.pdf",
            "content_type": "application/pdf",
            "page_count": 1, "status": "processed", "uploaded_by_id": clerk_id, "created_at": now,
            "fields": {"payer_name": "张伟", "total_amount": "123.45"}, "checks": [],
            "kind_guessed": False, "needs_check": False, "attempts": 1,
        } for case_id in case_ids for k in range(DOCS_PER_CASE)]
        for first in range(0, len(doc_rows), 5000):
            connection.execute(insert(Document), doc_rows[first:first + 5000])
        doc_ids = list(connection.scalars(select(Document.id).where(Document.case_id.in_(case_ids[:1]))))
        all_docs = list(connection.scalars(select(Document.id).where(Document.id.not_in(samples))))
        text = "住院收费票据 交款人 张伟 合计 ¥123.45 " * 12
        for first in range(0, len(all_docs), 5000):
            connection.execute(insert(Page), [{"document_id": d, "number": 1, "source": "text_layer",
                                               "text": text, "width": 595.0, "height": 842.0}
                                              for d in all_docs[first:first + 5000]])
    log(f"filled {len(case_ids)} cases, {len(all_docs)} documents in {time.perf_counter() - started:.1f}s")
    return {"users": users, "case_no": f"AJ-2020-{100000 + cases // 2:06d}", "document_id": doc_ids[0],
            "documents": len(all_docs) + len(samples), "cases": len(case_ids) + 1}


def fill_workflow(runtime, users: dict, weeks: int, seed: int) -> dict:
    """Every bulk case in a sign-off chain, opened and signed over the last `weeks` weeks: the
    dashboard's counts (queue deadlines, sign-offs and cases per week) read these rows."""
    from datetime import timedelta

    from sqlalchemy import insert, select, update

    from archive.models import Case, SignOff, WorkflowInstance
    from archive.models.types import utcnow
    from archive.signoff import registry

    rng = random.Random(seed)
    chain = registry().get("window_intake")
    now = utcnow()
    today = now.date()
    started = time.perf_counter()
    with runtime.engine.begin() as connection:
        ids = {u.username: connection.scalar(select(type(u).id).where(type(u).username == u.username))
               for u in users.values()}
        case_ids = list(connection.scalars(select(Case.id).where(Case.case_no.like("AJ-2020-%"))
                                           .order_by(Case.id)))
        for first in range(0, len(case_ids), 2000):
            batch = case_ids[first:first + 2000]
            opened = {c: now - timedelta(minutes=rng.randint(0, weeks * 7 * 24 * 60)) for c in batch}
            for case_id, moment in opened.items():
                connection.execute(update(Case).where(Case.id == case_id).values(created_at=moment))
            connection.execute(insert(WorkflowInstance), [{
                "case_id": c, "definition": chain.name, "definition_sha256": chain.sha256,
                "status": "active", "current_step": "re_review", "current_role": "re_reviewer",
                "round": 1, "signed": {}, "started_at": opened[c], "step_started_at": opened[c],
                "chain_due_on": today + timedelta(days=rng.randint(-10, 20)),
                "due_on": today + timedelta(days=rng.randint(-10, 20)), "calendar_estimated": False,
                "missing": [], "version": 3} for c in batch])
            instances = dict(connection.execute(select(WorkflowInstance.case_id, WorkflowInstance.id)
                                                .where(WorkflowInstance.case_id.in_(batch))).all())
            connection.execute(insert(SignOff), [{
                "instance_id": instances[c], "case_id": c, "seq": seq, "round": 1, "step": step,
                "role": role, "signer_id": ids[f"u_{role}"], "signer_name": f"u_{role}",
                "decision": "approve", "opinion": "同意", "findings": {}, "missing": [],
                "content_sha256": "0" * 64, "signed_at": opened[c] + timedelta(hours=seq * 4)}
                for c in batch for seq, (step, role) in enumerate(
                    [("completeness", "intake_clerk"), ("initial_review", "reviewer")], start=1)])
    log(f"filled {len(case_ids)} chain runs and {2 * len(case_ids)} sign-offs in "
        f"{time.perf_counter() - started:.1f}s")
    return {"chains": len(case_ids), "sign_offs": 2 * len(case_ids)}


def time_pages(app, world, repeat: int, only: str = "") -> dict:
    from tests import factories

    pages = {
        "admin": ["/admin/users", "/admin/workflows"],
        "intake_clerk": ["/dashboard"],
        "re_reviewer": ["/dashboard", "/queue"],  # every bulk case waits for this role
        "reviewer": ["/dashboard", "/cases", "/cases?page=2000", f"/cases/{world['case_no']}",
                     f"/documents/{world['document_id']}", "/queue"],
        "archivist": ["/dashboard", "/search?q=张伟", "/search?q=合计&kind=invoice"],
    }
    out = {}
    baseline = app.test_client()
    out["baseline_healthz"] = timed(baseline, "/healthz", repeat)
    for role, paths in pages.items():
        client = app.test_client()
        factories.login(client, role)
        for path in paths:
            if only not in path:
                continue
            first = client.get(path)
            if first.status_code == 404 and path.startswith("/search"):
                out[f"{role} {path}"] = {"skipped": "no search page in this build"}
                continue
            assert first.status_code == 200, (path, first.status_code)
            out[f"{role} {path}"] = timed(client, path, repeat)
    return out


def timed(client, path: str, repeat: int) -> dict:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path)
        response.get_data()
        samples.append(time.perf_counter() - started)
    samples.sort()
    return {"p50_ms": round(1000 * samples[len(samples) // 2], 1),
            "p95_ms": round(1000 * samples[min(len(samples) - 1, int(0.95 * len(samples)))], 1),
            "n": repeat}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="fill the archive here once and reuse it (and its index, when current) "
                             "on later runs with the same --documents and --seed")
    parser.add_argument("--only", default="", help="time only paths containing this, e.g. /search")
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    from archive import create_app
    from archive.config import load_settings
    from archive.runtime import make_runtime
    from archive.setup import initialise

    with tempfile.TemporaryDirectory(prefix="pages-bench-") as tmp:
        data_dir = args.data_dir / f"docs-{args.documents}-seed-{args.seed}" if args.data_dir else Path(tmp)
        settings = load_settings({"ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SECRET_KEY": "bench",
                                  "ARCHIVE_JOBS_BACKEND": "inline", "ARCHIVE_RECORDS_FIXITY_EVERY_HOURS": "0",
                                  "ARCHIVE_RECORDS_VERIFY_EVERY_HOURS": "0",
                                  "ARCHIVE_LOGIN_RATE_LIMIT": "1000 per minute"})
        runtime = make_runtime(settings)
        filled = data_dir / "pages-bench-world.json"
        if filled.exists():
            world = json.loads(filled.read_text())
            log(f"reusing the archive in {data_dir}")
        else:
            initialise(runtime)
            world = fill(runtime, args.documents, args.seed)
            world.update(fill_workflow(runtime, world.pop("users"), weeks=12, seed=args.seed))
            if args.data_dir:
                filled.write_text(json.dumps(world))
        from archive.search import IndexUnavailable, open_index, rebuild

        try:
            open_index(runtime.index_dir)
            log("search index current: not rebuilt")
        except IndexUnavailable:
            with runtime.sessions() as session:
                started = time.perf_counter()
                rebuild(session, runtime.index_dir)
                log(f"index rebuilt in {time.perf_counter() - started:.1f}s")
        app = create_app(runtime)
        timings = time_pages(app, world, args.repeat, args.only)
        runtime.engine.dispose()
    worst = max((v["p95_ms"] for k, v in timings.items() if "p95_ms" in v and k != "baseline_healthz"),
                default=None)
    print(json.dumps({
        "benchmark": "pages", "documents": world["documents"], "cases": world["cases"],
        "chain_runs": world["chains"], "sign_offs": world["sign_offs"],
        "database": "sqlite (embedded default)", "pages": timings, "worst_p95_ms": worst,
        "target_ms": TARGET_MS, "meets": worst is not None and worst <= TARGET_MS,
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
