"""agent: a lease row per named pass (one agent pass at a time across processes), and opportunity capacity

``agent_leases``: the process holding a name (``agent pass``) writes its id and an expiry; another process
finds the row unexpired and skips. A holder that crashed stops renewing, so its lease expires by itself.
Works the same on SQLite and PostgreSQL.

``opportunities.capacity``: how many people an opportunity takes (NULL: no stated limit); the agent's
stretch-assignment rule recommends no more people than the places left.

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02 14:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'agent_leases',
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('holder', sa.String(length=120), nullable=False),
        sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    with op.batch_alter_table('opportunities') as batch:
        batch.add_column(sa.Column('capacity', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('opportunities') as batch:
        batch.drop_column('capacity')
    op.drop_table('agent_leases')
