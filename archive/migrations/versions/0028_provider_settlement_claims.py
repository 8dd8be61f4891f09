"""provider settlements computed from their claims: the computed fund share, the claims it was
computed from, and the findings that hold settling until explained

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 03:50:00
"""
import sqlalchemy as sa
from alembic import op

from archive.models.types import UTCDateTime

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Settlements received before this were typed: no computed figure, paid as typed.
    op.add_column('provider_settlements', sa.Column('computed_fen', sa.BigInteger(), nullable=True))
    op.create_table(
        'provider_settlement_claims',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('settlement_id', sa.Integer(), sa.ForeignKey('provider_settlements.id'), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('treated_on', sa.Date(), nullable=False),
        sa.Column('total_cost_fen', sa.BigInteger(), nullable=True),
        sa.Column('self_pay_fen', sa.BigInteger(), nullable=False),
        sa.Column('fund_fen', sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('settlement_id', 'case_id'),
    )
    op.create_index('ix_provider_settlement_claims_settlement_id', 'provider_settlement_claims',
                    ['settlement_id'])
    op.create_index('ix_provider_settlement_claims_case_id', 'provider_settlement_claims', ['case_id'])
    op.create_table(
        'provider_settlement_findings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('settlement_id', sa.Integer(), sa.ForeignKey('provider_settlements.id'), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=True),
        sa.Column('submitted_fen', sa.BigInteger(), nullable=True),
        sa.Column('computed_fen', sa.BigInteger(), nullable=True),
        sa.Column('explanation', sa.Text(), nullable=True),
        sa.Column('resolved_by_name', sa.String(length=128), nullable=True),
        sa.Column('resolved_at', UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_provider_settlement_findings_settlement_id', 'provider_settlement_findings',
                    ['settlement_id'])


def downgrade() -> None:
    op.drop_table('provider_settlement_findings')
    op.drop_table('provider_settlement_claims')
    op.drop_column('provider_settlements', 'computed_fen')
