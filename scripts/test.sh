#!/usr/bin/env bash
# Quick start, part 2: set up everything the tests need and run them all.
# The tests start their own PostgreSQL, redis-server and S3 (moto) servers on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v tesseract >/dev/null || need+=(tesseract-ocr tesseract-ocr-chi-sim)
# chi_tra reads the capital numerals chi_sim lacks (柒捌仟; archive/ocr/capitals.py)
ls /usr/share/tesseract-ocr/*/tessdata/chi_tra.traineddata >/dev/null 2>&1 || need+=(tesseract-ocr-chi-tra)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
# Kai (楷体) for the generated scans and photos (archive/demo/documents.py KAI_FONT)
[ -e /usr/share/fonts/truetype/arphic/ukai.ttc ] || need+=(fonts-arphic-ukai)
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing OS packages: ${need[*]} (install them with apt-get as root)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# The test setup starts its own servers; the packaged ones are not needed.
if command -v systemctl >/dev/null; then systemctl stop redis-server postgresql 2>/dev/null || true; fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
.venv/bin/ruff check archive tests benchmarks
# The browser tests save a screenshot of every desk they open (both widths, both languages) here,
# inside the checkout and git-ignored, so CI keeps them as artifacts for review.
export ARCHIVE_SCREENSHOTS="${ARCHIVE_SCREENSHOTS:-$PWD/artifacts/screenshots}"
mkdir -p "$ARCHIVE_SCREENSHOTS"
exec .venv/bin/pytest "$@"
