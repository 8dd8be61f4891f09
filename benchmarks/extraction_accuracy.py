"""Extraction accuracy: per kind and per field, exact match against the generators' truth.

Born-digital PDFs (text layer) and degraded scans (`archive.demo.scans`, OCR) of invoices,
referrals, agreements, daily statements and VAT invoices, in every layout family of
archive/demo/families/ (`--families`; the families in `--holdout` are reported apart, also
read with empty reference lists, and their error examples are not printed), generated from a
fixed EVALUATION seed (tune on `--seed 5`, the TUNING_SEED, never on the evaluation seed).
Every truth field of every document is counted correct, absent (not extracted) or wrong
(extracted with another value, the worse error); a field extracted that the truth lacks counts
as invented; a list field's rows are also counted (`rows`: rows read exactly, every cell, of
the rows printed). An absent field is "flagged" when the reading reported it unreadable or
missing (a `field_unreadable` or `field_missing` finding: a person is asked to look). Prints
one JSON object on stdout; progress goes to stderr. See benchmarks/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import zlib  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from contextlib import contextmanager  # noqa: E402

# The seed the documents are scored on. Never look at its outputs while tuning labels or
# preprocessing: use TUNING_SEED (or any other) for that.
EVALUATION_SEED = 20260503
TUNING_SEED = 5
KINDS = ("invoice", "referral", "agreement", "daily_statement", "vat_invoice")
# List fields: besides exact or not as a whole, their rows are counted (a row exact: every cell).
LIST_FIELDS = ("items", "line_items")
# The families a kind had when scans were first seeded by family: their scan seeds stay as they
# were (a family's offset is its place in this list); later families are seeded by their name.
_FIRST_FAMILIES = {"invoice": ("classic", "ebill", "grid", "his", "provincial"),
                   "daily_statement": ("classic", "coded", "grid", "his"),
                   "referral": ("classic", "filing", "grid", "spaced"),
                   "agreement": ("classic", "cover", "prose", "variant")}
TARGETS = {"born_digital_exact": 1.0, "scans_exact_min": 0.97, "wrong_max": 0, "invented_max": 0}
# Issue 17, on the held-back families: born-digital >= 99 %, scans >= 93 %, 0 invented, wrong <= 0.5 %.
HOLDOUT_TARGETS = {"born_digital_exact_min": 0.99, "scans_exact_min": 0.93, "wrong_max_share": 0.005,
                   "invented_max": 0, "photos_exact_min": 0.85}
EXAMPLES_PER_FIELD = 4


def _family_names() -> tuple[dict, tuple[str, ...], tuple[str, ...]]:
    from archive.demo.families import FAMILIES, HOLDOUT, PAPER_BILLS

    return FAMILIES, HOLDOUT, PAPER_BILLS


FAMILIES, HOLDOUT, PAPER_BILLS = _family_names()


def log(message: str) -> None:
    print(f"[accuracy-bench] {message}", file=sys.stderr, flush=True)


def make_document(kind: str, index: int, seed: int, *, scan: bool = False, family: str = "classic"):
    from archive.demo import documents as gen
    from archive.demo import families

    if family != "classic":
        return families.make(kind, family, random.Random(f"{seed}:{kind}:{family}:{index}"))
    rng = random.Random(f"{seed}:{kind}:{index}")
    if kind == "daily_statement":
        # A scan is one page: one day. Born-digital statements have one to three days (pages).
        return gen.daily_statement(rng, days=1 if scan else 1 + index % 3)
    makers = {"invoice": gen.invoice, "referral": gen.referral, "agreement": gen.agreement}
    return makers[kind](rng)


@contextmanager
def empty_reference_lists():
    """Read as an agency with empty reference lists would: no doubtful name is taken from a list."""
    from archive.ocr import reference

    original = reference._reference
    empty = {name: ({"items": []} if "items" in table else {"names": []})
             for name, table in original().items()}
    reference._reference = lambda: empty
    reference.names.cache_clear()
    reference.catalogue.cache_clear()
    try:
        yield
    finally:
        reference._reference = original
        reference.names.cache_clear()
        reference.catalogue.cache_clear()


def read_one(task: tuple[str, str, int, int, str, str, bool, bool]) -> dict:
    """Generate one document (born-digital PDF or degraded scan), read it, score its fields."""
    from archive.demo.photos import photograph
    from archive.demo.scans import scan
    from archive.files import sniff
    from archive.ocr import analyse, guess_kind, read_pages
    from archive.ocr.extract import FIELD_FLAGS
    from archive.ocr.fields import fields_of

    source, kind, index, seed, workdir, family, held_out, preprinted = task

    def flagged(reading) -> list[str]:
        return sorted({name for c in reading.checks if c["code"] in FIELD_FLAGS
                       for name in fields_of(kind, c["field"])})

    document = make_document(kind, index, seed, scan=source != "born_digital", family=family)
    started = time.perf_counter()
    if source == "born_digital":
        content, content_type, suffix, described = document.content, sniff.PDF, ".pdf", None
    else:
        first = _FIRST_FAMILIES.get(kind, ())
        family_offset = (0 if family == "classic" else 1009 * (1 + first.index(family)) if family in first
                         else 1009 * (100 + zlib.crc32(family.encode()) % 997))
        image_seed = seed * 100_003 + index * 7 + KINDS.index(kind) + family_offset
        # A phone photo (archive.demo.photos) of the page, or a degraded scan of it.
        result = (photograph(document, seed=image_seed) if source == "photo"
                  else scan(document, seed=image_seed, preprinted=preprinted))
        content, content_type = result.content, result.content_type
        suffix = ".tif" if content_type == "image/tiff" else ".jpg"
        described = result.describe()
    generated = time.perf_counter()
    path = Path(workdir) / f"{source}-{kind}-{family}-{index:05d}{suffix}"  # families run side by side
    path.write_bytes(content)
    pages = list(read_pages(path, content_type))
    # As processing reads it: with what the document's case states, the claimant's name as the
    # intake clerk typed it when opening the case. Also read alone, for the figure without it.
    name = document.truth.get("patient_name") or document.truth.get("payer_name")
    reading = analyse(pages, kind=kind, case={"claimant_name": name} if name else None)
    finished = time.perf_counter()
    alone = analyse(pages, kind=kind)
    unlisted = None
    if held_out:
        with empty_reference_lists():
            unlisted = analyse(pages, kind=kind, case={"claimant_name": name} if name else None)
    path.unlink()
    text = "\n".join(page.text for page in pages)
    return {"source": source, "kind": kind, "family": family, "held_out": held_out, "index": index,
            "truth": document.truth,
            "fields": reading.fields, "page_sources": [page.source for page in pages],
            "confidence": pages[0].confidence if pages else None,
            "errors": [page.error for page in pages if page.error],
            "guessed_kind": guess_kind(text), "scan": described, "text": text,
            "needs_check": reading.needs_check, "flagged": flagged(reading),
            "alone": {"fields": alone.fields, "needs_check": alone.needs_check,
                      "flagged": flagged(alone)},
            "unlisted": unlisted and {"fields": unlisted.fields, "needs_check": unlisted.needs_check,
                                      "flagged": flagged(unlisted)},
            "generate_s": generated - started, "read_s": finished - generated}


def score(results: list[dict]) -> dict:
    per_kind: dict = {}
    overall = Counter()
    examples: dict = defaultdict(list)
    for kind in KINDS:
        rows = [r for r in results if r["kind"] == kind]
        if not rows:
            continue
        fields: dict = defaultdict(Counter)
        kind_totals, docs_all_exact, kind_guessed, needs_check = Counter(), 0, 0, 0
        for row in rows:
            all_exact = True
            kind_guessed += row["guessed_kind"] == kind
            needs_check += row["needs_check"]
            for name, expected in row["truth"].items():
                got = row["fields"].get(name)
                outcome = "correct" if got == expected else "absent" if got is None else "wrong"
                fields[name][outcome] += 1
                kind_totals[outcome] += 1
                if name in LIST_FIELDS and isinstance(expected, list):
                    rows_exact = _rows_exact(expected, got if isinstance(got, list) else [])
                    fields[name]["rows"] += len(expected)
                    fields[name]["rows_exact"] += rows_exact
                    kind_totals["rows"] += len(expected)
                    kind_totals["rows_exact"] += rows_exact
                if outcome == "absent" and name in row["flagged"]:
                    fields[name]["absent_flagged"] += 1
                    kind_totals["absent_flagged"] += 1
                if outcome != "correct":
                    all_exact = False
                    key = f"{kind}.{name}"
                    if len(examples[key]) < EXAMPLES_PER_FIELD:
                        line = _line_of(row["text"], name, kind)
                        examples[key].append({"index": row["index"], "outcome": outcome, "expected": expected,
                                              "got": got, "ocr_line": line, "confidence": row["confidence"],
                                              "scan": row["scan"]})
            for name in row["fields"].keys() - row["truth"].keys():
                fields[name]["invented"] += 1
                kind_totals["invented"] += 1
                all_exact = False
            docs_all_exact += all_exact
        overall.update(kind_totals)
        per_kind[kind] = {
            "documents": len(rows), "documents_all_fields_exact": docs_all_exact,
            "kind_guessed_right": kind_guessed, "documents_needing_check": needs_check,
            "fields": {name: _rates(counts) for name, counts in sorted(fields.items())},
            "total": _rates(kind_totals),
        }
    return {"per_kind": per_kind, "overall": _rates(overall), "error_examples": dict(examples)}


def _line_of(text: str, name: str, kind: str) -> str | None:
    from archive.ocr.fields import _spec

    rule = _spec().get(kind, {}).get(name)
    if not isinstance(rule, dict) or "labels" not in rule:
        return None
    for line in text.splitlines():
        if any(label[:2] in line for label in rule["labels"]):
            return line[:120]
    return None


def _rows_exact(expected: list[dict], got: list[dict]) -> int:
    """Rows of a list field read exactly (every cell), each read row counted once."""
    left = [dict(row) for row in got]
    found = 0
    for row in expected:
        if row in left:
            left.remove(row)
            found += 1
    return found


def _rates(counts: Counter) -> dict:
    fields = counts["correct"] + counts["absent"] + counts["wrong"]
    rates = {"fields": fields, "correct": counts["correct"], "absent": counts["absent"],
             "absent_flagged": counts["absent_flagged"], "wrong": counts["wrong"],
             "invented": counts["invented"],
             "exact": round(counts["correct"] / fields, 4) if fields else None}
    if counts["rows"]:
        # A list field's rows: exact rows / rows printed (a list not given has none exact).
        rates["rows"] = {"rows": counts["rows"], "exact": counts["rows_exact"],
                         "share": round(counts["rows_exact"] / counts["rows"], 4)}
    return rates


def run_leg(source: str, docs: int, seed: int, workers: int, workdir: str,
            families: list[str], holdout: set[str], preprinted: set[str] = frozenset()) -> dict:
    tasks = [(source, kind, index, seed, workdir, family, f"{kind}.{family}" in holdout,
              f"{kind}.{family}" in preprinted)
             for kind in KINDS for family in FAMILIES[kind] if f"{kind}.{family}" in families
             for index in range(docs)]
    results, started = [], time.perf_counter()
    pool = multiprocessing.get_context("fork").Pool(workers) if workers > 1 else None
    try:
        mapped = pool.imap_unordered(read_one, tasks, chunksize=1) if pool else map(read_one, tasks)
        for done, result in enumerate(mapped, 1):
            results.append(result)
            if done % 20 == 0 or done == len(tasks):
                log(f"{source}: {done}/{len(tasks)} in {time.perf_counter() - started:.0f} s")
    finally:
        if pool:
            pool.close()
            pool.join()
    wall = time.perf_counter() - started
    tuned = [r for r in results if not r["held_out"]]
    held = [r for r in results if r["held_out"]]
    report = score(tuned) if tuned else {}
    if tuned:
        report["without_case_facts"] = score([{**r, **r["alone"]} for r in tuned])["overall"]
    if held:
        # Held-back families: their error examples are not printed, so that nobody tunes on them.
        report["holdout"] = {key: value for key, value in score(held).items() if key != "error_examples"}
        report["holdout"]["families"] = sorted({f"{r['kind']}.{r['family']}" for r in held})
        report["holdout"]["without_case_facts"] = score([{**r, **r["alone"]} for r in held])["overall"]
        unlisted = [{**r, **r["unlisted"]} for r in held]
        report["holdout"]["without_reference_lists"] = score(unlisted)["overall"]
    report["per_family"] = {f"{kind}.{family}": score([r for r in results if (r["kind"], r["family"])
                                                       == (kind, family)])["overall"]
                            for kind, family in sorted({(r["kind"], r["family"]) for r in results})}
    sources = Counter(s for r in results for s in r["page_sources"])
    confidences = [r["confidence"] for r in results if r["confidence"] is not None]
    report["timing"] = {
        "documents": len(results), "workers": workers, "wall_s": round(wall, 1),
        "docs_per_s": round(len(results) / wall, 2),
        "mean_generate_s": round(sum(r["generate_s"] for r in results) / len(results), 3),
        "mean_read_s": round(sum(r["read_s"] for r in results) / len(results), 3),
    }
    report["page_sources"] = dict(sources)
    report["page_errors"] = sum(len(r["errors"]) for r in results)
    if confidences:
        report["mean_ocr_confidence"] = round(sum(confidences) / len(confidences), 1)
    return report


def run(args: argparse.Namespace) -> dict:
    from archive.config import load_settings

    report: dict = {
        "benchmark": "extraction_accuracy",
        "seeds": {"run": args.seed, "is_evaluation_seed": args.seed == EVALUATION_SEED,
                  "tuning_seed_used_while_inspecting_outputs": TUNING_SEED,
                  "note": "document i of kind k is random.Random(f'{seed}:{k}:{i}'); its scan seed is "
                          "seed*100003 + i*7 + kind index"},
        "kinds": list(KINDS),
        "docs_per_kind": args.docs, "scan_docs_per_kind": args.scan_docs,
        "photo_docs_per_kind": args.photo_docs,
        "families": args.families, "holdout": sorted(args.holdout),
        "preprinted_scans": sorted(args.preprinted),
        "cpu_count": os.cpu_count(), "omp_thread_limit": os.environ.get("OMP_THREAD_LIMIT"),
        "ocr_engine": load_settings().get("ocr.engine"),
    }
    if args.docs < 200 or args.scan_docs < 200:
        report["scaled_down"] = "the issue asks for >= 200 documents per source; fewer were run"
    with tempfile.TemporaryDirectory(prefix="accuracy-bench-") as workdir:
        if not args.skip_born_digital:
            log(f"born-digital PDFs: {args.docs} per kind")
            report["born_digital"] = run_leg("born_digital", args.docs, args.seed, args.workers, workdir,
                                             args.families, args.holdout)
        if args.scan_docs:
            log(f"degraded scans: {args.scan_docs} per kind, {args.workers} workers (OCR)")
            report["scans"] = run_leg("scan", args.scan_docs, args.seed, args.workers, workdir,
                                      args.families, args.holdout, args.preprinted)
        if args.photo_docs:
            log(f"phone photos: {args.photo_docs} per kind and family"
                + ("" if args.photo_correction else ", without photo correction"))
            with _photo_correction(args.photo_correction):
                report["photos"] = run_leg("photo", args.photo_docs, args.seed, args.workers, workdir,
                                           args.families, args.holdout)
            report["photos"]["photo_correction"] = args.photo_correction
    targets: dict = dict(TARGETS)
    if "overall" in report.get("born_digital", {}):
        total = report["born_digital"]["overall"]
        targets["born_digital_meets"] = total["exact"] == 1.0 and total["invented"] == 0
    if "overall" in report.get("scans", {}):
        total = report["scans"]["overall"]
        targets["scans_exact_meets"] = (total["exact"] or 0) >= TARGETS["scans_exact_min"]
        targets["scans_no_wrong_meets"] = total["wrong"] == 0 and total["invented"] == 0
    for leg, minimum in (("born_digital", HOLDOUT_TARGETS["born_digital_exact_min"]),
                         ("scans", HOLDOUT_TARGETS["scans_exact_min"]),
                         ("photos", HOLDOUT_TARGETS["photos_exact_min"])):
        if "holdout" in report.get(leg, {}):
            total = report[leg]["holdout"]["overall"]
            targets[f"holdout_{leg}_meets"] = ((total["exact"] or 0) >= minimum and total["invented"] == 0
                                               and total["wrong"] <= HOLDOUT_TARGETS["wrong_max_share"]
                                               * total["fields"])
    report["targets"] = targets
    return report


@contextmanager
def _photo_correction(on: bool):
    """With `on` False, photos are read as scans are (page finding and light flattening off): the
    "before" figure. Workers are forked, so they inherit the switch."""
    from archive.ocr import photo

    original = photo.straighten
    if not on:
        photo.straighten = lambda image: (image, None)
    try:
        yield
    finally:
        photo.straighten = original


def _families(spec: str) -> list[str]:
    """`kind.family` names for a comma-separated list of families, bare family names or `all`."""
    every = [f"{kind}.{family}" for kind in KINDS for family in FAMILIES[kind]]
    if spec == "all":
        return every
    wanted = {part.strip() for part in spec.split(",") if part.strip()}
    chosen = [name for name in every if name in wanted or name.split(".")[1] in wanted]
    unknown = wanted - {n for name in chosen for n in (name, name.split(".")[1])}
    if unknown or not chosen:
        raise SystemExit(f"unknown families: {', '.join(sorted(unknown)) or spec} "
                         f"(known: {', '.join(every)})")
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=200, help="born-digital PDFs per kind and family (and "
                                                              "scans, unless --scan-docs)")
    parser.add_argument("--scan-docs", type=int, help="degraded scans per kind and family (default: --docs)")
    parser.add_argument("--seed", type=int, default=EVALUATION_SEED)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-born-digital", action="store_true")
    parser.add_argument("--photo-docs", type=int, default=0,
                        help="phone photos (archive/demo/photos.py) per kind and family; 0: none")
    parser.add_argument("--no-photo-correction", dest="photo_correction", action="store_false",
                        help="read the photos without page finding and light flattening (the before "
                             "figure)")
    parser.add_argument("--families", default="all",
                        help="layout families to generate, comma-separated: `classic`, `grid`, "
                             "`invoice.ebill` (a name alone means that family of every kind that has "
                             "one), or `all` (default); see archive/demo/families/")
    parser.add_argument("--engine", choices=("tesseract", "rapidocr"),
                        help="OCR engine for the scans (sets ARCHIVE_OCR_ENGINE; default: ocr.engine)")
    parser.add_argument("--holdout", default=",".join(HOLDOUT),
                        help="families held back from tuning, reported apart (and also read with "
                             "empty reference lists); `none` for none. Default: families.HOLDOUT")
    parser.add_argument("--preprinted", nargs="?", const=",".join(PAPER_BILLS), default="",
                        help="scan these families as pre-printed coloured forms filled by a dot-matrix "
                             "printer off register (archive/demo/forms.py); alone: families.PAPER_BILLS")
    args = parser.parse_args()
    args.families = _families(args.families)
    args.preprinted = set(_families(args.preprinted)) if args.preprinted else set()
    args.holdout = set() if args.holdout == "none" else set(_families(args.holdout))
    # One tesseract thread per worker process: two workers on two cores, no oversubscription.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if args.engine:
        os.environ["ARCHIVE_OCR_ENGINE"] = args.engine  # the workers are forked: they inherit it
    if args.scan_docs is None:
        args.scan_docs = args.docs
    print(json.dumps(run(args), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
