"""audit chain: keyed detail digests, a hash chain sealed off the hot path, and erasure marks

``audit_events.detail_digest``: HMAC-SHA256 of the entry's canonical detail, made at insert before encryption.
``audit_events.chain_seq`` / ``row_hash``: given by the sealer (``storage.audit_chain``); unique seq.
``audit_events.redacted_by_job``: the erasure job that scrubbed the entry's detail.

Rows written before this revision stay unsealed with empty digests and refs: the first seal computes them from
the detail and ids as they are then (docs/audit.md).

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-02 16:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_events') as batch:
        batch.add_column(sa.Column('detail_digest', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('chain_seq', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('row_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('redacted_by_job', sa.Integer(), nullable=True))
        batch.create_unique_constraint('uq_audit_events_chain_seq', ['chain_seq'])


def downgrade() -> None:
    with op.batch_alter_table('audit_events') as batch:
        batch.drop_constraint('uq_audit_events_chain_seq', type_='unique')
        batch.drop_column('redacted_by_job')
        batch.drop_column('row_hash')
        batch.drop_column('chain_seq')
        batch.drop_column('detail_digest')
