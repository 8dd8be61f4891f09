"""Search benchmark (issue 4, issue 21): the production path on generated documents, on either
search backend, and the same corpus and queries on SQLite FTS5 and tantivy side by side. Prints JSON.

    .venv/bin/python benchmarks/search.py --docs 100000 > /tmp/search.json
    .venv/bin/python benchmarks/search.py --backend postgres --docs 100000 --skip-fts5 --skip-tantivy

`--backend postgres` puts the corpus in PostgreSQL (`--database-url`, or a throwaway server
started like the tests') and searches the search table (archive.search.pg_*); the corpus and
queries are the same as for `--backend whoosh` (the same seeds). `--backend both` runs Whoosh and
then PostgreSQL on them in one run and one report (each backend's figures under its name), with
overlap@10 of their relevance-ranked first pages, plain and tie-aware (`tied_overlap_at_10`).

1. Documents come from archive.demo generators (text only, no PDF rendering), three to a case,
   and are written to a temporary SQLite database as processing leaves them (cases, documents
   with their fields, pages).
2. Bulk: `archive.search.rebuild` (the code behind `archive reindex`, two processes) in a child
   process; docs/s and its peak RSS (VmHWM of it and its forked writer).
3. Incremental: 20 more documents, each committed and then `index_documents` (one writer); with
   --cache-dir they are taken out again afterwards (database and index), so the cache is reused.
4. Queries through `archive.search.search` as an archivist (every case, identifiers in full;
   `--role admin` searches as one who sees them masked, issue 22) — the access condition, facets
   (kind, year, status, hospital), the top 20 with highlighted snippets from the database —
   p50/p95 per query type; the baseline in the same run is a brute-force scan
   (`needle in text` over every document in memory), which is also the truth for recall.
5. Side by side on the same corpus and queries: SQLite FTS5 (trigram tokenizer; LIKE for
   two-character terms) and tantivy-py (character bigrams tokenised in Python, phrase queries,
   terms aggregation for facets): build docs/s and query p50/p95 with total, top 20 and kind
   facet counts, and recall and precision against brute force.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from unittest.mock import patch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import delete, insert, select  # noqa: E402

from archive.config import load_settings  # noqa: E402
from archive.demo import documents as gen  # noqa: E402
from archive.models import Case, Document, Page, StoredObject, User  # noqa: E402
from archive.models.cases import DocumentStatus  # noqa: E402
from archive.records.masking import mask_text  # noqa: E402
from archive.runtime import make_runtime  # noqa: E402
from archive.search import (  # noqa: E402
    IndexUnavailable,
    index_documents,
    matching_document_ids,
    open_index,
    remove_documents,
    search,
)
from archive.search.backend import open_backend  # noqa: E402
from archive.search.schema import bigrams, fold  # noqa: E402
from archive.search.warming import warm_postings  # noqa: E402
from archive.setup import initialise  # noqa: E402

PER_TYPE = 20
RECALL_QUERIES = 20  # per type, checked against brute force on every engine
NO_WARM = False  # --no-warm
ROLE = "archivist"  # --role
BACKEND = "whoosh"  # --backend
DATABASE_URL = ""  # --database-url (postgres)


def generate(count: int, seed: int = 1) -> list[dict]:
    rng, made = random.Random(seed), []
    makers = (gen.invoice, gen.invoice, lambda r: gen.daily_statement(r, days=r.randint(1, 3)),
              gen.referral)
    # Text is all we need; rendering would dominate. Patched only while generating: a test that
    # imports this module shares the generator with every later test.
    with patch.object(gen, "_pdf", lambda pages, title: b""):
        for _ in range(count):
            item = rng.choice(makers)(rng)
            made.append({"kind": item.kind, "text": "\n".join(item.lines), "fields": item.truth,
                         "status": rng.choice(("intake", "in_review", "approved"))})
    return made


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def runtime_on(data_dir: Path):
    database = {"ARCHIVE_DATABASE_URL": DATABASE_URL} if BACKEND == "postgres" else {}
    settings = load_settings({"ARCHIVE_DATA_DIR": str(data_dir), "ARCHIVE_SECRET_KEY": "bench",
                              "ARCHIVE_JOBS_BACKEND": "inline", "ARCHIVE_SEARCH_BACKEND": BACKEND,
                              "ARCHIVE_RECORDS_FIXITY_EVERY_HOURS": "0", **database})
    return make_runtime(settings)


def load_database(runtime, documents: list[dict], first: int = 0) -> list[int]:
    """Cases of three documents, written with bulk inserts; returns the new document ids."""
    now = datetime.now(UTC)
    with runtime.sessions.begin() as session:
        admin = session.scalar(select(User).where(User.username == "bench"))
        if admin is None:
            admin = User(username="bench", display_name="bench", role=ROLE, password_hash="x")
            session.add(admin)
            session.flush()
        ids = []
        for start in range(0, len(documents), 3000):
            chunk = documents[start:start + 3000]
            cases = [{"case_no": case_no(first + start + n), "claimant_name": claimant(d),
                      "claimant_id_number": d["fields"].get("id_number"),
                      "claim_type": "inpatient", "status": d["status"],
                      "created_by_id": admin.id, "created_at": now, "updated_at": now}
                     for n, d in enumerate(chunk) if (first + start + n) % 3 == 0]
            if cases:
                session.execute(insert(Case), cases)
            numbers = {case_no(first + start + n) for n in range(len(chunk))}
            case_ids = dict(session.execute(select(Case.case_no, Case.id).where(
                Case.case_no.in_(numbers))).all())
            objects = [{"sha256": os.urandom(32).hex(), "size": 1, "store_key": os.urandom(16).hex(),
                        "content_type": "application/pdf", "created_at": now} for _ in chunk]
            object_ids = list(session.scalars(insert(StoredObject).returning(StoredObject.id), objects))
            rows = [{"case_id": case_ids[case_no(first + start + n)],
                     "object_id": object_ids[n], "kind": d["kind"], "original_filename": "x.pdf",
                     "filename": "x.pdf", "content_type": "application/pdf", "page_count": 1,
                     "status": DocumentStatus.PROCESSED, "attempts": 1, "uploaded_by_id": admin.id,
                     "created_at": now, "fields": _plain(d["fields"]), "checks": [], "kind_guessed": False,
                     "needs_check": False} for n, d in enumerate(chunk)]
            document_ids = list(session.scalars(insert(Document).returning(Document.id), rows))
            session.execute(insert(Page), [
                {"document_id": i, "number": 1, "text": d["text"], "source": "text_layer"}
                for i, d in zip(document_ids, chunk, strict=True)])
            ids += document_ids
    return ids


def case_no(position: int) -> str:
    """The case of the document at `position` (0-based): three documents to a case."""
    return f"AJ-2026-{position // 3 + 1:06d}"


def claimant(document: dict) -> str:
    return document["fields"].get("payer_name") or document["fields"].get("patient_name") or "某某"


def searchable_texts(documents: list[dict]) -> list[str]:
    """What brute force scans: each document's text and its case's own fields, as indexed
    (archive.search.index.case_line); the case takes them from its first document."""
    lines = []
    for n in range(len(documents)):
        first = documents[n - n % 3]
        number = first["fields"].get("id_number")
        number = number if number and mask_text(number) != number else None
        lines.append(" ".join(filter(None, (case_no(n), claimant(first), number))))
    return [fold(f"{document['text']}\n{line}") for document, line in zip(documents, lines, strict=True)]


def _plain(fields: dict) -> dict:
    return json.loads(json.dumps(fields, default=str, ensure_ascii=False))


def rebuild_in_child(data_dir: Path, max_seconds: float | None = None) -> dict:
    """`rebuild` in a fresh process, so its RSS is its own and not this script's corpus. When it
    runs past `max_seconds` it is stopped and the result says how far it got (`stopped_after_s`,
    documents read so far, CPU seconds of it and its writers, what it had written)."""
    progress = data_dir / "build-progress.json"
    progress.unlink(missing_ok=True)
    code = (f"import json, sys, time; sys.path.insert(0, {str(REPO)!r})\n"
            "import benchmarks.search as bench\n"
            f"bench.BACKEND, bench.DATABASE_URL = {BACKEND!r}, {DATABASE_URL!r}\n"
            "from benchmarks.search import count_records, cpu_seconds, runtime_on, vm_hwm_mb\n"
            "from archive.search import rebuild\n"
            "from archive.search.backend import rebuild_backend\n"
            f"rt = runtime_on(__import__('pathlib').Path({str(data_dir)!r}))\n"
            "started, cpu = time.perf_counter(), cpu_seconds()\n"
            f"count_records(__import__('pathlib').Path({str(progress)!r}), started)\n"
            "with rt.sessions() as s:\n"
            "    rebuild(s, rt.index_dir, procs=2) if bench.BACKEND == 'whoosh' else rebuild_backend(rt, s)\n"
            "print(json.dumps({'seconds': time.perf_counter() - started, 'peak_rss_mb': vm_hwm_mb(),\n"
            "                  'cpu_seconds': cpu_seconds() - cpu}))\n")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    tree_peak, stopped = _watch_tree_rss(child, max_seconds, data_dir)
    if stopped is not None:
        read = json.loads(progress.read_text()) if progress.exists() else {}
        return stopped | {"stopped_after_s": max_seconds, "peak_rss_all_processes_mb": tree_peak,
                          **{f"read_{key}": value for key, value in read.items()}}
    out, _ = child.communicate()
    if child.returncode:
        raise SystemExit(f"rebuild failed ({child.returncode})")
    return json.loads(out.strip().splitlines()[-1]) | {"peak_rss_tree_mb": tree_peak}


def count_records(progress: Path, started: float) -> None:
    """In the rebuild's process: after each batch of documents read for indexing, write how many
    so far and when, so a build stopped early still gives its rate. Both backends read their
    documents through `archive.search.index._records`."""
    from archive.search import index

    read, inner = [0], index._records

    def counted(session, ids):
        records = inner(session, ids)
        read[0] += len(records)
        progress.write_text(json.dumps({"documents": read[0],
                                        "seconds": round(time.perf_counter() - started, 1)}))
        return records

    index._records = counted


def _watch_tree_rss(child: subprocess.Popen, max_seconds: float | None,
                    data_dir: Path) -> tuple[float, dict | None]:
    """Largest sum of RSS over the rebuild and its forked writers, sampled twice a second:
    what the build needs from the machine at once (each one's own peak is less). When the
    build runs past `max_seconds` it is stopped (with its writers), and the second value says
    what it had used and written by then: CPU seconds of every process, and for Whoosh the size
    of the unfinished index (removed afterwards)."""
    import psutil

    peak, cpu, parent = 0, {}, psutil.Process(child.pid)
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    while child.poll() is None:
        if deadline is not None and time.monotonic() > deadline:
            building = list(data_dir.glob("index.new-*"))
            written = sum(f.stat().st_size for d in building for f in d.rglob("*") if f.is_file())
            for process in [*parent.children(recursive=True), parent]:
                process.kill()
            child.wait()
            for directory in building:
                shutil.rmtree(directory, ignore_errors=True)
            return round(peak / 2**20, 1), {"cpu_seconds_all_processes": round(sum(cpu.values()), 1),
                                            "index_mb_written": round(written / 2**20, 1)}
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(process.memory_info().rss for process in tree))
            for process in tree:
                times = process.cpu_times()
                cpu[process.pid] = times.user + times.system
        except psutil.Error:
            pass  # a writer ended between listing and reading it
        time.sleep(0.5)
    return round(peak / 2**20, 1), None


def cpu_seconds() -> float:
    """CPU time of this process and its waited-for children: on a shared machine, docs per
    CPU-second say more about the code than docs per second of wall time."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def vm_hwm_mb() -> float:
    """Peak RSS of this process (VmHWM) and of its waited-for children (the forked index writer).
    Not ru_maxrss for this process: Linux carries it across exec, so the rebuild's would be at
    least this script's RSS when it forked the rebuild (4.7 GB with 1,000,000 documents)."""
    own = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
               if line.startswith("VmHWM:"))
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def queries(documents: list[dict], rng: random.Random) -> dict[str, list[tuple[str, dict]]]:
    fields = [d["fields"] for d in rng.sample(documents, 400)]
    names = [f.get("payer_name") or f.get("patient_name") for f in fields]
    names = [n for n in names if n]
    made = {
        "name_2char": [(n[:2], {}) for n in names[:PER_TYPE]],
        "name_3char": [(n, {}) for n in names if len(n) == 3][:PER_TYPE],
        "number_8digit": [(f["invoice_number"], {}) for f in fields if "invoice_number" in f][:PER_TYPE],
        "id_number_18": [(f["id_number"], {}) for f in fields if "id_number" in f][:PER_TYPE],
        "case_number": [(case_no(rng.randrange(len(documents))), {}) for _ in range(PER_TYPE)],
        "hospital": [(h, {}) for h in gen.HOSPITALS] * 3,
        "two_word_phrase": [("床位费 头孢呋辛钠", {}), ("股骨颈骨折 转诊", {}), ("统筹基金 住院", {}),
                            ("护理费 神经内科", {})] * 5,
        "field_filter_date_range": [("", {"kind": "invoice", "date_from": f"2026-0{m}-01",
                                          "date_to": f"2026-0{m + 2}-28"}) for m in (1, 2, 3, 4)] * 5,
        "facet_query": [("医院", {}), ("住院", {}), ("2026", {}), ("费", {"kind": "invoice"})] * 5,
    }
    return {kind: listed[:PER_TYPE] for kind, listed in made.items()}


