"""scopes: the hospital / township / village an external user works for, the case's hospital,
and who files a claim (the insured at the window, or the designated provider)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 21:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        # Empty for everyone: an external user without a scope sees no case until one is set.
        batch_op.add_column(sa.Column('scope_hospital', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('scope_township', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('scope_village', sa.String(length=64), nullable=True))
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hospital', sa.String(length=128), nullable=True))
        # Cases opened before this revision: who filed them is derived from their facts
        # (storage_config/workflow.toml [[filer]]).
        batch_op.add_column(sa.Column('filed_by', sa.String(length=16), nullable=True))
        batch_op.create_index('ix_cases_hospital', ['hospital'])


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_hospital')
        batch_op.drop_column('filed_by')
        batch_op.drop_column('hospital')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('scope_village')
        batch_op.drop_column('scope_township')
        batch_op.drop_column('scope_hospital')
