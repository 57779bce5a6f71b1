"""privacy: erasure jobs, audit pseudonyms, whose conversation, the retention purge's last run

- ``erasure_jobs``: one approved erasure carried out in steps, each finished step recorded (resumable).
- ``audit_events.subject_ref`` / ``actor_ref``: the keyed pseudonym an erased person's audit entries keep.
- ``conversation_state.person_id``: whose conversation it is (export and erasure find it; deleted with them).
- ``maintenance_runs``: the last run of a periodic job, claimed with a conditional update.

Revision ID: 0005
Revises: 0009
Create Date: 2026-12-02 14:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'erasure_jobs',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('proposal_id', sa.Integer(), sa.ForeignKey('proposals.id', ondelete='SET NULL'), nullable=True),
        sa.Column('person_id', sa.Integer(), sa.ForeignKey('people.id', ondelete='SET NULL'), nullable=True),
        sa.Column('pseudonym', sa.String(length=64), nullable=False),
        sa.Column('requested_by', sa.Integer(), sa.ForeignKey('people.id', ondelete='SET NULL'), nullable=True),
        sa.Column('approved_by', sa.Integer(), sa.ForeignKey('people.id', ondelete='SET NULL'), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('steps', sa.JSON(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint('proposal_id'),
    )
    op.create_index('ix_erasure_jobs_person_id', 'erasure_jobs', ['person_id'])
    op.create_table(
        'maintenance_runs',
        sa.Column('name', sa.String(length=40), primary_key=True),
        sa.Column('last_run_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('rows_purged', sa.Integer(), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
    )
    with op.batch_alter_table('audit_events') as batch:
        batch.add_column(sa.Column('subject_ref', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('actor_ref', sa.String(length=64), nullable=True))
        batch.create_index('ix_audit_events_subject_ref', ['subject_ref'])
    with op.batch_alter_table('conversation_state') as batch:
        batch.add_column(sa.Column('person_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_conversation_state_person', 'people', ['person_id'], ['id'], ondelete='CASCADE')
        batch.create_index('ix_conversation_state_person_id', ['person_id'])


def downgrade() -> None:
    with op.batch_alter_table('conversation_state') as batch:
        batch.drop_index('ix_conversation_state_person_id')
        batch.drop_constraint('fk_conversation_state_person', type_='foreignkey')
        batch.drop_column('person_id')
    with op.batch_alter_table('audit_events') as batch:
        batch.drop_index('ix_audit_events_subject_ref')
        batch.drop_column('actor_ref')
        batch.drop_column('subject_ref')
    op.drop_table('maintenance_runs')
    op.drop_index('ix_erasure_jobs_person_id', table_name='erasure_jobs')
    op.drop_table('erasure_jobs')
