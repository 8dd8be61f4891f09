"""`archive backup DIR` / `archive restore DIR`: the database, the originals and the configuration.

A backup is a BagIt bag (the same library as the case-file export), so it can be checked offline
and a damaged copy is refused before anything is restored:

    bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt
    data/backup.json              format, schema revision, row counts, when
    data/database/<table>.jsonl   every row of every table, one JSON object a line
    data/objects/<store key>      every original the database refers to
    data/config/*.toml            storage_config/ as it was (secrets live in the environment)

Rows are plain JSON rather than a database dump, so a backup of the embedded SQLite system
restores into PostgreSQL as well (the usual way from trial to production). The database is read
in one transaction, and originals are written before the rows that name them, so the rows and
the objects in a backup always agree. The search index is not backed up: it is rebuilt.
"""

from __future__ import annotations

import base64
import json
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import bagit
from sqlalchemy import Date, DateTime, LargeBinary, Numeric, delete, func, insert, inspect, select, text
from sqlalchemy.orm import Session

from archive import audit, schema
from archive.auth import system_user
from archive.config import REPO_ROOT
from archive.models import Base, StoredObject
from archive.models.types import utcnow

FORMAT = 1
BATCH = 1000
CHUNK = 1024 * 1024


class BackupError(ValueError):
    """A backup that cannot be made or restored; the message says why."""


@dataclass(frozen=True)
class BackupReport:
    directory: Path
    rows: dict[str, int]
    objects: int
    object_bytes: int
    revision: str | None


def backup(runtime, target: Path, *, actor) -> BackupReport:
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; back up into a new directory")
    # Written at the top of `target`; make_bag then moves it all under data/.
    (target / "database").mkdir(parents=True)
    rows: dict[str, int] = {}
    objects = object_bytes = 0
    revision = schema.current_revision(runtime.engine)
    try:
        with runtime.sessions() as session, session.begin():
            _snapshot(session)
            # Destroyed originals left the store after appraisal; only their rows remain.
            live = select(StoredObject).where(StoredObject.destroyed_at.is_(None))
            for stored in session.scalars(live.order_by(StoredObject.id)):
                object_bytes += _copy_out(runtime.store, stored.store_key, target / "objects")
                objects += 1
            for table in Base.metadata.sorted_tables:
                rows[table.name] = _dump_table(session, table, target / "database" / f"{table.name}.jsonl")
        # Contents only, made under this process's umask: the repository's modes (0644, 0755)
        # would make the copy readable by anyone.
        (target / "config").mkdir()
        for source in sorted((REPO_ROOT / "storage_config").glob("*.toml")):
            shutil.copyfile(source, target / "config" / source.name)
        (target / "backup.json").write_text(json.dumps({
            "format": FORMAT, "schema_revision": revision, "created_at": utcnow().isoformat(),
            "rows": rows, "objects": objects, "object_bytes": object_bytes,
        }, ensure_ascii=False, indent=2), encoding="utf-8")
        bagit.make_bag(str(target), bag_info={"Source-Organization": "medarchive backup"},
                       checksums=["sha256"])
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)  # half a backup must not pass for a whole one
        raise
    with runtime.sessions.begin() as session:
        audit.record(session, "system.backup", actor=session.merge(actor), details={
            "directory": str(target), "rows": sum(rows.values()), "objects": objects})
    return BackupReport(target, rows, objects, object_bytes, revision)


def restore(runtime, source: Path) -> BackupReport:
    """Restore into an empty database and store; the caller rebuilds the search index."""
    meta = _validated(source)
    revision = meta["schema_revision"]
    runtime.settings.data_dir.mkdir(parents=True, exist_ok=True)  # a new installation's first step
    if revision is not None and not schema.knows_revision(revision):
        raise BackupError(f"the backup's schema revision {revision} is newer than this program; "
                          "install the version that made it, or a later one")
    if inspect(runtime.engine).get_table_names():
        if _holds_records(runtime.engine):
            raise BackupError("restore needs an empty database: this one already holds records "
                              "(create a new database, point ARCHIVE_DATABASE_URL at it, and run restore)")
        _clear_initialised(runtime.engine)  # `archive init` ran first: nothing in it to lose
    runtime.store.check()  # a new bucket is created, as `archive init` would
    data = source / "data"
    objects = object_bytes = 0
    for stored in _rows(data / "database" / f"{StoredObject.__tablename__}.jsonl"):
        if stored.get("destroyed_at"):
            continue
        path = data / "objects" / stored["store_key"]
        runtime.store.put_file(stored["store_key"], path, content_type=stored["content_type"],
                               size=stored["size"])
        objects += 1
        object_bytes += stored["size"]
    schema.upgrade(runtime.engine, revision or "head")
    rows = {}
    with runtime.engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            rows[table.name] = _load_table(connection, table, data / "database" / f"{table.name}.jsonl")
        if connection.dialect.name == "postgresql":
            _advance_sequences(connection)
    schema.upgrade(runtime.engine, "head")  # a backup from an older release is brought up to date
    with runtime.sessions.begin() as session:
        audit.record(session, "system.restore", actor=system_user(session), details={
            "source": str(source), "backup_made": meta["created_at"], "rows": sum(rows.values()),
            "objects": objects})
    return BackupReport(source, rows, objects, object_bytes, revision)


