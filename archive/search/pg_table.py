"""The PostgreSQL search table and the analysis that fills its `tsvector`.

One row per processed document: its folded text (`body`), the same text with every character
masking hides replaced by HIDDEN_MARK (`visible`, NULL when nothing is hidden), the exact fields,
the filter and sort columns, and `terms`, a tsvector of

- the character pairs of every whitespace-free run ("张伟于" → 张伟 伟于), at the positions
  `schema.bigrams` gives them (a gap between runs keeps phrases from crossing whitespace);
- each one-character run on its own (a lone CJK character between spaces);
- "#" + every four-digit gram of a run of four or more digits, at the position of the pair
  that starts at the same character, so a number is a selective phrase of its grams.

Latin and digit runs are paired like CJK rather than kept as whole tokens: a query for "0023"
must find "AJ-2026-000023", and only the pairs make every substring a candidate. The tsvector
only narrows the candidates (GIN index: all of a run's grams, or with pg_query.PHRASES a `<->`
phrase of them); candidates are checked exactly (`strpos` on `body`, or on `visible` for someone
who sees identifiers masked), so recall is exact whatever the tsvector lost. PostgreSQL keeps
positions up to 16,383 and 256 per lexeme: a lexeme beyond either limit is written without
positions and the row marked `positions_exact = false`; a phrase never matches a lexeme without
positions, so such rows are looked up by all the grams (`&`) even in phrase mode.

Besides, for every pair and digit gram a document holds at least 2, 3, 4, 6, … times (LEVELS),
a lexeme "gram^level" without positions: pg_query ranks a query that matches most of the
archive by asking the GIN index for the documents that hold its grams often, whose frequency
is the only one that can reach the first page (a run occurs no more often than any of its grams).

Not part of the ORM metadata: the table exists only on PostgreSQL (migration 0024).
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR

from archive.search.schema import DIGIT_GRAM, DIGIT_RUN, EXACT_FIELDS, bigrams, fold, segments

HIDDEN_MARK = "\ue000"  # private use: never folded from, or to, anything a query can hold
MAX_POSITION = 16383  # tsvector positions above this are clamped by PostgreSQL
MAX_POSITIONS = 256  # positions kept per lexeme
DIGIT_PREFIX = "#"
LEVEL_MARK = "^"  # "医院^3": 医院 three times or more; no query lexeme has this length and form
LEVELS = (2, 3, 4, 6, 8, 12, 16, 24, 32, 64)
TERMS_STATISTICS = 250  # the `terms` column's statistics target (default 100)

metadata = MetaData()

search_documents = Table(
    "search_documents", metadata,
    Column("document_id", Integer, primary_key=True, autoincrement=False),
    Column("case_id", Integer, nullable=False, index=True),
    Column("body", Text, nullable=False),
    Column("visible", Text),
    Column("terms", TSVECTOR, nullable=False),
    Column("positions_exact", Boolean, nullable=False),
    *(Column(name, String(512)) for name in EXACT_FIELDS),
    Column("codes", ARRAY(Text), nullable=False),
    Column("steps", ARRAY(Text), nullable=False),
    Column("document_date", DateTime),
    Column("case_opened", DateTime),
    Column("amount_fen", BigInteger),
)

search_state = Table(
    "search_state", metadata,
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)


def create_objects(connection) -> None:
    """Create the table, its GIN index and the state row (PostgreSQL only)."""
    metadata.create_all(connection)
    connection.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_search_documents_terms ON search_documents USING gin (terms)")
    # ANALYZE keeps ten times this many of the commonest lexemes (pg_query.Weights): the level
    # lexemes took 458 of the default 1,000 at 20,000 documents, crowding grams out.
    connection.exec_driver_sql(
        f"ALTER TABLE search_documents ALTER COLUMN terms SET STATISTICS {TERMS_STATISTICS}")
    # Exact fields are ORed with the text (a word may be a case number or a code): each needs an
    # index of its own, or the OR turns every search into a scan of the table.
    for name in ("document_date", "amount_fen", "case_opened", *EXACT_FIELDS):
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS ix_search_documents_{name} ON search_documents ({name})")
    # A kind and a date range with no text (the desk's "invoices of March"): the matching rows
    # and their facet columns from the index alone, in date order (an index-only scan once
    # VACUUM has marked the pages all-visible, which the rebuild does).
    connection.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_search_documents_kind_date ON search_documents "
        "(kind, document_date) INCLUDE (year, status, hospital, case_id, document_id)")
    for name in ("codes", "steps"):
        connection.exec_driver_sql(
            f"CREATE INDEX IF NOT EXISTS ix_search_documents_{name} ON search_documents USING gin ({name})")
    from archive.search.pg_counts import create  # it reads this module's table

    create(connection)


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def lexemes(text: str) -> dict[str, list[int]]:
    """lexeme → positions (0-based) for `text` (already folded or not)."""
    folded = fold(text)
    found: dict[str, list[int]] = defaultdict(list)
    at_char: dict[int, int] = {}
    for position, start, pair in bigrams(folded):
        found[pair].append(position)
        at_char[start] = position
    position = 0
    for _, run in segments(folded):
        if len(run) == 1:
            found[run].append(position)
        position += max(len(run) - 1, 0) + 2
    for run in DIGIT_RUN.finditer(folded):
        digits = run.group()
        for offset in range(len(digits) - DIGIT_GRAM + 1):
            found[DIGIT_PREFIX + digits[offset:offset + DIGIT_GRAM]].append(at_char[run.start() + offset])
    return found


def tsvector_literal(text: str) -> str:
    """The tsvector input text (cast with ::tsvector, no dictionary involved)."""
    return analysed(text)[0]


def analysed(text: str) -> tuple[str, bool]:
    """(tsvector input text, whether every lexeme kept all its positions)."""
    parts, exact = [], True
    for lexeme, positions in lexemes(text).items():
        if len(positions) > MAX_POSITIONS or positions[-1] + 1 > MAX_POSITION:
            parts.append(_quote(lexeme))  # PostgreSQL would clamp or drop some: none kept
            exact = False
        else:
            parts.append(_quote(lexeme) + ":" + ",".join(str(p + 1) for p in positions))
        if len(lexeme) > 1:  # counted before any limit: the levels are exact
            parts += (_quote(level_lexeme(lexeme, level)) for level in LEVELS if len(positions) >= level)
    return " ".join(parts), exact


def level_lexeme(lexeme: str, level: int) -> str:
    """The lexeme of documents holding `lexeme` at least `level` times."""
    return f"{lexeme}{LEVEL_MARK}{level}"


def phrase_tsquery(lexemes_in_order: list[str], operator: str = "<->") -> str:
    """A tsquery text: the lexemes at consecutive positions (or, with "&", anywhere)."""
    return f" {operator} ".join(_quote(lexeme) for lexeme in lexemes_in_order)


def visible_text(folded: str, hidden: list[int]) -> str | None:
    """`folded` with the characters at `hidden` offsets replaced by HIDDEN_MARK."""
    if not hidden:
        return None
    chars = list(folded)
    for offset in hidden:
        chars[offset] = HIDDEN_MARK
    return "".join(chars)
