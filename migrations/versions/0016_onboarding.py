"""onboarding: one record per new hire, and the mandatory-course policy

``onboardings``: a new hire registered by `/ladder hire`, in chat, or by the HRIS import (one row per person, so
registering them again changes nothing): status, start date, when the welcome went out (claimed once, in the
database), the 30/60/90-day plan's proposal and the mandatory enrolments' proposals.

``mandatory_courses``: which courses every new hire takes (scope ``everyone``), or those hired into one role or one
team (scope ``role`` / ``team`` with its id). Empty by default: no course is mandatory until an admin says so.

Revision ID: 0016
Revises: 0010
Create Date: 2026-12-02 19:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'onboardings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('registered', 'welcomed', 'plan_confirmed', name='onboarding_status', native_enum=False,
                                    length=32), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('role_id', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('registered_by', sa.Integer(), nullable=True),
        sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('announced_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('welcome_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('plan_proposal_id', sa.Integer(), nullable=True),
        sa.Column('enrolment_proposal_ids', sa.JSON(), nullable=False),
        sa.Column('path_course_ids', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['role_id'], ['occupations.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['registered_by'], ['people.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['plan_proposal_id'], ['proposals.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('person_id'),
    )
    with op.batch_alter_table('onboardings') as batch_op:
        batch_op.create_index(batch_op.f('ix_onboardings_start_date'), ['start_date'], unique=False)
    op.create_table(
        'mandatory_courses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.Enum('everyone', 'role', 'team', name='mandatory_scope', native_enum=False, length=32), nullable=False),
        sa.Column('scope_id', sa.Integer(), nullable=False),
        sa.Column('added_by', sa.Integer(), nullable=True),
        sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['added_by'], ['people.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('course_id', 'scope', 'scope_id', name='uq_mandatory_courses'),
    )


def downgrade() -> None:
    op.drop_table('mandatory_courses')
    with op.batch_alter_table('onboardings') as batch_op:
        batch_op.drop_index(batch_op.f('ix_onboardings_start_date'))
    op.drop_table('onboardings')
