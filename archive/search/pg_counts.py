"""Exact counts of a common gram by facet values, kept beside the search table.

A word in most of the archive (医院, 住院, 2026) matches most rows, and counting them by facet
reads every one: at 1,000,000 documents, 833,000 hits of 医院 took the GIN index 0.3 s to list
and the heap 2–3 s to count (851 MB of rows, the text inline), and with the default work_mem the
bitmap went lossy and rechecked each row's tsvector (2.6 kB out of line): 10 s. The answer does
not depend on the query beyond the gram, so it is kept: `search_gram_counts` holds, for each
lexeme in at least COMMON_SHARE of the documents when the table was last rebuilt, the number of
rows holding it for every combination of facet values. Triggers keep it exact on every write
(in the writer's transaction, so a reader sees counts and rows of the same snapshot); a rebuild
switches them off (`archive.search_bulk`) and counts afresh (`fill`).

pg_query uses the counts where they are the whole answer: one gram, no masking, a user who sees
every case, and filters only on facet columns; rows matched by an exact field ORed with the
word (a case number equal to it) but lacking the gram are counted from the table (B-tree, few).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, MetaData, Table, Text, text

from archive.search.schema import FACET_FIELDS

COMMON_SHARE = 0.01  # below this a gram's rows are few enough to count at query time
BULK = "archive.search_bulk"  # set locally by a rebuild: the triggers skip its rows
# Writers of the counts take this transaction lock first: each updates the same hot rows (the
# combinations of 医院), and two writers locking them in different orders could deadlock.
LOCK_KEY = 1570948288

metadata = MetaData()
search_gram_counts = Table(
    "search_gram_counts", metadata,
    Column("lexeme", Text, nullable=False),
    *(Column(name, Text) for name in FACET_FIELDS),
    Column("n", BigInteger, nullable=False),
)

_FACETS = ", ".join(FACET_FIELDS)


def _delta(rows: str, sign: str) -> str:
    return (f"SELECT lexeme, {_FACETS}, {sign}1 AS d FROM {rows}, "
            f"unnest(tsvector_to_array(terms)) AS lexeme")


def _apply(deltas: str) -> str:
    """Add the deltas of the common lexemes, in one order (with the lock, no deadlock)."""
    return (f"INSERT INTO search_gram_counts AS c (lexeme, {_FACETS}, n) "
            f"SELECT lexeme, {_FACETS}, sum(d) FROM ({deltas}) AS deltas "
            f"WHERE lexeme IN (SELECT lexeme FROM search_gram_counts) "
            f"GROUP BY lexeme, {_FACETS} HAVING sum(d) <> 0 ORDER BY lexeme, {_FACETS} "
            f"ON CONFLICT (lexeme, {_FACETS}) DO UPDATE SET n = c.n + excluded.n")


DDL = [
    f"CREATE TABLE IF NOT EXISTS search_gram_counts (lexeme text NOT NULL, "
    f"{', '.join(f'{name} varchar(512)' for name in FACET_FIELDS)}, n bigint NOT NULL)",
    f"CREATE UNIQUE INDEX IF NOT EXISTS ix_search_gram_counts ON search_gram_counts "
    f"(lexeme, {_FACETS}) NULLS NOT DISTINCT",
    f"""CREATE OR REPLACE FUNCTION search_gram_counts_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('{BULK}', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    IF TG_OP = 'INSERT' THEN
        {_apply(_delta('new_rows', '+'))};
    ELSIF TG_OP = 'DELETE' THEN
        {_apply(_delta('old_rows', '-'))};
    ELSE
        {_apply(_delta('new_rows', '+') + ' UNION ALL ' + _delta('old_rows', '-'))};
    END IF;
    RETURN NULL;
END $$""",
    # One trigger per event: PostgreSQL allows transition tables only on single-event triggers.
    "DROP TRIGGER IF EXISTS search_gram_counts_insert ON search_documents",
    "CREATE TRIGGER search_gram_counts_insert AFTER INSERT ON search_documents "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_gram_counts_change()",
    "DROP TRIGGER IF EXISTS search_gram_counts_update ON search_documents",
    "CREATE TRIGGER search_gram_counts_update AFTER UPDATE ON search_documents "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION search_gram_counts_change()",
    "DROP TRIGGER IF EXISTS search_gram_counts_delete ON search_documents",
    "CREATE TRIGGER search_gram_counts_delete AFTER DELETE ON search_documents "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_gram_counts_change()",
]


def create(connection) -> None:
    for statement in DDL:
        connection.exec_driver_sql(statement)


def bulk(connection) -> None:
    """For the rest of this transaction the triggers skip (a rebuild counts afresh after)."""
    connection.execute(text("SELECT set_config(:name, 'on', true)"), {"name": BULK})
    connection.exec_driver_sql("DELETE FROM search_gram_counts")


def fill(connection) -> int:
    """Count the lexemes ANALYZE lists in at least COMMON_SHARE of the rows, exactly, over the
    whole table; returns how many lexemes. Writers wait (SHARE lock) so none is missed between
    the count and the commit; readers do not. Level lexemes (pg_table.LEVELS) are left out: no
    query asks for them alone."""
    connection.exec_driver_sql("LOCK TABLE search_documents IN SHARE MODE")
    connection.exec_driver_sql("DELETE FROM search_gram_counts")
    common = connection.execute(text(
        "SELECT array_agg(lexeme) FROM pg_stats s, "
        "unnest(s.most_common_elems::text::text[], s.most_common_elem_freqs) AS e(lexeme, share) "
        "WHERE s.tablename = 'search_documents' AND s.attname = 'terms' AND share >= :share "
        "AND strpos(lexeme, '^') = 0"), {"share": COMMON_SHARE}).scalar()
    if not common:
        return 0
    connection.execute(text(
        f"INSERT INTO search_gram_counts (lexeme, {_FACETS}, n) "
        f"SELECT lexeme, {_FACETS}, count(*) FROM search_documents, "
        f"unnest(tsvector_to_array(terms)) AS lexeme "
        f"WHERE lexeme IN (SELECT unnest(CAST(:common AS text[]))) "
        f"GROUP BY lexeme, {_FACETS}"), {"common": common})
    return len(common)
