"""workflow: the claimant's village, for the monthly publication list (公示)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 14:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        # Cases opened before this revision have no village; the list shows them under their
        # township as "village not recorded".
        batch_op.add_column(sa.Column('village', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('village')
