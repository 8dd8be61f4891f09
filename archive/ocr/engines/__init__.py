"""OCR engines behind one interface (base.OcrEngine); `ocr.engine` in the settings picks one.

An engine is expensive to make (rapidocr loads three ONNX models), so each is made once per
process, on first use, under a lock, and shared by every thread.
"""

from __future__ import annotations

import threading

from archive.config import OCR_ENGINES, ConfigError, load_settings
from archive.ocr.engines.base import OcrEngine, OcrEngineError

__all__ = ["OCR_ENGINES", "OcrEngine", "OcrEngineError", "configured_engine", "get_engine"]

_engines: dict[str, OcrEngine] = {}
_lock = threading.Lock()


def get_engine(name: str) -> OcrEngine:
    """The process's one engine of that name."""
    engine = _engines.get(name)
    if engine is not None:
        return engine
    with _lock:
        if name not in _engines:
            _engines[name] = _make(name)
        return _engines[name]


def configured_engine() -> OcrEngine:
    """The engine `ocr.engine` names (ARCHIVE_OCR_ENGINE overrides it)."""
    return get_engine(str(load_settings().get("ocr.engine", "tesseract")))


def _make(name: str) -> OcrEngine:
    if name == "tesseract":
        from archive.ocr.engines.tesseract import TesseractEngine

        return TesseractEngine()
    if name == "rapidocr":
        from archive.ocr.engines.rapidocr import RapidOcrEngine

        return RapidOcrEngine()
    raise ConfigError(f"ocr.engine: unknown OCR engine {name!r} (known: {', '.join(OCR_ENGINES)})")
