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


def downgrade() -> None:
    op.drop_index('ix_holiday_arrangements_year', table_name='holiday_arrangements')
    op.drop_table('holiday_arrangements')
