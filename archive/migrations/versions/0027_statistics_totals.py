"""statistics totals: the facts the statistics count and their per-day totals, kept as cases change

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 03:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
KEYS = ('day', 'kind', 'claim_type', 'township', 'village', 'hospital', 'definition', 'step')


def _keys() -> list[sa.Column]:
    return [
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('claim_type', sa.String(length=32), nullable=False),
        sa.Column('township', sa.String(length=64), nullable=False),
        sa.Column('village', sa.String(length=64), nullable=False),
        sa.Column('hospital', sa.String(length=255), nullable=False),
        sa.Column('definition', sa.String(length=64), nullable=False),
        sa.Column('step', sa.String(length=64), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        'statistics_facts',
        sa.Column('id', ID, nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('source_id', sa.BigInteger(), nullable=True),
        *_keys(),
        sa.Column('flagged', sa.Integer(), nullable=False),
        sa.Column('paid_fen', sa.BigInteger(), nullable=False),
        sa.Column('cost_fen', sa.BigInteger(), nullable=True),
        sa.Column('self_funded_fen', sa.BigInteger(), nullable=False),
        sa.Column('seconds', sa.Float(), nullable=False),
        sa.Column('person', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_statistics_facts_case_id', 'statistics_facts', ['case_id'])
    op.create_index('ix_statistics_facts_kind_day', 'statistics_facts', ['kind', 'flagged', 'day', 'case_id'])
    op.create_table(
        'statistics_day_totals',
        sa.Column('id', ID, nullable=False),
        *_keys(),
        *[sa.Column(name, sa.BigInteger(), nullable=False)
          for name in ('count', 'flagged', 'paid_fen', 'cost_fen', 'costed', 'self_funded_fen')],
        sa.Column('seconds_sum', sa.Float(), nullable=False),
        sa.Column('seconds_max', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(*KEYS, name='uq_statistics_day_totals_key'),
    )
    # The audit handling decisions of a period (archive.statistics.oversight) by their step.
    op.create_index('ix_sign_offs_step_signed', 'sign_offs', ['step', 'signed_at'])
    # The cases already there are counted by `archive init` (and restore) after upgrading
    # (archive.statistics.totals.count_if_never_counted), with the models of the release that
    # runs it: this migration stays plain DDL, whatever later migrations change.


def downgrade() -> None:
    op.drop_index('ix_sign_offs_step_signed', table_name='sign_offs')
    op.drop_table('statistics_day_totals')
    op.drop_index('ix_statistics_facts_kind_day', table_name='statistics_facts')
    op.drop_index('ix_statistics_facts_case_id', table_name='statistics_facts')
    op.drop_table('statistics_facts')
