"""Settings: a TOML file from storage_config/, then ARCHIVE_* environment variables on top.

`ARCHIVE_CONFIG` names the file (default: storage_config/default.toml). The embedded default
file is always read first and the named file laid over it, so every setting it lists exists in
every configuration and can be overridden by `ARCHIVE_SECTION_KEY`; keys of `[app]` may drop the
section (`ARCHIVE_DATA_DIR`, `ARCHIVE_SECRET_KEY`; `ARCHIVE_APP_DATA_DIR` works too). Values are
coerced to the type of the default's value.
"""

from __future__ import annotations

import json
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = REPO_ROOT / "storage_config" / "default.toml"


class ConfigError(Exception):
    """A configuration file or variable that cannot be used."""


OCR_ENGINES = ("tesseract", "rapidocr")  # ocr.engine (archive/ocr/engines/)


@dataclass(frozen=True)
class Settings:
    values: dict[str, dict[str, Any]]
    source: Path
    data_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.values["app"]["data_dir"]).resolve())

    def section(self, name: str) -> dict[str, Any]:
        return self.values.get(name, {})

    def get(self, dotted: str, default: Any = None) -> Any:
        section, _, key = dotted.partition(".")
        return self.values.get(section, {}).get(key, default)

    @property
    def database_url(self) -> str:
        return self.get("database.url")

    @property
    def redis_url(self) -> str:
        return self.get("redis.url") or ""

    @property
    def max_upload_bytes(self) -> int:
        return int(float(self.get("intake.max_upload_mb")) * 1024 * 1024)


def env_name(section: str, key: str) -> str:
    if section == "app":
        return f"ARCHIVE_{key.upper()}"
    return f"ARCHIVE_{section.upper()}_{key.upper()}"


def _env_names(section: str, key: str) -> tuple[str, ...]:
    # [app] keys are documented both ways (ARCHIVE_SECRET_KEY, ARCHIVE_APP_SECURE_COOKIES).
    if section == "app":
        return (env_name(section, key), f"ARCHIVE_APP_{key.upper()}")
    return (env_name(section, key),)


def _coerce(raw: str, like: Any, name: str) -> Any:
    try:
        if isinstance(like, bool):
            if raw.lower() not in {"1", "0", "true", "false", "yes", "no"}:
                raise ValueError(raw)
            return raw.lower() in {"1", "true", "yes"}
        if isinstance(like, int):
            return int(raw)
        if isinstance(like, float):
            return float(raw)
        if isinstance(like, list):
            return json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not a valid {type(like).__name__}") from exc
    return raw


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    path = Path(environ.get("ARCHIVE_CONFIG") or DEFAULT_CONFIG)
    values = _read(DEFAULT_CONFIG)
    if path.resolve() != DEFAULT_CONFIG.resolve():
        for section, entries in _read(path).items():
            values.setdefault(section, {}).update(entries)

    for section, entries in values.items():
        for key, current in entries.items():
            for name in _env_names(section, key):
                if name in environ:
                    entries[key] = _coerce(environ[name], current, name)

    engine = values.get("ocr", {}).get("engine")
    if engine is not None and engine not in OCR_ENGINES:
        raise ConfigError(f"ocr.engine: unknown OCR engine {engine!r} (known: {', '.join(OCR_ENGINES)})")
    data_dir = str(values["app"]["data_dir"])
    for entries in values.values():
        for key, current in entries.items():
            if isinstance(current, str):
                entries[key] = current.replace("{data_dir}", data_dir)
    return Settings(values=values, source=path)


def _read(path: Path) -> dict[str, dict[str, Any]]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"configuration file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def ensure_secret_key(settings: Settings) -> str:
    """The configured secret, or one generated on first start and kept in the data directory."""
    configured = settings.get("app.secret_key")
    if configured:
        return configured
    keyfile = settings.data_dir / "secret_key"
    if keyfile.exists():
        return keyfile.read_text().strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process started at the same moment and won
        return keyfile.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