def percentiles(timings: list[float]) -> dict:
    timings = sorted(timings)
    return {"n": len(timings), "p50": round(statistics.median(timings), 1),
            "p95": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1)}


def brute_force(texts: list[str], raw: str, filters: dict, kinds: list[str]) -> set[int]:
    """Positions (0-based) of documents containing every whitespace-separated part of `raw`."""
    parts = [fold(part) for part in raw.split()]
    return {n for n, text in enumerate(texts)
            if all(part in text for part in parts) and kinds[n] == filters.get("kind", kinds[n])}


def run_production(runtime, documents, texts, kinds, cases, ids) -> tuple[dict, dict]:
    index = open_backend(runtime)
    position = {document_id: n for n, document_id in enumerate(ids)}
    timings, warm, baseline, recall, totals, top10 = {}, {}, {}, {}, {}, {}
    with runtime.sessions() as session:
        admin = session.scalar(select(User).where(User.username == "bench"))
        search(session, index, admin, "医院")  # open the searcher and read columns once
        # as `archive serve` does at start (Whoosh's posting lists; PostgreSQL has its own cache)
        warming = None if NO_WARM or BACKEND != "whoosh" else warm_postings(index)
        for kind, cases_of_type in cases.items():
            spent, scan, misses, extra, expected_total = [], [], 0, 0, 0
            totals[kind] = {"checked": 0, "exact": 0}
            top10[kind] = []
            for number, (raw, filters) in enumerate(cases_of_type):
                started = time.perf_counter()
                result = search(session, index, admin, raw, filters=filters)
                spent.append((time.perf_counter() - started) * 1000)
                top10[kind].append([position[hit.document_id] for hit in result.hits[:10]])
                started = time.perf_counter()
                truth = brute_force(texts, raw, filters, kinds) if raw else None
                scan.append((time.perf_counter() - started) * 1000)
                if truth is not None and all(len(part) > 1 for part in raw.split()):
                    totals[kind]["checked"] += 1  # the total shown equals the true count
                    totals[kind]["exact"] += result.total == len(truth)
                if truth is not None and number < RECALL_QUERIES and len(fold(raw).replace(" ", "")) > 1:
                    found = {position[i] for i in matching_document_ids(session, index, admin,
                                                                           _quoted(raw), filters=filters)}
                    misses += len(truth - found)
                    extra += len(found - truth)
                    expected_total += len(truth)
                assert result.total >= 0
            timings[kind] = percentiles(spent)
            baseline[kind] = percentiles(scan)
            recall[kind] = _recall(expected_total, misses, extra)
        for kind, cases_of_type in cases.items():  # the same again: every posting list read before
            spent = []
            for raw, filters in cases_of_type:
                started = time.perf_counter()
                search(session, index, admin, raw, filters=filters)
                spent.append((time.perf_counter() - started) * 1000)
            warm[kind] = percentiles(spent)
    return {"warming": warming, "queries_ms": timings, "queries_repeated_ms": warm, "recall": recall,
            "totals_exact": totals, "top10": top10}, baseline


