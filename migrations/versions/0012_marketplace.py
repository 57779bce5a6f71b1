"""marketplace: opportunity drafts and their posting, applications with a note, blind shortlists and placements

``opportunities`` gains ``duration_weeks``, ``created_by``, ``posted_at`` and ``closed_at``; its ``status`` also
takes ``draft`` and ``discarded`` (a string column, no type change). ``opportunity_applications``: one row per person
and opportunity, with their note to the owner (encrypted personal text), the status (applied → shortlisted →
proposed → placed, or declined / withdrawn), when the owner's shortlisting revealed their name, the staffing
proposal their manager decides, and the approved hours.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-02 18:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('opportunities') as batch:
        batch.add_column(sa.Column('duration_weeks', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('created_by', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('posted_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key('fk_opportunities_created_by', 'people', ['created_by'], ['id'], ondelete='SET NULL')
    op.create_table(
        'opportunity_applications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('opportunity_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('status', sa.String(length=32), nullable=False),
        sa.Column('fit', sa.Float(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revealed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('proposal_id', sa.Integer(), nullable=True),
        sa.Column('placed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('hours_per_week', sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(['opportunity_id'], ['opportunities.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('opportunity_id', 'person_id', name='uq_application_once'),
    )
    op.create_index('ix_opportunity_applications_opportunity_id', 'opportunity_applications', ['opportunity_id'])
    op.create_index('ix_opportunity_applications_person_id', 'opportunity_applications', ['person_id'])
    op.create_index('ix_opportunity_skills_skill', 'opportunity_skills', ['skill_id'])


def downgrade() -> None:
    op.drop_index('ix_opportunity_skills_skill', table_name='opportunity_skills')
    op.drop_table('opportunity_applications')
    with op.batch_alter_table('opportunities') as batch:
        batch.drop_constraint('fk_opportunities_created_by', type_='foreignkey')
        batch.drop_column('closed_at')
        batch.drop_column('posted_at')
        batch.drop_column('created_by')
        batch.drop_column('duration_weeks')
