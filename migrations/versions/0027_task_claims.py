"""task queue: a delivery's claim names the task holding it, and says when its work was done

A task redelivered after its worker died holds the claims in its own name and may finish the work; any other
delivery of the same event is still a duplicate. ``done_at`` marks the reply sent, so a redelivery after that
sends nothing.

Revision ID: 0027
Revises: 0018
Create Date: 2026-12-04 00:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0027'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('processed_events') as batch:
        batch.add_column(sa.Column('holder', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('done_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('processed_events') as batch:
        batch.drop_column('done_at')
        batch.drop_column('holder')
