"""web dashboard: one-time sign-in links sent in chat, and signed-in browser sessions

Both store only a SHA-256 of the secret; rows go with the person (ON DELETE CASCADE).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 10:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table, secret in (("dashboard_links", "token_hash"), ("dashboard_sessions", "session_hash")):
        columns = [
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column(secret, sa.String(length=64), nullable=False),
            sa.Column('person_id', sa.Integer(), nullable=False),
            sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        ]
        if table == "dashboard_links":
            columns.append(sa.Column('used_at', sa.DateTime(timezone=True), nullable=True))
        op.create_table(table, *columns,
                        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
                        sa.PrimaryKeyConstraint('id'),
                        sa.UniqueConstraint(secret))
        op.create_index(f'ix_{table}_person_id', table, ['person_id'])


def downgrade() -> None:
    op.drop_table('dashboard_sessions')
    op.drop_table('dashboard_links')