def overlap_at_10(mine: dict, theirs: dict) -> dict:
    """Per query type, the mean share of one backend's first ten hits (relevance order, corpus
    positions) that the other's first ten also hold, over the same queries."""
    shares = {}
    for kind, lists in mine.items():
        pairs = list(zip(lists, theirs.get(kind, []), strict=False))
        scored = [len(set(a) & set(b)) / min(10, max(len(a), len(b))) for a, b in pairs if a or b]
        if scored:
            shares[kind] = round(sum(scored) / len(scored), 3)
    return shares


def tied_overlap_at_10(mine: dict, theirs: dict, cases: dict, texts: list[str],
                       documents: list[dict]) -> dict:
    """overlap@10 that counts ties as agreement: a hit in one backend's first ten agrees when the
    other's first ten hold it, or when it ranks level with the other's tenth hit — the same
    frequency of every query part in its text (both backends score BM25 on those frequencies
    alone, so equal frequencies are equal scores whatever each one's idf), or for a query
    without text (sorted by date) the same document date. Any ten of a tied group are an equally
    good first page; plain overlap@10 counts them as disagreement. Both directions, averaged."""
    from archive.search.index import _first_date

    def key(raw: str, n: int):
        if not raw.strip():
            return _first_date(documents[n]["fields"])
        return tuple(texts[n].count(fold(part)) for part in raw.split())

    shares = {}
    for kind, lists in mine.items():
        scored = []
        for (raw, _), a, b in zip(cases.get(kind, []), lists, theirs.get(kind, []), strict=False):
            if not (a or b):
                continue
            for first, second in ((a, b), (b, a)):
                level = key(raw, second[-1]) if len(second) == 10 else None
                agree = sum(n in second or (level is not None and key(raw, n) == level) for n in first)
                scored.append(agree / min(10, max(len(first), len(second))))
        if scored:
            shares[kind] = round(sum(scored) / len(scored), 3)
    return shares


