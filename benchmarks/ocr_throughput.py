"""OCR throughput, per engine: the page pipeline (`read_pages` on image files) against the engine's
own bare run (tesseract's command line; rapidocr's `RapidOCR()` with its defaults).

Both run on the same degraded scans (`archive.demo.scans`) in the same run, in one process and
with 2 worker processes; then the wall time of three scanned cases (a 1-page bill, a 4-page
一日清单, a 20-page case as 2 workers process its documents). Then a born-digital 20-page PDF:
text-layer extraction against rendering and OCRing the same pages. Prints one JSON object on
stdout; progress goes to stderr. See benchmarks/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

SEED = 20260504
MAX_PIPELINE_RATIO = 1.2
MIN_WORKER_SPEEDUP = 1.7
MIN_TEXT_LAYER_RATIO = 50
CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".tif": "image/tiff"}


def log(message: str) -> None:
    print(f"[ocr-bench] {message}", file=sys.stderr, flush=True)


def make_scans(directory: Path, count: int, seed: int) -> list[Path]:
    """`count` one-page degraded scans, kinds in turn, JPEG at 200–300 dpi."""
    from archive.demo import documents as gen
    from archive.demo.scans import scan

    makers = (gen.invoice, gen.referral, gen.agreement, gen.daily_statement)
    paths = []
    for index in range(count):
        document = makers[index % len(makers)](random.Random(f"{seed}:{index}"))
        result = scan(document, seed=seed + index)
        path = directory / f"scan-{index:03d}.jpg"
        path.write_bytes(result.content)
        paths.append(path)
    return paths


def make_cases(directory: Path, seed: int) -> dict[str, list[Path]]:
    """Scanned cases, each a list of documents (files): a 1-page bill (JPEG), a 4-page 一日清单
    (one multi-page TIFF, as a scanner's feeder makes it), a 20-page case (20 one-page JPEGs)."""
    from PIL import Image

    from archive.demo import documents as gen
    from archive.demo.scans import scan

    def page(document, offset: int) -> Image.Image:
        return Image.open(io.BytesIO(scan(document, seed=seed + offset).content))

    bill = directory / "case-bill.jpg"
    bill.write_bytes(scan(gen.invoice(random.Random(f"{seed}:bill")), seed=seed).content)
    days = [page(gen.daily_statement(random.Random(f"{seed}:day{n}"), days=1), 100 + n) for n in range(4)]
    statement = directory / "case-statement.tif"
    days[0].save(statement, "TIFF", save_all=True, append_images=days[1:], compression="tiff_lzw")
    case_dir = directory / "case20"
    case_dir.mkdir()
    return {"bill_1_page": [bill], "daily_statement_4_pages": [statement],
            "scanned_case_20_pages": make_scans(case_dir, 20, seed + 1000)}


def pipeline_page(path: Path) -> int:
    from archive.ocr.pages import read_pages

    pages = list(read_pages(path, CONTENT_TYPES[path.suffix]))
    assert all(page.error is None for page in pages), [page.error for page in pages]
    return len(pages)


def bare_tesseract(path: Path) -> int:
    subprocess.run(["tesseract", str(path), "-", "-l", "chi_sim+eng"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return 1


_bare_rapidocr = None


def bare_rapidocr(path: Path) -> int:
    """rapidocr as its README calls it: defaults (direction classifier on), the file's path."""
    global _bare_rapidocr
    if _bare_rapidocr is None:
        from rapidocr import RapidOCR

        _bare_rapidocr = RapidOCR(params={"Global.log_level": "critical"})
    _bare_rapidocr(str(path))
    return 1


BARE = {"tesseract": bare_tesseract, "rapidocr": bare_rapidocr}


def _warm(function, path: Path) -> None:
    """Models loaded before the clock starts (each engine is made once per process)."""
    function(path)


def timed(function, paths: list[Path], workers: int) -> dict:
    if workers == 1:
        _warm(function, paths[0])
    started = time.perf_counter()
    if workers == 1:
        pages = sum(function(path) for path in paths)
    else:
        with multiprocessing.get_context("fork").Pool(workers, _warm, (function, paths[0])) as pool:
            started = time.perf_counter()  # after the workers have loaded their models
            pages = sum(pool.imap_unordered(function, paths, chunksize=1))
    wall = time.perf_counter() - started
    return {"pages": pages, "wall_s": round(wall, 2), "pages_per_s": round(pages / wall, 3),
            "s_per_page": round(wall / pages, 3)}


def prepare_cost(paths: list[Path]) -> dict:
    """The pipeline's own image work (decode + `prepare`), without tesseract."""
    from PIL import Image

    from archive.ocr.pages import prepare

    times = []
    for path in paths:
        started = time.perf_counter()
        with Image.open(path) as image:
            image.load()
            prepare(image)
        times.append(time.perf_counter() - started)
    return {"mean_s": round(statistics.mean(times), 3), "max_s": round(max(times), 3)}


def throughput_leg(paths: list[Path], engine: str) -> dict:
    legs: dict = {}
    for workers in (1, 2):
        log(f"bare {engine}, {workers} process(es), {len(paths)} pages")
        legs[f"bare_{workers}"] = timed(BARE[engine], paths, workers)
        log(f"pipeline read_pages ({engine}), {workers} process(es)")
        legs[f"pipeline_{workers}"] = timed(pipeline_page, paths, workers)
    legs["pipeline_prepare_only"] = prepare_cost(paths)
    for workers in (1, 2):
        pipeline, bare = legs[f"pipeline_{workers}"], legs[f"bare_{workers}"]
        legs[f"ratio_pipeline_to_bare_{workers}"] = round(pipeline["s_per_page"] / bare["s_per_page"], 3)
    for name in ("pipeline", "bare"):
        one, two = legs[f"{name}_1"]["pages_per_s"], legs[f"{name}_2"]["pages_per_s"]
        legs[f"speedup_2_workers_{name}"] = round(two / one, 3)
    return legs


def case_leg(cases: dict[str, list[Path]], engine: str) -> dict:
    """Wall time of each case on 2 cores: its documents shared by 2 worker processes (a
    one-document case is one worker's: a document's pages are read one after another)."""
    result = {}
    for name, paths in cases.items():
        workers = min(2, len(paths))
        log(f"case {name} ({engine}), {workers} worker(s)")
        result[name] = timed(pipeline_page, paths, workers)
    return result


def pdf_leg(directory: Path, pages: int, repeats: int) -> dict:
    """A born-digital PDF: text layer (`read_pages`) against render + OCR of every page."""
    from archive.demo.documents import invoice
    from archive.files import sniff
    from archive.ocr.pages import _render, ocr_page, read_pages

    path = directory / "born-digital.pdf"
    path.write_bytes(invoice(random.Random(SEED), pages=pages).content)
    text_times = []
    for _ in range(repeats):
        started = time.perf_counter()
        read = list(read_pages(path, sniff.PDF))
        text_times.append(time.perf_counter() - started)
    assert [page.source for page in read] == ["text_layer"] * pages
    log(f"OCR of the same {pages} pages (render at 300 dpi + ocr_page), 1 process")
    render_s = ocr_s = 0.0
    for index in range(pages):
        started = time.perf_counter()
        image = _render(path, index)
        rendered = time.perf_counter()
        ocr_page(image, index + 1)
        render_s += rendered - started
        ocr_s += time.perf_counter() - rendered
    text_s = statistics.median(text_times)
    return {"pages": pages, "text_layer_s": round(text_s, 4), "text_layer_repeats": repeats,
            "render_s": round(render_s, 2), "ocr_s": round(ocr_s, 2),
            "ratio_ocr_to_text_layer": round((render_s + ocr_s) / text_s, 1)}


def run(args: argparse.Namespace) -> dict:
    report: dict = {"benchmark": "ocr_throughput", "seed": args.seed, "cpu_count": os.cpu_count(),
                    "omp_thread_limit": os.environ.get("OMP_THREAD_LIMIT"),
                    "tesseract": subprocess.run(["tesseract", "--version"], capture_output=True,
                                                text=True).stdout.splitlines()[0]}
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    targets: dict = {"max_pipeline_ratio": MAX_PIPELINE_RATIO, "min_worker_speedup": MIN_WORKER_SPEEDUP,
                     "min_text_layer_ratio": MIN_TEXT_LAYER_RATIO}
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as tmp:
        work = Path(tmp)
        paths = cases = None
        if args.pages:
            log(f"generating {args.pages} degraded scans")
            paths = make_scans(work, args.pages, args.seed)
            size_mb = sum(path.stat().st_size for path in paths) / 2**20
            report["input"] = {"scans": len(paths), "total_mb": round(size_mb, 2)}
        if not args.skip_cases:
            log("generating the scanned cases")
            cases = make_cases(work, args.seed)
        for engine in engines:
            os.environ["ARCHIVE_OCR_ENGINE"] = engine  # read_pages uses the configured engine
            if paths:
                legs = report.setdefault("throughput", {})[engine] = throughput_leg(paths, engine)
                targets[f"pipeline_ratio_meets_{engine}"] = (legs["ratio_pipeline_to_bare_1"]
                                                             <= MAX_PIPELINE_RATIO)
                targets[f"worker_speedup_meets_{engine}"] = (legs["speedup_2_workers_pipeline"]
                                                             >= MIN_WORKER_SPEEDUP)
            if cases:
                report.setdefault("cases_wall_s", {})[engine] = case_leg(cases, engine)
        if not args.skip_pdf:
            os.environ["ARCHIVE_OCR_ENGINE"] = engines[0]
            report["born_digital_pdf"] = {"engine": engines[0],
                                          **pdf_leg(work, args.pdf_pages, args.repeats)}
    if "born_digital_pdf" in report:
        targets["text_layer_ratio_meets"] = (report["born_digital_pdf"]["ratio_ocr_to_text_layer"]
                                             >= MIN_TEXT_LAYER_RATIO)
    report["targets"] = targets
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=24, help="degraded scans to OCR (0: skip)")
    parser.add_argument("--pdf-pages", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5, help="text-layer extractions timed (median)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--omp-threads", default="1",
                        help="OMP_THREAD_LIMIT for tesseract, both legs ('' leaves it unset)")
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--skip-cases", action="store_true", help="no 1/4/20-page case wall times")
    parser.add_argument("--engines", default="tesseract,rapidocr",
                        help="comma-separated OCR engines (ocr.engine values), each measured in turn")
    args = parser.parse_args()
    if args.omp_threads:
        os.environ["OMP_THREAD_LIMIT"] = args.omp_threads
    print(json.dumps(run(args), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
