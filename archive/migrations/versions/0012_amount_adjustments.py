"""claims: reviewers' adjustments of the approved amount (核定金额调整), monthly payment batches

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 18:40:00
"""
import sqlalchemy as sa
from alembic import op

import archive.models.types

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'amount_adjustments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('approved_fen', sa.BigInteger(), nullable=True),
        sa.Column('computed_fen', sa.BigInteger(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('adjusted_by_id', sa.Integer(), nullable=False),
        sa.Column('adjusted_by_name', sa.String(length=128), nullable=False),
        sa.Column('adjusted_at', archive.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['adjusted_by_id'], ['users.id'], ),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_amount_adjustments_case', 'amount_adjustments', ['case_id', 'id'], unique=False)
    op.create_table(
        'payment_batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('payments', sa.Integer(), nullable=False),
        sa.Column('total_fen', sa.BigInteger(), nullable=False),
        sa.Column('list_sha256', sa.String(length=64), nullable=False),
        sa.Column('bound_by_id', sa.Integer(), nullable=False),
        sa.Column('bound_by_name', sa.String(length=128), nullable=False),
        sa.Column('bound_at', archive.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['bound_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('month'),
    )


def downgrade() -> None:
    op.drop_table('payment_batches')
    op.drop_index('ix_amount_adjustments_case', table_name='amount_adjustments')
    op.drop_table('amount_adjustments')
