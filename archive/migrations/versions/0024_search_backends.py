"""search backends: the PostgreSQL search table (PostgreSQL only) and the index writer lease

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 00:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Who writes the Whoosh index (archive.search.writer): one row per index kind, with a lease.
    op.create_table(
        'search_writers',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('holder', sa.String(length=512), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    if op.get_bind().dialect.name != 'postgresql':
        return  # SQLite deployments keep the embedded Whoosh index
    from archive.search.pg_table import create_objects

    create_objects(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TABLE IF EXISTS search_documents')
        op.execute('DROP TABLE IF EXISTS search_state')
    op.drop_table('search_writers')
