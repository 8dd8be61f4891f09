"""Records benchmark: audit-chain verification, fixity against `sha256sum`, case-file export.

Prints one JSON object on stdout; progress goes to stderr. See benchmarks/README.md.
"""
# ruff: noqa: E402

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from benchmarks.intake import MB, ingest_all, prepare, proc_status_mb, settings_env, write_big_pdf

MIN_FIXITY_RATIO = 0.8
INSERT_BATCH, COMMIT_EVERY = 10_000, 100_000
PLAIN = ("id", "actor_id", "actor_name", "action", "target_type", "target_id", "request_id", "ip_address")
NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "欧阳明辉")


def log(message: str) -> None:
    print(f"[records-bench] {message}", file=sys.stderr, flush=True)


def fake_event(rng: random.Random, event_id: int, actor_id: int) -> SimpleNamespace:
    """One plausible audit row, as `audit.record` would have built it (hashes set by the caller)."""
    case_no, doc = f"YB2026{rng.randrange(100_000):06d}", str(rng.randrange(1, 10**6))
    name = rng.choice(NAMES)
    kind = rng.choices(("upload", "view", "login", "fixity", "correct", "signoff"), (3, 6, 2, 3, 1, 1))[0]
    action, target_type, target_id, details = {
        "upload": ("document.upload", "document", doc, {
            "case_no": case_no, "filename": f"{name}-住院发票-{doc}.pdf",
            "sha256": rng.randbytes(32).hex(), "size": rng.randrange(10**4, 10**7),
            "content_type": "application/pdf", "pages": rng.randint(1, 9), "kind": "invoice",
            "duplicate_of": None}),
        "view": ("document.view", "document", doc, {"case_no": case_no, "page": rng.randint(1, 9)}),
        "login": ("auth.login", "user", str(actor_id), {}),
        "fixity": ("fixity.check", "storedobject", doc, {
            "outcome": "ok", "sha256": rng.randbytes(32).hex(), "size": rng.randrange(10**4, 10**7)}),
        "correct": ("field.correct", "document", doc, {
            "field": "patient_name", "old": name, "new": name + "（更正）", "reason": "与身份证不符"}),
        "signoff": ("workflow.sign_off", "case", case_no, {
            "step": "初审", "decision": "approve", "comment": "材料齐全，同意报销"}),
    }[kind]
    return SimpleNamespace(
        id=event_id, occurred_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(
            microseconds=event_id * 30_000 + rng.randrange(30_000)),
        actor_id=actor_id, actor_name="system", action=action, target_type=target_type,
        target_id=target_id, details={"channel": rng.choice(("web", "api", "job")), **details},
        request_id=rng.randbytes(8).hex(), ip_address=f"10.1.{rng.randrange(256)}.{rng.randrange(256)}")


def build_chain(runtime, actor_id: int, count: int) -> dict:
    """Append `count` events after the existing chain with the real `chain_hash`, bulk-inserted."""
    from sqlalchemy import insert, select

    from archive.audit import GENESIS_HASH, chain_hash
    from archive.models import AuditEvent

    table, rng = AuditEvent.__table__, random.Random(2026)
    with runtime.engine.connect() as conn:
        last = conn.execute(select(table.c.id, table.c.row_hash).order_by(table.c.id.desc())).first()
    next_id, previous = (last.id + 1, last.row_hash) if last else (1, GENESIS_HASH)
    start = time.perf_counter()
    for first in range(next_id, next_id + count, COMMIT_EVERY):
        with runtime.engine.begin() as conn:
            batch = []
            for event_id in range(first, min(first + COMMIT_EVERY, next_id + count)):
                event = fake_event(rng, event_id, actor_id)
                event.prev_hash = previous
                event.row_hash = previous = chain_hash(event)
                batch.append(vars(event))
                if len(batch) == INSERT_BATCH:
                    conn.execute(insert(table), batch)
                    batch = []
            if batch:
                conn.execute(insert(table), batch)
        log(f"  {min(first + COMMIT_EVERY - next_id, count):,} events built")
    seconds = time.perf_counter() - start
    return {"events": count, "seconds": round(seconds, 2), "events_per_s": round(count / seconds)}


def floor(rows, iso) -> int:
    """The bare computation: same canonical JSON and sha256 per row, checked against the chain."""
    previous, checked = "0" * 64, 0
    for at, details, prev_hash, row_hash, *rest in rows:
        fields = dict(zip(PLAIN, rest, strict=True))
        fields.update(occurred_at=iso(at), details=json.loads(details) if isinstance(details, str)
                      else details)
        text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        if prev_hash != previous or hashlib.sha256((prev_hash + text).encode()).hexdigest() != row_hash:
            raise AssertionError(f"floor: chain broken at row {fields['id']}")
        previous, checked = row_hash, checked + 1
    return checked


def reset_peak() -> float:
    """RSS now, and VmHWM reset to it (see intake.py's rss_child on why not ru_maxrss)."""
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    return round(proc_status_mb("VmRSS"), 1)


