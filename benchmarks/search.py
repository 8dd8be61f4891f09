"""Search benchmark: bulk indexing, incremental adds and query latency on generated documents.

    .venv/bin/python benchmarks/search.py --docs 100000 > search.json

Documents come from archive.demo generators (text only, no PDF rendering) and go straight into
an index with the production schema; queries use the production query builder, access filter
and facets, and render highlighted snippets for the top 20. Prints JSON.
Not yet here: the SQLite FTS5 and tantivy-py side-by-side runs the issue asks for.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as q
from whoosh import sorting

from archive.demo import documents as gen
from archive.search.parse import parse_query
from archive.search.query import _visible_docnums
from archive.search.schema import FACET_FIELDS, build_schema, fold
from archive.search.snippets import snippet


def generate(count: int, seed: int = 1) -> list[dict]:
    gen._pdf = lambda pages, title: b""  # text is all we need; rendering would dominate
    rng, made = random.Random(seed), []
    makers = (gen.invoice, gen.invoice, lambda r: gen.daily_statement(r, days=r.randint(1, 3)),
              gen.referral)
    for number in range(count):
        item = rng.choice(makers)(rng)
        truth = item.truth
        day = truth.get("issue_date") or truth.get("statement_date") or truth.get("referral_date")
        made.append({"document_id": str(number + 1), "case_id": number // 3 + 1,
                     "case_no": f"aj-2026-{number // 3 + 1:06d}", "text": "\n".join(item.lines),
                     "kind": item.kind, "status": rng.choice(("intake", "review", "approved")),
                     "hospital": truth.get("hospital", ""), "year": (day or "2026")[:4],
                     "patient_name": truth.get("payer_name") or truth.get("patient_name", ""),
                     "id_number": fold(truth.get("id_number", "")),
                     "insurance_number": truth.get("insurance_number", ""),
                     "invoice_number": truth.get("invoice_number", ""),
                     **({"document_date": datetime.fromisoformat(day)} if day else {}),
                     **({"amount_fen": int(float(truth["total_amount"]) * 100)}
                        if "total_amount" in truth else {})})
    return [{key: value for key, value in record.items() if value != ""} for record in made]


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def queries(records: list[dict], rng: random.Random) -> dict[str, list[tuple[str, dict]]]:
    sample = rng.sample(records, 50)
    names = [r["patient_name"] for r in sample if "patient_name" in r]
    return {
        "name_2char": [(n[:2], {}) for n in names],
        "name_3char": [(n, {}) for n in names if len(n) == 3] or [(names[0], {})],
        "number_8digit": [(r["invoice_number"], {}) for r in sample if "invoice_number" in r],
        "id_number_18": [(r["id_number"], {}) for r in records[:4000] if "id_number" in r][:30],
        "hospital": [(h, {}) for h in gen.HOSPITALS],
        "two_word_phrase": [("床位费 头孢呋辛钠", {}), ("股骨颈骨折 转诊", {}), ("统筹基金 住院", {})],
        "field_filter_date_range": [("", {"kind": "invoice", "date": (datetime(2026, 3, 1),
                                                                      datetime(2026, 5, 31))})],
        "facet_query": [("医院", {})],
    }


def run_query(searcher, raw: str, filters: dict, allowed: set[int], texts: dict[str, str]) -> None:
    parsed = parse_query(raw)
    clauses = [parsed.query or q.Every()]
    if "kind" in filters:
        clauses.append(q.Term("kind", filters["kind"]))
    if "date" in filters:
        clauses.append(q.DateRange("document_date", *filters["date"]))
    facets = {name: sorting.FieldFacet(name, maptype=sorting.Count) for name in FACET_FIELDS}
    page = searcher.search_page(q.And(clauses) if len(clauses) > 1 else clauses[0], 1, pagelen=20,
                                filter=_visible_docnums(searcher, allowed), groupedby=facets)
    for name in FACET_FIELDS:
        page.results.groups(name)
    for hit in page:
        snippet([texts.get(hit["document_id"], "")], parsed.text_terms)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--procs", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    records = generate(args.docs)
    generated = time.perf_counter() - started
    report: dict = {"documents": args.docs, "generate_s": round(generated, 1)}
    with tempfile.TemporaryDirectory() as tmp:
        index = whoosh_index.create_in(tmp, build_schema())
        started = time.perf_counter()
        writer = index.writer(procs=args.procs, limitmb=128, multisegment=args.procs > 1) \
            if args.procs > 1 else index.writer(limitmb=128)
        for record in records:
            writer.add_document(**record)
        writer.commit()
        took = time.perf_counter() - started
        report["bulk"] = {"seconds": round(took, 1), "docs_per_s": round(args.docs / took),
                          "peak_rss_mb": peak_rss_mb(), "procs": args.procs,
                          "index_mb": round(sum(p.stat().st_size for p in Path(tmp).iterdir()) / 2**20, 1)}
        extra = generate(20, seed=99)
        latencies = []
        for number, record in enumerate(extra):
            record = {**record, "document_id": f"x{number}"}
            started = time.perf_counter()
            with index.writer(timeout=30) as writer:
                writer.update_document(**record)
            latencies.append((time.perf_counter() - started) * 1000)
        report["incremental_add_ms"] = {"p50": round(statistics.median(latencies), 1),
                                        "max": round(max(latencies), 1)}
        texts = {r["document_id"]: r["text"] for r in records}
        allowed = {r["case_id"] for r in records}
        report["queries_ms"] = {}
        with index.searcher() as searcher:
            for kind, cases in queries(records, random.Random(3)).items():
                timings = []
                for raw, filters in cases * max(1, 20 // len(cases)):
                    started = time.perf_counter()
                    run_query(searcher, raw, filters, allowed, texts)
                    timings.append((time.perf_counter() - started) * 1000)
                timings.sort()
                report["queries_ms"][kind] = {
                    "n": len(timings), "p50": round(statistics.median(timings), 1),
                    "p95": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 1)}
    report["peak_rss_mb"] = peak_rss_mb()
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    print()


if __name__ == "__main__":
    main()
