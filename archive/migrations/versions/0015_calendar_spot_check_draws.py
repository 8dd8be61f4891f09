"""holiday arrangements entered by an administrator; spot-check commitments, draws, follow-ups

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-05 22:00:00
"""
import sqlalchemy as sa
from alembic import op

from archive.models.types import UTCDateTime

revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'holiday_arrangements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('holidays', sa.JSON(), nullable=False),
        sa.Column('workdays', sa.JSON(), nullable=False),
        sa.Column('notice', sa.Text(), nullable=True),
        sa.Column('entered_by_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('entered_by_name', sa.String(128), nullable=False),
        sa.Column('entered_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_holiday_arrangements_year', 'holiday_arrangements', ['year', 'id'])
    op.create_table(
        'spot_check_commitments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('seed', sa.String(64), nullable=False),
        sa.Column('seed_sha256', sa.String(64), nullable=False),
        sa.Column('late', sa.Boolean(), nullable=False),
        sa.Column('committed_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('revealed_at', UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('month'),
    )
    op.create_table(
        'spot_check_draws',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('purpose', sa.String(64), nullable=False),
        sa.Column('share', sa.String(16), nullable=False),
        sa.Column('quota', sa.Integer(), nullable=False),
        sa.Column('eligible', sa.JSON(), nullable=False),
        sa.Column('drawn', sa.JSON(), nullable=False),
        sa.Column('drawn_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('month', 'purpose', name='uq_spot_check_draws_month_purpose'),
    )
    op.create_table(
        'spot_check_follow_ups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('recheck_id', sa.Integer(), sa.ForeignKey('recheck_outcomes.id'), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=True),
        sa.Column('audit_case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=True),
        sa.Column('opened_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_spot_check_follow_ups_case', 'spot_check_follow_ups', ['case_id'])
    op.create_table(
        'phone_follow_ups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), sa.ForeignKey('cases.id'), nullable=False),
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('outcome', sa.String(16), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('called_by_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('called_by_name', sa.String(128), nullable=False),
        sa.Column('called_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_phone_follow_ups_case_month', 'phone_follow_ups', ['case_id', 'month'])


def downgrade() -> None:
    op.drop_index('ix_phone_follow_ups_case_month', table_name='phone_follow_ups')
    op.drop_table('phone_follow_ups')
    op.drop_index('ix_spot_check_follow_ups_case', table_name='spot_check_follow_ups')
    op.drop_table('spot_check_follow_ups')
    op.drop_table('spot_check_draws')
    op.drop_table('spot_check_commitments')
    op.drop_index('ix_holiday_arrangements_year', table_name='holiday_arrangements')
    op.drop_table('holiday_arrangements')
