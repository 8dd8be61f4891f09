"""provider register: providers, sanctions, assessments, settlements, deductions, year ends

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 00:20:00
"""
import sqlalchemy as sa
from alembic import op

from archive.models.types import UTCDateTime

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def _recorded() -> list[sa.Column]:
    return [sa.Column('recorded_by_name', sa.String(length=128), nullable=False),
            sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=False)]


def upgrade() -> None:
    op.create_table(
        'providers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('level', sa.String(length=16), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('uscc', sa.String(length=18), nullable=False),
        sa.Column('insurance_code', sa.String(length=32), nullable=True),
        sa.Column('township', sa.String(length=64), nullable=True),
        sa.Column('deposit_fen', sa.BigInteger(), nullable=False),
        sa.Column('deposit_status', sa.String(length=16), nullable=False),
        sa.Column('created_by_name', sa.String(length=128), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'), sa.UniqueConstraint('uscc'), sa.UniqueConstraint('insurance_code'),
    )
    op.create_table(
        'provider_sanctions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), sa.ForeignKey('providers.id'), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=True),
        *_recorded(),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_provider_sanctions_provider_id', 'provider_sanctions', ['provider_id'])
    op.create_table(
        'provider_assessments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), sa.ForeignKey('providers.id'), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('scores', sa.JSON(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('assessed_on', sa.Date(), nullable=False),
        sa.Column('assessor_name', sa.String(length=128), nullable=False),
        sa.Column('deposit_outcome', sa.String(length=16), nullable=True),
        sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('provider_id', 'year', 'period'),
    )
    op.create_index('ix_provider_assessments_provider_id', 'provider_assessments', ['provider_id'])
    op.create_table(
        'provider_settlements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), sa.ForeignKey('providers.id'), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=True),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('due_estimated', sa.Boolean(), nullable=False),
        sa.Column('total_cost_fen', sa.BigInteger(), nullable=False),
        sa.Column('self_pay_fen', sa.BigInteger(), nullable=False),
        sa.Column('claimed_fen', sa.BigInteger(), nullable=False),
        sa.Column('cap_percent', sa.Integer(), nullable=True),
        sa.Column('cap_deduction_fen', sa.BigInteger(), nullable=False),
        sa.Column('settled_on', sa.Date(), nullable=True),
        *_recorded(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('provider_id', 'month'),
    )
    op.create_index('ix_provider_settlements_provider_id', 'provider_settlements', ['provider_id'])
    op.create_table(
        'provider_deductions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('settlement_id', sa.Integer(), sa.ForeignKey('provider_settlements.id'), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_provider_deductions_settlement_id', 'provider_deductions', ['settlement_id'])
    op.create_table(
        'provider_year_ends',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), sa.ForeignKey('providers.id'), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('total_cost_fen', sa.BigInteger(), nullable=False),
        sa.Column('self_pay_fen', sa.BigInteger(), nullable=False),
        sa.Column('cap_percent', sa.Integer(), nullable=True),
        sa.Column('deducted_fen', sa.BigInteger(), nullable=False),
        sa.Column('kept_fen', sa.BigInteger(), nullable=False),
        sa.Column('returned_fen', sa.BigInteger(), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('provider_id', 'year'),
    )
    op.create_index('ix_provider_year_ends_provider_id', 'provider_year_ends', ['provider_id'])


def downgrade() -> None:
    for table in ('provider_year_ends', 'provider_deductions', 'provider_settlements', 'provider_assessments',
                  'provider_sanctions'):
        op.drop_index(f'ix_{table}_provider_id' if table != 'provider_deductions'
                      else 'ix_provider_deductions_settlement_id', table_name=table)
        op.drop_table(table)
    op.drop_table('providers')
