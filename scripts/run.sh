#!/usr/bin/env bash
# Quick start, part 1: set up and run the product on its embedded defaults
# (SQLite, local object store, in-process jobs, demo accounts and cases).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && ! command -v tesseract >/dev/null; then
  # OCR and CJK fonts for scanned pages; optional for a first look, so failures are not fatal.
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
     tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-chi-tra fonts-noto-cjk >/dev/null) || echo "note: OS packages not installed"
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e .
.venv/bin/archive init
.venv/bin/archive demo
exec .venv/bin/archive serve --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
