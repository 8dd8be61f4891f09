"""auth: a per-user session epoch (server-side sign-out) and who issued each API token

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 18:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
    # Tokens issued before this revision have no recorded issuer (NULL): they keep working and
    # their holders can revoke and re-issue them themselves.
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_api_tokens_issued_by_id_users', 'users', ['issued_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_constraint('fk_api_tokens_issued_by_id_users', type_='foreignkey')
        batch_op.drop_column('issued_by_id')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
