"""The database triggers that keep the audit trail and the destruction register unchangeable.

Migrations 0001 and 0004 create them; whoever can run DDL can drop (or, on PostgreSQL, disable)
them. `archive init` puts back any that are missing and says so in the trail; /healthz and
`archive status` report them missing until then.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

# table → (PostgreSQL function, message)
PROTECTED = {
    "audit_events": ("audit_events_append_only", "audit_events is append-only"),
    "destruction_register": ("destruction_register_permanent", "destruction_register is permanent"),
}


def _statements(dialect: str) -> dict[str, list[str]]:
    """Each trigger's name and the statements that (re)create it."""
    made: dict[str, list[str]] = {}
    for table, (function, message) in PROTECTED.items():
        if dialect == "postgresql":
            create_function = f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '{message} (% refused)', TG_OP; END;
                $$ LANGUAGE plpgsql"""
            for name, when, each in ((f"{table}_no_change", "UPDATE OR DELETE", "ROW"),
                                     (f"{table}_no_truncate", "TRUNCATE", "STATEMENT")):
                made[name] = [create_function, f"DROP TRIGGER IF EXISTS {name} ON {table}",
                              f"CREATE TRIGGER {name} BEFORE {when} ON {table} "
                              f"FOR EACH {each} EXECUTE FUNCTION {function}()"]
        else:
            for operation in ("UPDATE", "DELETE"):
                name = f"{table}_no_{operation.lower()}"
                made[name] = [f"DROP TRIGGER IF EXISTS {name}",
                              f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                              f"BEGIN SELECT RAISE(ABORT, '{message}'); END"]
    return made


def missing_triggers(connection: Connection) -> list[str]:
    """The protecting triggers that are absent (or disabled) now."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        present = set(connection.scalars(text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'")))
    else:
        present = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")))
    return sorted(set(_statements(dialect)) - present)


def restore_triggers(engine: Engine) -> list[str]:
    """Create the missing triggers again; returns their names."""
    with engine.begin() as connection:
        missing = missing_triggers(connection)
        statements = _statements(connection.dialect.name)
        for name in missing:
            for statement in statements[name]:
                connection.execute(text(statement))
    return missing
