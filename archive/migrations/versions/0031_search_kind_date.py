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
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite deployments keep the embedded Whoosh index
    from archive.search.pg_table import create_objects

    create_objects(op.get_bind())  # every object is created only if missing


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_search_documents_kind_date')
