from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from archive.db import Base


class NumberSequence(Base):
    """A named gap-free counter (case numbers per year; archive numbers later)."""

    __tablename__ = "number_sequences"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)
