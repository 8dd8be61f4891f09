"""Back-scanning benchmark: N cases / 5N pages of born-digital PDFs through the manifest path
(`archive backscan`: check every row, open, take in, four-property check, file), cases/s and
peak RSS, against plain intake of the same files (a case opened per row, its files ingested)
measured in the same run.

Prints one JSON object on stdout; progress goes to stderr. See benchmarks/README.md.
    .venv/bin/python benchmarks/backscan.py --cases 200            # default: 200 cases
    .venv/bin/python benchmarks/backscan.py --cases 10000          # the issue's 10,000 / 50,000
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

HEADER = ["全宗号", "年度", "保管期限", "原档号", "案卷题名", "姓名", "身份证号", "报销类别",
          "起始日期", "终止日期", "盒号", "页数", "文件"]
ID_NUMBER = "11010519491231002X"
CASES_PER_BOX = 20


def log(message: str) -> None:
    print(f"[backscan-bench] {message}", file=sys.stderr, flush=True)


class RecordingQueue:
    """Jobs are recorded, not run: in production separate workers read the documents, and this
    benchmark measures the path that registers them (both legs alike)."""

    volatile = False

    def __init__(self) -> None:
        self.jobs = 0

    def submit(self, job: str, *args: int) -> None:
        self.jobs += 1

    def status(self) -> dict:
        return {"ok": True, "backend": "recording"}


def generate(folder: Path, cases: int, pages: int, seed: int = 2026) -> Path:
    """One PDF of `pages` pages per case, unique bytes, and the manifest listing them."""
    from archive.demo.documents import invoice, person_name

    rng = random.Random(seed)
    manifest = folder / "manifest.csv"
    with open(manifest, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(cases):
            box = f"B{i // CASES_PER_BOX + 1:04d}"
            name = f"{box}/case-{i:05d}.pdf"
            path = folder / name
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(invoice(rng, patient=f"{person_name(rng)}{i:05d}", pages=pages).content)
            year = 2010 + i % 10
            writer.writerow(["F001", year, "D10", "", f"第{i}号住院报销", f"患者{i}", ID_NUMBER, "住院",
                             f"{year}-03-01", f"{year}-04-01", box, pages, name])
            if i and i % 1000 == 0:
                log(f"generated {i} cases")
    return manifest


def fresh_runtime(data_dir: Path):
    from archive.config import load_settings
    from archive.runtime import make_runtime
    from archive.setup import initialise

    runtime = make_runtime(load_settings({"ARCHIVE_DATA_DIR": str(data_dir),
                                          "ARCHIVE_SECRET_KEY": "benchmark",
                                          "ARCHIVE_JOBS_BACKEND": "inline"}))
    initialise(runtime)
    runtime.queue = RecordingQueue()
    return runtime


def archivist(runtime):
    from archive.models import User

    with runtime.sessions.begin() as session:
        user = User(username="bench_archivist", display_name="基准档案员", role="archivist",
                    password_hash="-")
        session.add(user)
        session.flush()
        session.expunge(user)
    return user


def backscan_leg(folder: Path, manifest: Path, data_dir: Path) -> dict:
    from archive import backscan

    runtime = fresh_runtime(data_dir)
    actor = archivist(runtime)
    reset_peak_rss()
    start = time.perf_counter()
    with runtime.sessions.begin() as session:
        prepared = backscan.prepare(session, actor, manifest_name=manifest.name,
                                    content=manifest.read_bytes(), folder=folder, limits=runtime.limits)
        assert prepared.ok, prepared.errors[:5]
        run_id = backscan.start_run(session, actor, manifest_name=manifest.name, folder=folder,
                                    prepared=prepared).id
    checked = time.perf_counter() - start
    done = backscan.run_backscan(runtime, run_id)
    seconds = time.perf_counter() - start
    assert done.done == len(prepared.rows)
    runtime.engine.dispose()
    return {"cases": done.done, "seconds": round(seconds, 2), "check_seconds": round(checked, 2),
            "cases_per_s": round(done.done / seconds, 2), "peak_rss_mb": round(proc_status_mb("VmHWM"), 1),
            "jobs_handed_over": runtime.queue.jobs}


def intake_leg(folder: Path, manifest: Path, data_dir: Path) -> dict:
    """The baseline: what `archive ingest` does for the same rows — a case opened per row and
    its files ingested — without the checks, the original dates or the filing."""
    from archive.intake import Incoming, ingest_many, open_case

    runtime = fresh_runtime(data_dir)
    actor = archivist(runtime)
    with open(manifest, encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    reset_peak_rss()
    start = time.perf_counter()
    for row in rows:
        with runtime.sessions.begin() as session:
            from archive.auth import system_user

            case_no = open_case(session, actor=system_user(session), claimant_name=row["姓名"],
                                claim_type="inpatient").case_no
        # ingest_many asks for each document's reading itself (archive.follow_ups)
        ingest_many(runtime.sessions, runtime.store, runtime.limits, tmp_dir=runtime.tmp_dir,
                    case_no=case_no,
                    files=[Incoming.from_path(folder / name) for name in row["文件"].split(";")],
                    kind=None, actor=actor, permission="records.backscan")
    seconds = time.perf_counter() - start
    runtime.engine.dispose()
    return {"cases": len(rows), "seconds": round(seconds, 2), "cases_per_s": round(len(rows) / seconds, 2),
            "peak_rss_mb": round(proc_status_mb("VmHWM"), 1)}


def proc_status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field)) / 1024


def reset_peak_rss() -> None:
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # resets VmHWM to the current RSS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--pages", type=int, default=5, help="pages per case (one PDF each)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="backscan-bench-") as tmp:
        folder = Path(tmp) / "scans"
        folder.mkdir()
        started = time.perf_counter()
        manifest = generate(folder, args.cases, args.pages)
        log(f"generated {args.cases} cases / {args.cases * args.pages} pages in "
            f"{time.perf_counter() - started:.1f}s")
        baseline = intake_leg(folder, manifest, Path(tmp) / "intake")
        log(f"plain intake: {baseline['cases_per_s']} cases/s")
        result = backscan_leg(folder, manifest, Path(tmp) / "backscan")
        log(f"backscan: {result['cases_per_s']} cases/s")
    print(json.dumps({
        "benchmark": "backscan", "cases": args.cases, "pages": args.cases * args.pages,
        "cpus": os.cpu_count(), "database": "sqlite", "store": "local",
        "backscan": result, "plain_intake": baseline,
        "ratio_to_plain_intake": round(result["seconds"] / baseline["seconds"], 2),
    }, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
