"""provider aliases: the other names a provider's invoices print, matched as its register name

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 07:10:00
"""
import sqlalchemy as sa
from alembic import op

from archive.models.types import UTCDateTime

revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'provider_aliases',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), sa.ForeignKey('providers.id'), nullable=False),
        sa.Column('alias', sa.String(length=128), nullable=False),
        sa.Column('normal', sa.String(length=128), nullable=False),
        sa.Column('recorded_by_name', sa.String(length=128), nullable=False),
        sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('normal'),
    )
    op.create_index('ix_provider_aliases_provider_id', 'provider_aliases', ['provider_id'])


def downgrade() -> None:
    op.drop_index('ix_provider_aliases_provider_id', table_name='provider_aliases')
    op.drop_table('provider_aliases')
