"""HR, performance and KPI data: leavers, effective-dated role changes, ratings per period, team KPIs per month

``people`` gains ``external_id`` (the HRIS's id, unique), ``leave_date`` and ``leave_reason``.
``role_changes``: one effective-dated change of role / team / manager per person and date, applied when its date
comes. ``performance_ratings``: one rating per person and review period. ``team_kpis``: one value per team, KPI
name and month. The HRIS import and SCIM write them; outcome analytics read them.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 21:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch rebuild: rebuilding `people` on SQLite would drop it, and with foreign keys
    # on that cascades into every table that refers to a person.
    op.add_column('people', sa.Column('external_id', sa.String(length=120), nullable=True))
    op.add_column('people', sa.Column('leave_date', sa.Date(), nullable=True))
    op.add_column('people', sa.Column('leave_reason', sa.String(length=20), nullable=True))
    op.create_index('ix_people_external_id', 'people', ['external_id'], unique=True)
    op.create_table(
        'role_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('effective_date', sa.Date(), nullable=False),
        sa.Column('role_id', sa.Integer(), nullable=True),
        sa.Column('team_id', sa.Integer(), nullable=True),
        sa.Column('manager_id', sa.Integer(), nullable=True),
        sa.Column('job_title', sa.String(length=200), nullable=True),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('applied_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['role_id'], ['occupations.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['manager_id'], ['people.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('person_id', 'effective_date', name='uq_role_changes_person_date'),
    )
    with op.batch_alter_table('role_changes') as batch_op:
        batch_op.create_index(batch_op.f('ix_role_changes_person_id'), ['person_id'], unique=False)
    op.create_table(
        'performance_ratings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('rating', sa.Float(), nullable=False),
        sa.Column('scale_max', sa.Float(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('person_id', 'period', name='uq_performance_ratings_person_period'),
    )
    with op.batch_alter_table('performance_ratings') as batch_op:
        batch_op.create_index(batch_op.f('ix_performance_ratings_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_performance_ratings_period_end'), ['period_end'], unique=False)
    op.create_table(
        'team_kpis',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('unit', sa.String(length=20), nullable=True),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('team_id', 'name', 'month', name='uq_team_kpis_team_name_month'),
    )
    with op.batch_alter_table('team_kpis') as batch_op:
        batch_op.create_index(batch_op.f('ix_team_kpis_team_id'), ['team_id'], unique=False)


def downgrade() -> None:
    op.drop_table('team_kpis')
    op.drop_table('performance_ratings')
    op.drop_table('role_changes')
    op.drop_index('ix_people_external_id', table_name='people')
    with op.batch_alter_table('people') as batch_op:  # SQLite before 3.35 cannot drop a column in place
        batch_op.drop_column('leave_reason')
        batch_op.drop_column('leave_date')
        batch_op.drop_column('external_id')
