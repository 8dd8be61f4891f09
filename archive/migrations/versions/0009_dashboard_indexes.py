"""dashboard: indexes for the weekly counts (sign-offs by signer / by role, cases opened)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 17:15:00
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Each dashboard series reads one range of one of these: the last weeks' rows, not years'.
    op.create_index('ix_sign_offs_signer_signed', 'sign_offs', ['signer_id', 'signed_at'], unique=False)
    op.create_index('ix_sign_offs_role_signed', 'sign_offs', ['role', 'signed_at'], unique=False)
    op.create_index('ix_cases_created_at', 'cases', ['created_at'], unique=False)
    op.create_index('ix_cases_creator_created', 'cases', ['created_by_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_cases_creator_created', table_name='cases')
    op.drop_index('ix_cases_created_at', table_name='cases')
    op.drop_index('ix_sign_offs_role_signed', table_name='sign_offs')
    op.drop_index('ix_sign_offs_signer_signed', table_name='sign_offs')
