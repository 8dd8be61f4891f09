"""statistics period totals: the facts summed per month and per quarter, and the sets counted
distinct (people paid, cases returned) with their sizes, kept as cases change

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 07:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
KEYS = ('period', 'kind', 'claim_type', 'township', 'village', 'hospital', 'definition', 'step')


def upgrade() -> None:
    op.create_table(
        'statistics_period_totals',
        sa.Column('id', ID, nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('claim_type', sa.String(length=32), nullable=False),
        sa.Column('township', sa.String(length=64), nullable=False),
        sa.Column('village', sa.String(length=64), nullable=False),
        sa.Column('hospital', sa.String(length=255), nullable=False),
        sa.Column('definition', sa.String(length=64), nullable=False),
        sa.Column('step', sa.String(length=64), nullable=False),
        *[sa.Column(name, sa.BigInteger(), nullable=False)
          for name in ('count', 'flagged', 'paid_fen', 'cost_fen', 'costed', 'self_funded_fen')],
        sa.Column('seconds_sum', sa.Float(), nullable=False),
        sa.Column('seconds_max', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(*KEYS, name='uq_statistics_period_totals_key'),
    )
    op.create_table(
        'statistics_members',
        sa.Column('id', ID, nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('township', sa.String(length=64), nullable=False),
        sa.Column('member', sa.String(length=64), nullable=False),
        sa.Column('facts', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('period', 'kind', 'township', 'member', name='uq_statistics_members_key'),
    )
    op.create_table(
        'statistics_distinct_counts',
        sa.Column('id', ID, nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('township', sa.String(length=64), nullable=False),
        sa.Column('members', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('period', 'kind', 'township', name='uq_statistics_distinct_counts_key'),
    )
    # Counted from the facts by `archive init` (and restore) after upgrading
    # (archive.statistics.totals.count_if_never_counted): this migration stays plain DDL.


def downgrade() -> None:
    op.drop_table('statistics_distinct_counts')
    op.drop_table('statistics_members')
    op.drop_table('statistics_period_totals')