def _quoted(raw: str) -> str:
    return " ".join(f'"{part}"' for part in raw.split())


def _recall(expected: int, misses: int, extra: int) -> dict:
    if not expected:
        return {"checked": 0}
    return {"checked": expected, "recall": round(1 - misses / expected, 4), "extra_hits": extra}


def incremental(runtime, count: int = 20, added: list[int] | None = None) -> dict:
    """`count` documents committed and indexed one at a time; their ids are appended to `added`."""
    index = open_backend(runtime)
    latencies = []
    with runtime.sessions() as session:
        first = session.scalar(select(Document.id).order_by(Document.id.desc()))
    for number, document in enumerate(generate(count, seed=99)):
        [document_id] = load_database(runtime, [document], first=3 * (first // 3 + 2 + number))
        if added is not None:
            added.append(document_id)
        started = time.perf_counter()
        with runtime.sessions() as session:
            index_documents(index, session, [document_id])
        latencies.append((time.perf_counter() - started) * 1000)
    return {"p50": round(statistics.median(latencies), 1), "max": round(max(latencies), 1)}


def incremental_undone(runtime, count: int = 20) -> dict:
    """`incremental` on a cached corpus (--cache-dir), which is left as it was found so the next
    run can reuse it: the added documents are deleted from the database, and from the index —
    Whoosh's directory is put back from a copy taken before (deleting them would leave segments
    that later queries read, so the index would not be the one measured before), PostgreSQL's
    rows are deleted."""
    saved = runtime.index_dir.with_name("index.before-incremental")
    if BACKEND == "whoosh":
        shutil.rmtree(saved, ignore_errors=True)
        shutil.copytree(runtime.index_dir, saved)
    added: list[int] = []
    try:
        return incremental(runtime, count, added)
    finally:
        if BACKEND == "whoosh":
            shutil.rmtree(runtime.index_dir)
            saved.rename(runtime.index_dir)
        else:
            remove_documents(open_backend(runtime), added)
        _delete_documents(runtime, added)


def _delete_documents(runtime, ids: list[int]) -> None:
    """What `load_database` wrote for these documents: pages, documents, stored objects, and the
    cases left without documents."""
    with runtime.sessions.begin() as session:
        rows = session.execute(select(Document.case_id, Document.object_id).where(
            Document.id.in_(ids))).all()
        session.execute(delete(Page).where(Page.document_id.in_(ids)))
        session.execute(delete(Document).where(Document.id.in_(ids)))
        session.execute(delete(StoredObject).where(StoredObject.id.in_([row.object_id for row in rows])))
        session.execute(delete(Case).where(Case.id.in_({row.case_id for row in rows}),
                                           ~select(Document.id).where(Document.case_id == Case.id).exists()))


# --- SQLite FTS5 -----------------------------------------------------------------------------

def fts5_leg(tmp: Path, texts, kinds, cases) -> dict:
    database = sqlite3.connect(tmp / "fts5.db")
    database.execute("CREATE VIRTUAL TABLE docs USING fts5(text, kind UNINDEXED, tokenize='trigram')")
    # The trigram index cannot answer a two-character LIKE (it finds nothing): a plain copy can.
    database.execute("CREATE TABLE plain (id INTEGER PRIMARY KEY, text TEXT)")
    started = time.perf_counter()
    rows = [(n, text, kind) for n, (text, kind) in enumerate(zip(texts, kinds, strict=True))]
    database.executemany("INSERT INTO docs(rowid, text, kind) VALUES (?, ?, ?)", rows)
    database.executemany("INSERT INTO plain(id, text) VALUES (?, ?)", ((n, t) for n, t, _ in rows))
    database.commit()
    build = time.perf_counter() - started
    timings, recall = {}, {}
    for kind, cases_of_type in cases.items():
        spent, misses, extra, expected = [], 0, 0, 0
        for raw, filters in cases_of_type:
            where, args = _fts5_where(raw, filters)
            started = time.perf_counter()
            total = database.execute(f"SELECT count(*) FROM docs WHERE {where}", args).fetchone()[0]
            shown = "snippet(docs, 0, '<mark>', '</mark>', '…', 16)" if "MATCH" in where else \
                "substr(text, 1, 60)"
            database.execute(f"SELECT rowid, {shown} FROM docs WHERE {where} LIMIT 20", args).fetchall()
            database.execute(f"SELECT kind, count(*) FROM docs WHERE {where} GROUP BY kind", args).fetchall()
            spent.append((time.perf_counter() - started) * 1000)
            if raw and len(fold(raw).replace(" ", "")) > 1:
                truth = brute_force(texts, raw, filters, kinds)
                found = {row[0] for row in database.execute(f"SELECT rowid FROM docs WHERE {where}", args)}
                misses, extra, expected = misses + len(truth - found), extra + len(found - truth), \
                    expected + len(truth)
            assert total >= 0
        timings[kind] = percentiles(spent)
        recall[kind] = _recall(expected, misses, extra)
    database.close()
    return {"build_docs_per_s": round(len(texts) / build), "queries_ms": timings, "recall": recall,
            "note": "no date filter (text only); kind filter as a column"}


def _fts5_where(raw: str, filters: dict) -> tuple[str, list]:
    clauses, args, match = [], [], []
    for part in raw.split():
        if len(part) >= 3:
            match.append('"' + part.replace('"', '""') + '"')
        else:
            clauses.append("rowid IN (SELECT id FROM plain WHERE text LIKE ?)")
            args.append(f"%{part}%")
    if match:
        clauses.insert(0, "docs MATCH ?")
        args.insert(0, " AND ".join(match))
    if "kind" in filters:
        clauses.append("kind = ?")
        args.append(filters["kind"])
    return " AND ".join(clauses) or "1", args


# --- tantivy ---------------------------------------------------------------------------------

def tantivy_leg(texts, kinds, years, cases) -> dict:
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("text", stored=False, tokenizer_name="whitespace", index_option="position")
    builder.add_integer_field("n", stored=True, fast=True)
    builder.add_text_field("kind", stored=False, tokenizer_name="raw", fast=True)
    builder.add_text_field("year", stored=False, tokenizer_name="raw", fast=True)
    schema = builder.build()
    index = tantivy.Index(schema)
    writer = index.writer(heap_size=256_000_000, num_threads=2)
    started = time.perf_counter()
    for n, text in enumerate(texts):
        writer.add_document(tantivy.Document(text=_bigram_tokens(text), n=n, kind=kinds[n], year=years[n]))
    writer.commit()
    writer.wait_merging_threads()
    build = time.perf_counter() - started
    index.reload()
    searcher = index.searcher()
    timings, recall = {}, {}
    for kind, cases_of_type in cases.items():
        spent, misses, extra, expected = [], 0, 0, 0
        for raw, filters in cases_of_type:
            query = _tantivy_query(tantivy, schema, raw, filters)
            started = time.perf_counter()
            result = searcher.search(query, 20, count=True)
            [searcher.doc(address)["n"] for _, address in result.hits]
            for field in ("kind", "year"):
                searcher.aggregate(query, {field: {"terms": {"field": field}}})
            spent.append((time.perf_counter() - started) * 1000)
            if raw and len(fold(raw).replace(" ", "")) > 1:
                truth = brute_force(texts, raw, filters, kinds)
                found = {searcher.doc(address)["n"][0] for _, address in
                         searcher.search(query, max(1, len(texts)), count=True).hits}
                misses, extra, expected = misses + len(truth - found), extra + len(found - truth), \
                    expected + len(truth)
        timings[kind] = percentiles(spent)
        recall[kind] = _recall(expected, misses, extra)
    return {"build_docs_per_s": round(len(texts) / build), "queries_ms": timings, "recall": recall,
            "note": "no date filter and no snippets (tantivy has no positions for them here)"}


def _bigram_tokens(text: str) -> str:
    tokens, last = [], None
    for position, _, pair in bigrams(text):
        if last is not None and position != last + 1:
            tokens.append("\u2402")  # a token that never occurs in a query keeps runs apart
        tokens.append(pair)
        last = position
    return " ".join(tokens)


def _tantivy_query(tantivy, schema, raw: str, filters: dict):
    must = []
    for part in raw.split():
        pairs = [pair for _, _, pair in bigrams(part)]
        if not pairs:
            continue  # one character: no text query (the production path searches exact fields)
        must.append(tantivy.Query.term_query(schema, "text", pairs[0]) if len(pairs) == 1
                    else tantivy.Query.phrase_query(schema, "text", pairs))
    if "kind" in filters:
        must.append(tantivy.Query.term_query(schema, "kind", filters["kind"]))
    if not must:
        return tantivy.Query.all_query()
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in must])


