"""spot-check seeds sealed until revealed: a commitment stores a nonce, the seed only once drawn

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 00:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Commitments made before this revision keep their stored seed (already readable); new ones
    # store the nonce the seed is computed from with a key outside the database.
    with op.batch_alter_table('spot_check_commitments') as batch_op:
        batch_op.add_column(sa.Column('nonce', sa.String(length=64), nullable=True))
        batch_op.alter_column('seed', existing_type=sa.String(length=64), nullable=True)


def downgrade() -> None:
    # An unrevealed sealed seed cannot go back into a column that must hold it: such rows are
    # dropped (their month is committed again, late, at the next need).
    op.execute("DELETE FROM spot_check_commitments WHERE seed IS NULL")
    with op.batch_alter_table('spot_check_commitments') as batch_op:
        batch_op.alter_column('seed', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column('nonce')
