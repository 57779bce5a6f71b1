"""course authoring: drafted course outlines and their assessment questions

``course_drafts``: one outline drafted from a document, decided once (approved → a catalogue course, or rejected).
``course_assessments``: its questions, each answer quoted from the source with its location.

Revision ID: 0019
Revises: 0020
Create Date: 2026-12-03 10:55:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'course_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('source_name', sa.String(length=500), nullable=False),
        sa.Column('source_kind', sa.String(length=20), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('outline', sa.JSON(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['people.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by'], ['people.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_course_drafts_status', 'course_drafts', ['status'])
    op.create_table(
        'course_assessments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('prompt', sa.Text(), nullable=False),
        sa.Column('answer', sa.Text(), nullable=False),
        sa.Column('location', sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(['draft_id'], ['course_drafts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_course_assessments_draft_id', 'course_assessments', ['draft_id'])
    op.create_index('ix_course_assessments_course_id', 'course_assessments', ['course_id'])


def downgrade() -> None:
    op.drop_index('ix_course_assessments_course_id', table_name='course_assessments')
    op.drop_index('ix_course_assessments_draft_id', table_name='course_assessments')
    op.drop_table('course_assessments')
    op.drop_index('ix_course_drafts_status', table_name='course_drafts')
    op.drop_table('course_drafts')