def _corpus(args, tmp: Path, documents: list[dict], report: dict):
    """(runtime, document ids, reused?) — a fresh database in `tmp`, or the one cached in
    --cache-dir when it was filled with the same number of documents."""
    # One cache per backend: Whoosh's corpus is a SQLite database in the directory, PostgreSQL's
    # is in --database-url (the directory then holds only the marker).
    stem = f"docs-{args.docs}" + ("-postgres" if BACKEND == "postgres" else "")
    data_dir = (args.cache_dir / stem) if args.cache_dir else tmp / "data"
    done = data_dir / "corpus-loaded"
    runtime = runtime_on(data_dir)
    if done.exists():
        with runtime.sessions() as session:
            ids = list(session.scalars(select(Document.id).order_by(Document.id)))
        if len(ids) == len(documents):
            report["corpus"] = f"reused from {data_dir}"
            return runtime, ids, True
        raise SystemExit(f"{data_dir} holds {len(ids)} documents, not {len(documents)}; remove it")
    initialise(runtime)
    started = time.perf_counter()
    ids = load_database(runtime, documents)
    report["load_database_s"] = round(time.perf_counter() - started, 1)
    if args.cache_dir:
        done.write_text(str(len(ids)))
    return runtime, ids, False


def _index_current(runtime) -> bool:
    if BACKEND == "postgres":
        from archive.search.pg_index import open_postgres, read_mark

        return read_mark(open_postgres(runtime.engine)) is not None
    try:
        open_index(runtime.index_dir)
    except IndexUnavailable:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--skip-fts5", action="store_true")
    parser.add_argument("--skip-tantivy", action="store_true")
    parser.add_argument("--per-type", type=int, default=PER_TYPE, help="queries per type")
    parser.add_argument("--recall-queries", type=int, default=RECALL_QUERIES,
                        help="queries per type whose hit set is compared with brute force")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="keep the generated database and index here and reuse them on the next "
                             "run with the same --docs (the database is filled once)")
    parser.add_argument("--reuse-index", action="store_true",
                        help="with --cache-dir: skip the bulk rebuild when the cached index is current")
    parser.add_argument("--skip-incremental", action="store_true")
    parser.add_argument("--role", default=ROLE,
                        help="search as this role (admin: identifiers masked; id_number_18 finds nothing)")
    parser.add_argument("--no-warm", action="store_true",
                        help="do not warm the posting-list cache before the first-run queries")
    parser.add_argument("--backend", choices=("whoosh", "postgres", "both"), default="whoosh",
                        help="both: the same corpus and queries on Whoosh, then on PostgreSQL, in "
                             "one report with the overlap of their first ten hits")
    parser.add_argument("--max-build-seconds", type=float, default=None,
                        help="stop a backend's bulk build after this long and report it unfinished "
                             "(its queries are then skipped); e.g. for Whoosh at 1,000,000")
    parser.add_argument("--compare-top10", type=Path, default=None,
                        help="the JSON of a run on the other backend (same --docs and --per-type): "
                             "report overlap@10 of the relevance-ranked hits")
    parser.add_argument("--database-url", default="",
                        help="postgres: an empty database to fill (default: a throwaway local server)")
    args = parser.parse_args()
    globals().update(PER_TYPE=args.per_type, RECALL_QUERIES=args.recall_queries, NO_WARM=args.no_warm,
                     ROLE=args.role)
    backends = ("whoosh", "postgres") if args.backend == "both" else (args.backend,)
    if "postgres" in backends and not args.database_url:
        from contextlib import ExitStack

        from tests.servers import postgres_server

        with ExitStack() as stack:
            server = stack.enter_context(postgres_server())
            return _main(args, backends, server.url("postgres"))
    return _main(args, backends, args.database_url)


