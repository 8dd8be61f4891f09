"""statistics: insured counts per year and township (参合人数); indexes for the period queries

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 00:30:00
"""
import sqlalchemy as sa
from alembic import op

import archive.models.types

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'insured_counts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('township', sa.String(length=64), nullable=False),
        sa.Column('insured', sa.Integer(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_by_name', sa.String(length=128), nullable=False),
        sa.Column('recorded_at', archive.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('year', 'township', name='uq_insured_counts_year_township'),
    )
    # The statistics select a period's finished chains and its decisions by time.
    op.create_index('ix_workflow_instances_finished', 'workflow_instances', ['finished_at'], unique=False)
    op.create_index('ix_sign_offs_signed_at', 'sign_offs', ['signed_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sign_offs_signed_at', table_name='sign_offs')
    op.drop_index('ix_workflow_instances_finished', table_name='workflow_instances')
    op.drop_table('insured_counts')
