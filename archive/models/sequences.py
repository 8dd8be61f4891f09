from sqlalchemy import String, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from archive.db import Base


class NumberSequence(Base):
    """A named gap-free counter (case numbers per year, archive numbers per fonds/year/retention)."""

    __tablename__ = "number_sequences"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


def next_in_sequence(session: Session, name: str) -> int:
    """The next value of a gap-free counter, created on first use.

    The insert does nothing if the row exists (a concurrent first use waits for the other's
    commit, then sees its row); the UPDATE locks the row until this transaction ends, so
    concurrent callers get consecutive numbers, and a rollback gives the number back.
    """
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(NumberSequence).values(name=name, last_value=0)
                    .on_conflict_do_nothing(index_elements=["name"]))
    return session.execute(
        update(NumberSequence).where(NumberSequence.name == name)
        .values(last_value=NumberSequence.last_value + 1).returning(NumberSequence.last_value)
    ).scalar_one()
