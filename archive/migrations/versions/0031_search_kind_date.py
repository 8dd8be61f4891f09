"""search table: a (kind, document_date) index covering the facet columns (PostgreSQL only)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 07:10:00
"""
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Written out, not through archive.search.pg_table: a migration does what it said when it was
    # written. A deployment without the PostgreSQL search table yet gets the index when the
    # backend creates the table. (Built without CONCURRENTLY: writes to the table wait for it.)
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql':
        return  # SQLite deployments keep the embedded Whoosh index
    if bind.exec_driver_sql("SELECT to_regclass('search_documents')").scalar() is None:
        return
    op.execute('CREATE INDEX IF NOT EXISTS ix_search_documents_kind_date ON search_documents '
               '(kind, document_date) INCLUDE (year, status, hospital, case_id, document_id)')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_search_documents_kind_date')
