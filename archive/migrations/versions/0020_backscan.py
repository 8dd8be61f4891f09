"""backscan: runs of the back-scanning manifest path and the volumes (卷/盒) they registered

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 00:30:00
"""
import sqlalchemy as sa
from alembic import op

from archive.models.types import UTCDateTime

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'backscan_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('manifest_name', sa.String(length=255), nullable=False),
        sa.Column('folder', sa.Text(), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('started_by_id', sa.Integer(), nullable=False),
        sa.Column('started_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['started_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'archive_volumes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=True),
        sa.Column('row_number', sa.Integer(), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('fonds_code', sa.String(length=16), nullable=False),
        sa.Column('archive_year', sa.Integer(), nullable=False),
        sa.Column('retention_code', sa.String(length=8), nullable=False),
        sa.Column('original_no', sa.String(length=64), nullable=True),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('box_no', sa.String(length=32), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=False),
        sa.Column('opened_on', sa.Date(), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=False),
        sa.Column('files', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('filed_at', UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['run_id'], ['backscan_runs.id']),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key'),
        sa.UniqueConstraint('case_id'),
    )
    op.create_index('ix_archive_volumes_box', 'archive_volumes',
                    ['fonds_code', 'archive_year', 'box_no'], unique=False)
    op.create_index('ix_archive_volumes_closed', 'archive_volumes', ['closed_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_archive_volumes_closed', table_name='archive_volumes')
    op.drop_index('ix_archive_volumes_box', table_name='archive_volumes')
    op.drop_table('archive_volumes')
    op.drop_table('backscan_runs')
