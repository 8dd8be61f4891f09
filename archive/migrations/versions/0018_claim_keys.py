"""claim keys: indexed lookup columns for the duplicate, stay and agreement flags

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 21:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'claim_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('value', sa.String(length=64), nullable=True),
        sa.Column('extra', sa.String(length=64), nullable=True),
        sa.Column('person', sa.String(length=64), nullable=True),
        sa.Column('hospital', sa.String(length=128), nullable=True),
        sa.Column('admitted', sa.Date(), nullable=True),
        sa.Column('discharged', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_claim_keys_case_id', 'claim_keys', ['case_id'], unique=False)
    op.create_index('ix_claim_keys_value', 'claim_keys', ['kind', 'value'], unique=False)
    op.create_index('ix_claim_keys_person', 'claim_keys', ['person', 'kind', 'admitted'], unique=False)
    op.create_index('ix_claim_keys_hospital', 'claim_keys', ['kind', 'hospital', 'admitted'], unique=False)
    op.create_index('ix_documents_object', 'documents', ['object_id'], unique=False)
    # The keys of the cases already held, from their documents as read and corrected.
    from archive.models.claim_key_rules import refresh

    connection = op.get_bind()
    ids = [row[0] for row in connection.execute(sa.text("SELECT id FROM cases ORDER BY id"))]
    for start in range(0, len(ids), 500):
        refresh(connection, ids[start:start + 500])


def downgrade() -> None:
    op.drop_index('ix_documents_object', table_name='documents')
    op.drop_index('ix_claim_keys_hospital', table_name='claim_keys')
    op.drop_index('ix_claim_keys_person', table_name='claim_keys')
    op.drop_index('ix_claim_keys_value', table_name='claim_keys')
    op.drop_index('ix_claim_keys_case_id', table_name='claim_keys')
    op.drop_table('claim_keys')
