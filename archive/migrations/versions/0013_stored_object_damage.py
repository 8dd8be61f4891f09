"""stored objects: when the bytes last failed their fixity check

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 18:40:00
"""
import sqlalchemy as sa
from alembic import op

from archive.models.types import UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stored_objects', schema=None) as batch_op:
        batch_op.add_column(sa.Column('damaged_at', UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_stored_objects_damaged_at', ['damaged_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('stored_objects', schema=None) as batch_op:
        batch_op.drop_index('ix_stored_objects_damaged_at')
        batch_op.drop_column('damaged_at')
