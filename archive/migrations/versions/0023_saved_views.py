"""saved views: a user's named case-list filters, offered on the dashboard

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 00:30:00
"""
import sqlalchemy as sa
from alembic import op

from archive.models.types import UTCDateTime

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'saved_views',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('query', sa.JSON(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'name', name='uq_saved_views_user_name'),
    )
    op.create_index('ix_saved_views_user_id', 'saved_views', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_saved_views_user_id', table_name='saved_views')
    op.drop_table('saved_views')
