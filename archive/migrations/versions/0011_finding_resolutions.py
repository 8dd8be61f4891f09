"""finding resolutions: a reviewer's reason for letting a blocking finding through

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 18:50:00
"""
import sqlalchemy as sa
from alembic import op

import archive.models.types

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'finding_resolutions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.String(length=160), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('resolved_by_id', sa.Integer(), nullable=False),
        sa.Column('resolved_by_name', sa.String(length=128), nullable=False),
        sa.Column('resolved_at', archive.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_finding_resolutions_case', 'finding_resolutions', ['case_id', 'finding_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_finding_resolutions_case', table_name='finding_resolutions')
    op.drop_table('finding_resolutions')
