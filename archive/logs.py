"""Structured (JSON) logs, each line carrying the request or job it belongs to."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from archive.audit import current_origin


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        origin = current_origin.get()
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "channel": origin.channel,
        }
        if origin.request_id:
            entry["request_id"] = origin.request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
