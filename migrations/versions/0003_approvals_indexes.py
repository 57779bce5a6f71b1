"""approvals: index the audit trail by object, and people by lower(email)

One proposal's audit trail (`/ladder audit proposal 12`, the executor's idempotence checks) and
finding the person behind every click by email (`lower(email) = ?`) no longer scan their tables.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-28 05:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_events_object', 'audit_events', ['object_type', 'object_id'], unique=False)
    op.create_index('ix_people_email_lower', 'people', [sa.text('lower(email)')], unique=False)


def downgrade() -> None:
    op.drop_index('ix_people_email_lower', table_name='people')
    op.drop_index('ix_audit_events_object', table_name='audit_events')