def _index_mb(runtime) -> float:
    if BACKEND == "postgres":
        from sqlalchemy import text

        with runtime.engine.connect() as connection:
            return round(connection.scalar(text(
                "SELECT pg_total_relation_size('search_documents')")) / 2**20, 1)
    return round(sum(p.stat().st_size for p in runtime.index_dir.iterdir()) / 2**20, 1)


def _main(args, backends: tuple[str, ...], database_url: str) -> None:
    report: dict = {"documents": args.docs, "backend": args.backend,
                    "load_average_at_start": [round(x, 1) for x in os.getloadavg()]}
    started = time.perf_counter()
    documents = generate(args.docs)
    report["generate_s"] = round(time.perf_counter() - started, 1)
    texts = searchable_texts(documents)
    kinds = [d["kind"] for d in documents]
    years = [re.search(r"(20\d\d)", d["text"]).group(1) if re.search(r"20\d\d", d["text"]) else "2026"
             for d in documents]
    cases = queries(documents, random.Random(3))
    for backend in backends:
        globals().update(BACKEND=backend, DATABASE_URL=database_url if backend == "postgres" else "")
        report[backend] = _leg(args, documents, texts, kinds, cases)
        print(json.dumps(report, ensure_ascii=False, default=str)[:4000], file=sys.stderr)
    first = report[backends[0]]
    if not args.skip_fts5:
        with tempfile.TemporaryDirectory() as tmp:
            report["sqlite_fts5"] = fts5_leg(Path(tmp), texts, kinds, cases)
    if not args.skip_tantivy:
        report["tantivy"] = tantivy_leg(texts, kinds, years, cases)
    for leg in ("sqlite_fts5", "tantivy"):
        if leg in report and "queries_ms" in first:
            report[leg][f"p95_ratio_to_{backends[0]}"] = {
                kind: round(figures["p95"] / max(0.1, first["queries_ms"][kind]["p95"]), 3)
                for kind, figures in report[leg]["queries_ms"].items()}
    pairs = [(backends[0], backends[1], report[backends[1]])] if len(backends) == 2 else []
    if args.compare_top10:
        other = json.loads(args.compare_top10.read_text())
        name = other["backend"]
        pairs.append((backends[0], name, other[name]))
    for mine, name, theirs in pairs:
        if "top10" in report[mine] and "top10" in theirs:
            report[f"overlap_at_10_{mine}_{name}"] = overlap_at_10(report[mine]["top10"], theirs["top10"])
            report[f"tied_overlap_at_10_{mine}_{name}"] = tied_overlap_at_10(
                report[mine]["top10"], theirs["top10"], cases, texts, documents)
    report["peak_rss_mb_of_this_script"] = peak_rss_mb()
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2, default=str)
    print()