def _holds_records(engine) -> bool:
    """Anything beyond what `archive init` writes (its schema, the system account, number
    sequences, the configuration's audit events): a case, a document, an original or a person."""
    from archive.models import Case, Document, User

    tables = set(inspect(engine).get_table_names())
    if not {Case.__tablename__, Document.__tablename__, StoredObject.__tablename__,
            User.__tablename__} <= tables:
        return True  # not this program's schema, or a part of it: someone else's database
    with engine.connect() as connection:
        return any(connection.scalar(select(func.count()).select_from(model)) > limit
                   for model, limit in ((Case, 0), (Document, 0), (StoredObject, 0), (User, 1)))


def _clear_initialised(engine) -> None:
    """Empty a database that `archive init` set up and nobody used yet, so the backup's rows
    keep their ids: its tables, Alembic's version and (PostgreSQL) the append-only trigger
    functions the migrations create again."""
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        # Tables outside the ORM's metadata (migrations 0024 and 0033: search table and its gram
        # counts, index writer lease).
        for table in ("search_writers", "search_gram_counts", "search_documents", "search_state"):
            connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if connection.dialect.name == "postgresql":
            functions = connection.scalars(text(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND p.prorettype = 'trigger'::regtype")).all()
            for function in functions:
                connection.execute(text(f'DROP FUNCTION "{function}"() CASCADE'))


def _rows(path: Path):
    if not path.exists():
        return
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


def _snapshot(session: Session) -> None:
    # Every table read in this transaction sees the same moment.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
    else:
        session.execute(text("SELECT 1"))  # SQLite (WAL): the read snapshot starts here


def _copy_out(store, key: str, root: Path) -> int:
    target = root / key
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with store.open(key) as stream, open(target, "wb") as out:
        while chunk := stream.read(CHUNK):
            out.write(chunk)
            size += len(chunk)
    return size


def _dump_table(session: Session, table, path: Path) -> int:
    count = 0
    order = list(table.primary_key.columns) or list(table.columns)
    with open(path, "w", encoding="utf-8") as out:
        for row in session.execute(select(table).order_by(*order)).mappings():
            out.write(json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False))
            out.write("\n")
            count += 1
    return count


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _load_table(connection, table, path: Path) -> int:
    # A missing file is a table added by a later release: nothing to load. Rows a migration
    # seeded (the audit-chain counter) give way to the backup's own.
    if connection.scalar(select(func.count()).select_from(table)):
        connection.execute(delete(table))
    readers = {column.name: _reader(column.type) for column in table.columns}
    count, batch = 0, []
    for raw in _rows(path):
        batch.append({name: value if value is None else readers[name](value)
                      for name, value in raw.items() if name in readers})
        if len(batch) == BATCH:
            connection.execute(insert(table), batch)
            count, batch = count + len(batch), []
    if batch:
        connection.execute(insert(table), batch)
        count += len(batch)
    return count


def _reader(column_type):
    kind = getattr(column_type, "impl", column_type)
    if isinstance(kind, DateTime):
        return datetime.fromisoformat
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Numeric) and getattr(kind, "asdecimal", False):
        return Decimal
    if isinstance(kind, LargeBinary):
        return base64.b64decode
    return lambda value: value


def _advance_sequences(connection) -> None:
    # Rows came with their ids; the serial counters must continue after them.
    for table in Base.metadata.sorted_tables:
        if "id" not in table.columns or not table.columns["id"].autoincrement:
            continue
        sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
        if sequence:
            highest = connection.scalar(select(func.max(table.columns["id"])))
            if highest:
                connection.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": highest})


def _validated(source: Path) -> dict:
    try:
        bag = bagit.Bag(str(source))
        bag.validate()
    except bagit.BagError as exc:
        raise BackupError(f"{source} is not a complete backup: {exc}") from exc
    meta = json.loads((source / "data" / "backup.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {meta.get('format')!r}")
    return meta
