"""search table: a larger statistics target for `terms` (PostgreSQL only)

The frequency-level lexemes (archive.search.pg_table.LEVELS) share ANALYZE's list of common
lexemes with the grams whose shares weigh relevance; a larger list keeps both.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 10:40:00
"""
from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return  # SQLite deployments keep the embedded Whoosh index
    if bind.exec_driver_sql("SELECT to_regclass('search_documents')").scalar() is None:
        return  # the backend creates the table with this target when it first runs
    op.execute('ALTER TABLE search_documents ALTER COLUMN terms SET STATISTICS 250')


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql' and \
            bind.exec_driver_sql("SELECT to_regclass('search_documents')").scalar() is not None:
        op.execute('ALTER TABLE search_documents ALTER COLUMN terms SET STATISTICS -1')
        # Code before this revision writes rows without frequency levels: the levels' page must
        # not be trusted again until a rebuild by code that writes them.
        if bind.exec_driver_sql("SELECT to_regclass('search_state')").scalar() is not None:
            op.execute("DELETE FROM search_state WHERE name = 'levels'")
