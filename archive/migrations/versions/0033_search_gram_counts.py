"""search table: exact counts of its common grams by facet values, kept by triggers (PostgreSQL only)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-06 17:00:00
"""
from alembic import op

revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

FACETS = 'kind, year, status, hospital'


def _apply(deltas: str) -> str:
    return ('INSERT INTO search_gram_counts AS c (lexeme, ' + FACETS + ', n) '
            'SELECT lexeme, ' + FACETS + ', sum(d) FROM (' + deltas + ') AS deltas '
            'WHERE lexeme IN (SELECT lexeme FROM search_gram_counts) '
            'GROUP BY lexeme, ' + FACETS + ' HAVING sum(d) <> 0 ORDER BY lexeme, ' + FACETS + ' '
            'ON CONFLICT (lexeme, ' + FACETS + ') DO UPDATE SET n = c.n + excluded.n')


def _delta(rows: str, sign: str) -> str:
    return ('SELECT lexeme, ' + FACETS + ', ' + sign + '1 AS d FROM ' + rows + ', '
            'unnest(tsvector_to_array(terms)) AS lexeme')


def upgrade() -> None:
    # Written out, not through archive.search.pg_counts: a migration does what it said when it
    # was written. The table starts empty (every search counts rows, as before) until
    # `archive reindex` counts the common grams.
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return  # SQLite deployments keep the embedded Whoosh index
    if bind.exec_driver_sql("SELECT to_regclass('search_documents')").scalar() is None:
        return
    op.execute('CREATE TABLE IF NOT EXISTS search_gram_counts (lexeme text NOT NULL, '
               'kind varchar(512), year varchar(512), status varchar(512), hospital varchar(512), '
               'n bigint NOT NULL)')
    op.execute('CREATE UNIQUE INDEX IF NOT EXISTS ix_search_gram_counts ON search_gram_counts '
               '(lexeme, ' + FACETS + ') NULLS NOT DISTINCT')
    op.execute("""CREATE OR REPLACE FUNCTION search_gram_counts_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('archive.search_bulk', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(1570948288);
    IF TG_OP = 'INSERT' THEN
        """ + _apply(_delta('new_rows', '+')) + """;
    ELSIF TG_OP = 'DELETE' THEN
        """ + _apply(_delta('old_rows', '-')) + """;
    ELSE
        """ + _apply(_delta('new_rows', '+') + ' UNION ALL ' + _delta('old_rows', '-')) + """;
    END IF;
    RETURN NULL;
END $$""")
    for event, tables in (('insert', 'NEW TABLE AS new_rows'),
                          ('update', 'OLD TABLE AS old_rows NEW TABLE AS new_rows'),
                          ('delete', 'OLD TABLE AS old_rows')):
        op.execute(f'DROP TRIGGER IF EXISTS search_gram_counts_{event} ON search_documents')
        op.execute(f'CREATE TRIGGER search_gram_counts_{event} AFTER {event.upper()} ON search_documents '
                   f'REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION search_gram_counts_change()')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TABLE IF EXISTS search_gram_counts')
        op.execute('DROP FUNCTION IF EXISTS search_gram_counts_change() CASCADE')
