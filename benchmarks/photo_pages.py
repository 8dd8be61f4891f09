"""Page finding on photos and on scans (no OCR): is every photo's page found where it lies, and is
no scan taken for a photo?

For `--docs` documents of every kind and layout family, the degraded scan and the phone photo
of benchmarks/extraction_accuracy.py's kind (same image seeds): on photos, the share whose page
was found and the corner error (largest distance from a true corner, as a share of the photo's
long side); on scans, how many `archive.ocr.photo.straighten` changed (the target is none), and
the time it takes per image. Prints one JSON object; see benchmarks/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from archive.demo import families  # noqa: E402
from archive.demo.photos import photograph  # noqa: E402
from archive.demo.scans import scan  # noqa: E402
from archive.ocr import photo  # noqa: E402

EVALUATION_SEED = 20260503
KINDS = ("invoice", "referral", "agreement", "daily_statement")


def _open(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def run(docs: int, seed: int) -> dict:
    photos = {"images": 0, "page_found": 0, "corner_error_max": 0.0, "corner_errors": [], "seconds": 0.0}
    scans = {"images": 0, "taken_for_photos": 0, "seconds": 0.0}
    for kind in KINDS:
        for family in sorted(families.FAMILIES[kind]):
            for index in range(docs):
                # The image seeds of benchmarks/extraction_accuracy.py.
                document = families.make(kind, family, random.Random(f"{seed}:{kind}:{family}:{index}"))
                names = sorted(families.FAMILIES[kind])
                offset = 0 if family == "classic" else 1009 * (1 + names.index(family))
                image_seed = seed * 100_003 + index * 7 + KINDS.index(kind) + offset
                shot = photograph(document, seed=image_seed)
                started = time.perf_counter()
                _, found = photo.straighten(_open(shot.content))
                photos["seconds"] += time.perf_counter() - started
                photos["images"] += 1
                if found is not None:
                    photos["page_found"] += 1
                    # A photo taken turned has the page's top-left elsewhere than the photo's: the
                    # corners are compared in the order that fits (page finding orders by place).
                    truth = np.array(shot.corners)
                    error = min(float(np.abs(np.array(found.corners) - np.roll(truth, shift, axis=0)).max())
                                for shift in range(4))
                    photos["corner_errors"].append(error / max(shot.size))
                page = _open(scan(document, seed=image_seed).content)
                started = time.perf_counter()
                _, taken = photo.straighten(page)
                scans["seconds"] += time.perf_counter() - started
                scans["images"] += 1
                scans["taken_for_photos"] += taken is not None
            print(f"[photo-pages] {kind}.{family} done", file=sys.stderr, flush=True)
    errors = sorted(photos.pop("corner_errors"))
    if errors:
        photos["corner_error_max"] = round(errors[-1], 4)
        photos["corner_error_median"] = round(errors[len(errors) // 2], 4)
    for leg in (photos, scans):
        leg["seconds_per_image"] = round(leg.pop("seconds") / max(1, leg["images"]), 3)
    return {"benchmark": "photo_pages", "seed": seed, "docs_per_family": docs, "photos": photos,
            "scans": scans, "targets_met": photos["page_found"] == photos["images"]
            and scans["taken_for_photos"] == 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=4, help="documents per kind and family")
    parser.add_argument("--seed", type=int, default=EVALUATION_SEED)
    args = parser.parse_args()
    print(json.dumps(run(args.docs, args.seed), indent=2))


if __name__ == "__main__":
    main()
