"""digests: each person's time zone and quiet hours, admins' schedules, opt-in subscriptions, and one row per
digest sent (kind, person, period) under a unique key, claimed before sending

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-02 19:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('people') as batch:
        batch.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('quiet_hours', sa.String(length=16), nullable=True))
    op.create_table(
        'digest_schedules',
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('weekday', sa.Integer(), nullable=True),
        sa.Column('local_time', sa.String(length=5), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['updated_by'], ['people.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('kind'),
    )
    op.create_table(
        'digest_subscriptions',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id', 'kind'),
    )
    op.create_table(
        'digest_runs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('period_key', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('claimed_by', sa.String(length=120), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'person_id', 'period_key', name='uq_digest_runs_kind_person_period'),
    )
    op.create_index('ix_digest_runs_person_id', 'digest_runs', ['person_id'])
    op.create_index('ix_digest_runs_status', 'digest_runs', ['status'])


def downgrade() -> None:
    op.drop_index('ix_digest_runs_status', table_name='digest_runs')
    op.drop_index('ix_digest_runs_person_id', table_name='digest_runs')
    op.drop_table('digest_runs')
    op.drop_table('digest_subscriptions')
    op.drop_table('digest_schedules')
    with op.batch_alter_table('people') as batch:
        batch.drop_column('quiet_hours')
        batch.drop_column('time_zone')
