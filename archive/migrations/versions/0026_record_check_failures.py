"""record check failures: the cases whose latest four-property check failed, from the trail

Revision ID: 0026
Revises: 0024
Create Date: 2026-12-06 01:40:00
"""
import json

import sqlalchemy as sa
from alembic import op

from archive.models.types import UTCDateTime

revision = '0026'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        'record_check_failures',
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('checked_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('case_id'),
    )
    # Reports kept before this table: each case's latest one, if it failed, stands as a failure.
    bind = op.get_bind()
    latest = {}
    events = sa.table('audit_events', sa.column('id'), sa.column('action'), sa.column('target_type'),
                      sa.column('target_id'), sa.column('occurred_at', UTCDateTime()),
                      sa.column('details', sa.JSON()))
    cases = sa.table('cases', sa.column('id'), sa.column('case_no'))
    rows = bind.execute(
        sa.select(events.c.id, cases.c.id, events.c.occurred_at, events.c.details)
        .join(cases, cases.c.case_no == events.c.target_id)
        .where(events.c.action == 'records.four_properties', events.c.target_type == 'case')
        .order_by(events.c.id))
    for event_id, case_id, occurred_at, details in rows:
        latest[case_id] = (event_id, occurred_at, details)
    standing = []
    for case_id, (event_id, occurred_at, details) in latest.items():
        details = json.loads(details) if isinstance(details, str) else details
        if details.get("passed", True) is False:
            failed = sum(1 for f in details.get("findings", []) if f.get("ok") is False)
            standing.append({"case_id": case_id, "event_id": event_id, "failures": failed,
                             "checked_at": occurred_at})
    if standing:
        op.bulk_insert(table, standing)


def downgrade() -> None:
    op.drop_table('record_check_failures')
