"""documents: where each field was read (provenance); field corrections

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 17:30:00
"""
import sqlalchemy as sa
from alembic import op

import archive.models.types

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        # Documents read before this revision have no provenance: the viewer shows their fields
        # without highlighting until they are read again.
        batch_op.add_column(sa.Column('field_sources', sa.JSON(), nullable=True))

    op.create_table(
        'field_corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=64), nullable=False),
        sa.Column('machine_value', sa.Text(), nullable=True),
        sa.Column('previous_value', sa.Text(), nullable=True),
        sa.Column('value', sa.Text(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('corrected_by_id', sa.Integer(), nullable=False),
        sa.Column('corrected_by_name', sa.String(length=128), nullable=False),
        sa.Column('corrected_at', archive.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['corrected_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('field_corrections', schema=None) as batch_op:
        batch_op.create_index('ix_field_corrections_document_id', ['document_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('field_corrections', schema=None) as batch_op:
        batch_op.drop_index('ix_field_corrections_document_id')
    op.drop_table('field_corrections')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('field_sources')