def child(*argv: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *argv], check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def verify_child(url: str) -> None:
    """Runs in its own process: `verify_chain` with peak RSS, then the floor."""
    from archive.audit import verify_chain
    from archive.db import make_engine, make_session_factory

    sessions = make_session_factory(make_engine(url))
    with sessions() as session:  # connect and import before the RSS baseline
        session.connection()
    before, start = reset_peak(), time.perf_counter()
    with sessions() as session:
        report = verify_chain(session)
    seconds, peak = time.perf_counter() - start, proc_status_mb("VmHWM")
    assert report.ok, report
    query = f"SELECT occurred_at,details,prev_hash,row_hash,{','.join(PLAIN)} FROM audit_events ORDER BY id"
    start = time.perf_counter()
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            floored = floor(conn.execute(query), lambda at: at.replace(" ", "T") + "+00:00")
    else:
        import psycopg

        with psycopg.connect(url.replace("+psycopg", "")) as conn, conn.cursor("floor") as cursor:
            cursor.itersize = 5000
            floored = floor(cursor.execute(query),
                            lambda at: at.astimezone(UTC).isoformat(timespec="microseconds"))
    floor_seconds = time.perf_counter() - start
    assert floored == report.checked
    print(json.dumps({"events": report.checked, "seconds": round(seconds, 2),
                      "events_per_s": round(report.checked / seconds),
                      "rss_before_mb": before, "rss_peak_mb": round(peak, 1),
                      "floor_seconds": round(floor_seconds, 2),
                      "floor_events_per_s": round(floored / floor_seconds),
                      "ratio_to_floor": round(seconds / floor_seconds, 2)}))


def export_child(environ: str, case_no: str) -> None:
    """Runs in its own process: `export_case` of one case, with peak RSS."""
    from archive.auth import system_user
    from archive.case_export import export_case
    from archive.config import load_settings
    from archive.runtime import make_runtime

    runtime = make_runtime(load_settings(json.loads(environ)))
    with runtime.sessions() as session:
        actor = system_user(session)
    with tempfile.TemporaryDirectory(prefix="export-") as tmp:
        before, start = reset_peak(), time.perf_counter()
        result = export_case(runtime.sessions, runtime.store, user=actor, case_no=case_no,
                             output=Path(tmp) / "case.zip", limits=runtime.limits, tmp_dir=runtime.tmp_dir)
        print(json.dumps({"documents": result.documents, "zip_mb": round(result.bytes / MB, 1),
                          "seconds": round(time.perf_counter() - start, 2), "rss_before_mb": before,
                          "rss_peak_mb": round(proc_status_mb("VmHWM"), 1)}))


