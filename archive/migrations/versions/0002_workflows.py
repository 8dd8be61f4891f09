"""sign-off chains: workflow instances, immutable sign-offs, the case fields chains route on

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:19:08.378214
"""
import sqlalchemy as sa
from alembic import op

import archive.models.types

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workflow_instances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('definition', sa.String(length=64), nullable=False),
    sa.Column('definition_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('current_step', sa.String(length=64), nullable=True),
    sa.Column('current_role', sa.String(length=32), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('signed', sa.JSON(), nullable=False),
    sa.Column('started_at', archive.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('step_started_at', archive.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('chain_due_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('calendar_estimated', sa.Boolean(), nullable=False),
    sa.Column('missing', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('finished_at', archive.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'definition', name='uq_workflow_case_definition')
    )
    with op.batch_alter_table('workflow_instances', schema=None) as batch_op:
        batch_op.create_index('ix_workflow_queue', ['status', 'current_role', 'due_on'], unique=False)

    op.create_table('sign_offs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('signer_id', sa.Integer(), nullable=False),
    sa.Column('signer_name', sa.String(length=128), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=True),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('missing', sa.JSON(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_at', archive.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['instance_id'], ['workflow_instances.id'], ),
    sa.ForeignKeyConstraint(['signer_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('instance_id', 'seq', name='uq_sign_off_instance_seq')
    )
    with op.batch_alter_table('sign_offs', schema=None) as batch_op:
        batch_op.create_index('ix_sign_offs_case_signer', ['case_id', 'signer_id'], unique=False)

    # Plain ADD COLUMN (not batch): SQLite supports it, and rebuilding `cases` would trip the
    # foreign keys of existing documents. Defaults fill the rows already there.
    op.add_column('cases', sa.Column('amount_fen', sa.BigInteger(), nullable=True))
    op.add_column('cases', sa.Column('out_of_county', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column('cases', sa.Column('designated_provider', sa.Boolean(), nullable=False,
                                     server_default=sa.true()))

    # A sign-off is a signature: refuse changes in the database itself, whoever connects.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION sign_offs_immutable() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'sign_offs are immutable (% refused)', TG_OP;
            END;
            $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER sign_offs_no_change BEFORE UPDATE OR DELETE ON sign_offs
                      FOR EACH ROW EXECUTE FUNCTION sign_offs_immutable()""")
        op.execute("""CREATE TRIGGER sign_offs_no_truncate BEFORE TRUNCATE ON sign_offs
                      FOR EACH STATEMENT EXECUTE FUNCTION sign_offs_immutable()""")
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER sign_offs_no_{operation.lower()}
                           BEFORE {operation} ON sign_offs
                           BEGIN SELECT RAISE(ABORT, 'sign_offs are immutable'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER sign_offs_no_change ON sign_offs")
        op.execute("DROP TRIGGER sign_offs_no_truncate ON sign_offs")
        op.execute("DROP FUNCTION sign_offs_immutable()")
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('designated_provider')
        batch_op.drop_column('out_of_county')
        batch_op.drop_column('amount_fen')

    with op.batch_alter_table('sign_offs', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_offs_case_signer')

    op.drop_table('sign_offs')
    with op.batch_alter_table('workflow_instances', schema=None) as batch_op:
        batch_op.drop_index('ix_workflow_queue')

    op.drop_table('workflow_instances')
