"""workflow: findings of spot-check re-checks (抽查复核)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 17:10:00
"""
import sqlalchemy as sa
from alembic import op

import archive.models.types

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'recheck_outcomes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('difference_fen', sa.BigInteger(), nullable=True),
        sa.Column('checked_by_id', sa.Integer(), nullable=False),
        sa.Column('checked_by_name', sa.String(length=128), nullable=False),
        sa.Column('checked_at', archive.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['checked_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_recheck_outcomes_case_month', 'recheck_outcomes', ['case_id', 'month'])


def downgrade() -> None:
    op.drop_index('ix_recheck_outcomes_case_month', table_name='recheck_outcomes')
    op.drop_table('recheck_outcomes')