def chain_leg(environ: dict[str, str], count: int, work: Path) -> dict:
    """A 50-document case (scans of 0.5–4 MB), exported; the trail grown by `count` events and
    verified; the case exported again."""
    runtime, actor, case_no = prepare(environ)
    try:
        (work / "case").mkdir(exist_ok=True)
        rng, scans = random.Random(50), [work / "case" / f"scan-{i:02d}.pdf" for i in range(50)]
        for path in scans:
            write_big_pdf(path, rng.randint(MB // 2, 4 * MB))
        ingest_all(runtime, actor, case_no, scans)
        log("export of a 50-document case (child process), audit trail still short")
        exports = {"short_chain": child("--export-child", json.dumps(environ), case_no)}
        log(f"building a chain of {count:,} events")
        built = build_chain(runtime, actor.id, count)
        url = runtime.settings.database_url
    finally:
        runtime.engine.dispose()
    log("verify_chain (child process), then the plain-cursor + hashlib floor")
    result = {"build": built, "verify": child("--verify-child", url)}
    log(f"export of the same case with {count:,} more events in the trail")
    exports[f"chain_of_{count}"] = child("--export-child", json.dumps(environ), case_no)
    result["export"] = exports
    if url.startswith("sqlite"):
        result["database_mb"] = round(Path(url.removeprefix("sqlite:///")).stat().st_size / MB, 1)
    return result


def postgres_chain_leg(work: Path, count: int) -> dict:
    import psycopg

    from tests.servers import postgres_server

    with postgres_server() as pg:
        with psycopg.connect(pg.url("postgres").replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute('CREATE DATABASE "bench"')
        result = chain_leg(settings_env(work / "chain-pg", ARCHIVE_DATABASE_URL=pg.url("bench")), count,
                           work)
    result["note"] = "PostgreSQL from tests/servers.py (fsync=off, synchronous_commit=off)"
    return result


def fixity_leg(work: Path, total_mb: float, sizes: tuple[int, int]) -> dict:
    """`run_fixity` over PDFs of random bytes of `sizes` (bytes), ingested until `total_mb` are stored."""
    from sqlalchemy import select

    from archive.models import StoredObject
    from archive.records.fixity import run_fixity

    runtime, actor, case_no = prepare(settings_env(work))
    try:
        source, rng, total = work / "source", random.Random(7), 0
        source.mkdir()
        log(f"ingesting PDFs of {sizes[0] // 1024}–{sizes[1] // 1024} KB until {total_mb} MB are stored")
        while total < total_mb * MB:
            path = source / f"scan-{total:012d}.pdf"
            write_big_pdf(path, rng.randint(*sizes))
            total += path.stat().st_size
            ingest_all(runtime, actor, case_no, [path])
            path.unlink()
        with runtime.sessions() as session:
            expected = {str(runtime.store._path(o.store_key)): o.sha256
                        for o in session.scalars(select(StoredObject).order_by(StoredObject.id))}
        files = [Path(name) for name in expected]
        megabytes = sum(path.stat().st_size for path in files) / MB

        def product() -> float:
            start = time.perf_counter()
            report = run_fixity(runtime.sessions, runtime.store, actor=actor)
            assert report.ok and report.checked == len(files), report
            return time.perf_counter() - start

        def sha256sum() -> float:
            start = time.perf_counter()
            for i in range(0, len(files), 64):
                out = subprocess.run(["sha256sum", *map(str, files[i:i + 64])], check=True,
                                     stdout=subprocess.PIPE, text=True).stdout
                assert all(expected[name] == digest for digest, name in map(str.split, out.splitlines()))
            return time.perf_counter() - start

        def plain_hashlib() -> float:  # context: the same chunked read + sha256, nothing else
            start = time.perf_counter()
            for path in files:
                with open(path, "rb") as handle:
                    assert hashlib.file_digest(handle, "sha256").hexdigest() == expected[str(path)]
            return time.perf_counter() - start

        result: dict = {"objects": len(files), "total_mb": round(megabytes, 1)}
        for label, runs in (("cold", 1), ("warm", 2)):
            for name, measure in (("run_fixity", product), ("sha256sum", sha256sum),
                                  ("hashlib", plain_hashlib)):
                log(f"{label}: {name} over {len(files)} stored originals")
                for _ in range(runs):
                    for path in files if label == "cold" else ():  # drop them from the page cache
                        with open(path, "rb") as handle:
                            os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
                    seconds = measure()
                mbps = megabytes / seconds
                result[f"{label}_{name}"] = {"seconds": round(seconds, 2), "mb_per_s": round(mbps, 1)}
            result[f"{label}_ratio"] = round(result[f"{label}_run_fixity"]["mb_per_s"]
                                             / result[f"{label}_sha256sum"]["mb_per_s"], 2)
            result[f"{label}_ratio_to_hashlib"] = round(result[f"{label}_run_fixity"]["mb_per_s"]
                                                        / result[f"{label}_hashlib"]["mb_per_s"], 2)
        result["note"] = ("cold: posix_fadvise(DONTNEED) on every file before each run; warm: the "
                          "second of two consecutive runs, files in the page cache; sha256sum is "
                          "run on batches of 64 files, output checked against the database; hashlib "
                          "(OpenSSL, SHA-NI) for context: Debian's sha256sum does not use SHA-NI")
        return result
    finally:
        runtime.engine.dispose()


def run(args) -> dict:
    report: dict = {}
    with tempfile.TemporaryDirectory(prefix="records-bench-") as tmp:
        work = Path(tmp)
        if not args.skip_chain:
            report["chain"] = {"sqlite": chain_leg(settings_env(work / "chain"), args.events, work)}
            if args.postgres:
                report["chain"]["postgresql"] = postgres_chain_leg(work, args.events)
        if not args.skip_fixity:
            report["fixity"] = fixity_leg(work / "fixity", args.fixity_mb, (MB, 8 * MB))
            report["fixity_invoice_sizes"] = fixity_leg(work / "fixity-small", args.fixity_mb / 2,
                                                        (50_000, 200_000))
    if "chain" in report:  # the figure: a 50-document case, on the embedded defaults
        report["export"] = report["chain"]["sqlite"].pop("export")
    if "fixity" in report:
        report["targets"] = {"min_fixity_ratio": MIN_FIXITY_RATIO, **{
            f"{leg}_{label}_meets": report[leg][f"{label}_ratio"] >= MIN_FIXITY_RATIO
            for leg in ("fixity", "fixity_invoice_sizes") for label in ("cold", "warm")}}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--fixity-mb", type=int, default=512)
    parser.add_argument("--postgres", action="store_true", help="also build and verify on PostgreSQL")
    parser.add_argument("--skip-chain", action="store_true")
    parser.add_argument("--skip-fixity", action="store_true")
    parser.add_argument("--verify-child", help=argparse.SUPPRESS)
    parser.add_argument("--export-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.verify_child or args.export_child:
        verify_child(args.verify_child) if args.verify_child else export_child(*args.export_child)
        return
    print(json.dumps(run(args), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