def _leg(args, documents, texts, kinds, cases) -> dict:
    """One backend: fill (or reuse) its database, build, query, add incrementally."""
    leg: dict = {"load_average_at_start": [round(x, 1) for x in os.getloadavg()]}
    with tempfile.TemporaryDirectory() as tmp:
        runtime, ids, cached = _corpus(args, Path(tmp), documents, leg)
        if not (cached and args.reuse_index and _index_current(runtime)):
            bulk = rebuild_in_child(runtime.settings.data_dir, args.max_build_seconds)
            if "stopped_after_s" in bulk:
                leg["bulk"] = bulk | {"load_average_1m": round(os.getloadavg()[0], 1)}
                runtime.engine.dispose()
                return leg
            leg["bulk"] = {"seconds": round(bulk["seconds"], 1),
                           "docs_per_s": round(args.docs / bulk["seconds"]),
                           "docs_per_cpu_s": round(args.docs / bulk["cpu_seconds"]),
                           "load_average_1m": round(os.getloadavg()[0], 1),
                           "peak_rss_mb": bulk["peak_rss_mb"],
                           "peak_rss_all_processes_mb": bulk["peak_rss_tree_mb"],
                           "procs": 2 if BACKEND == "whoosh" else 1, "index_mb": _index_mb(runtime)}
        production, baseline = run_production(runtime, documents, texts, kinds, cases, ids)
        leg.update(production)
        leg["baseline_brute_force_scan_ms"] = baseline
        if not args.skip_incremental:
            add = incremental_undone if args.cache_dir else incremental  # leave a cache reusable
            leg["incremental_add_ms"] = add(runtime)
        leg["load_average_at_end"] = [round(x, 1) for x in os.getloadavg()]
        runtime.engine.dispose()
    return leg


if __name__ == "__main__":
    main()
