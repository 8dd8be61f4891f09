"""The characters the OCR model can write: one it cannot (呋 for chi_sim) is always read as some
other character, however confidently, so a reading is not held to it."""

from __future__ import annotations

import re
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import pytesseract


@cache
def writable_characters(model: str) -> frozenset[str] | None:
    """The model's character set (its LSTM unicharset), or None when it cannot be had: then every
    character counts as writable."""
    try:
        listing = subprocess.run([pytesseract.pytesseract.tesseract_cmd, "--list-langs"],
                                 capture_output=True, text=True, check=False).stdout
    except OSError:
        return None
    folder = re.search(r'"(.+?)"', listing)
    traineddata = Path(folder.group(1)) / f"{model}.traineddata" if folder else None
    if traineddata is None or not traineddata.is_file():
        return None
    with tempfile.TemporaryDirectory() as scratch:
        unicharset = Path(scratch) / f"{model}.lstm-unicharset"
        try:
            done = subprocess.run(["combine_tessdata", "-e", str(traineddata), str(unicharset)],
                                  capture_output=True, check=False)
        except OSError:  # tesseract's tools not installed
            return None
        if done.returncode != 0 or not unicharset.is_file():
            return None
        # Line 1 is the count; each further line starts with the character and a space.
        entries = unicharset.read_text(encoding="utf-8").splitlines()[1:]
    return frozenset(line.split(" ", 1)[0] for line in entries if line)
