"""notices: posted publications (公示) with their lines, objections (异议), fund income ledger

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 21:50:00
"""
import sqlalchemy as sa
from alembic import op

import archive.models.types

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'publications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('posted_from', sa.Date(), nullable=False),
        sa.Column('posted_to', sa.Date(), nullable=False),
        sa.Column('posted_where', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_by_name', sa.String(length=128), nullable=False),
        sa.Column('created_at', archive.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_publications_month', 'publications', ['month'], unique=False)
    op.create_table(
        'publication_lines',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('publication_id', sa.Integer(), nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('id_number', sa.String(length=32), nullable=True),
        sa.Column('township', sa.String(length=64), nullable=True),
        sa.Column('village', sa.String(length=64), nullable=True),
        sa.Column('claim_type', sa.String(length=32), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=True),
        sa.Column('paid', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
        sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_publication_lines_case', 'publication_lines', ['case_id'], unique=False)
    op.create_table(
        'objections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('line_id', sa.Integer(), nullable=True),
        sa.Column('raised_by', sa.String(length=128), nullable=False),
        sa.Column('raised_on', sa.Date(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_by_name', sa.String(length=128), nullable=False),
        sa.Column('recorded_at', archive.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('outcome_reason', sa.Text(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('closed_by_name', sa.String(length=128), nullable=True),
        sa.Column('closed_at', archive.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
        sa.ForeignKeyConstraint(['line_id'], ['publication_lines.id'], ),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
        sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_objections_case_status', 'objections', ['case_id', 'status'], unique=False)
    op.create_table(
        'fund_income',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('amount_fen', sa.BigInteger(), nullable=False),
        sa.Column('source', sa.String(length=128), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_by_name', sa.String(length=128), nullable=False),
        sa.Column('recorded_at', archive.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_fund_income_received_on', 'fund_income', ['received_on'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_fund_income_received_on', table_name='fund_income')
    op.drop_table('fund_income')
    op.drop_index('ix_objections_case_status', table_name='objections')
    op.drop_table('objections')
    op.drop_index('ix_publication_lines_case', table_name='publication_lines')
    op.drop_table('publication_lines')
    op.drop_index('ix_publications_month', table_name='publications')
    op.drop_table('publications')
