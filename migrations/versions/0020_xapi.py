"""learning records in (xAPI 1.0.3): LMS clients, stored statements, activity → course mappings

``lms_clients``: who may post statements (HTTP Basic key and a hashed secret). ``xapi_statements``: each statement
once (unique statement id), its body encrypted, what it changed. ``xapi_activity_courses``: activity id → course.

Revision ID: 0020
Revises: 0026
Create Date: 2026-12-03 10:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lms_clients',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('secret_hash', sa.String(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
        sa.UniqueConstraint('key'),
    )
    op.create_table(
        'xapi_statements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.String(length=36), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('actor_hash', sa.String(length=64), nullable=True),
        sa.Column('verb_id', sa.String(length=500), nullable=False),
        sa.Column('activity_id', sa.String(length=500), nullable=True),
        sa.Column('stored', sa.DateTime(timezone=True), nullable=False),
        sa.Column('voided', sa.Boolean(), nullable=False),
        sa.Column('voids', sa.String(length=36), nullable=True),
        sa.Column('ref_id', sa.String(length=36), nullable=True),
        sa.Column('registration', sa.String(length=36), nullable=True),
        sa.Column('client_id', sa.Integer(), nullable=True),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('effects', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['lms_clients.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('statement_id'),
    )
    op.create_index('ix_xapi_statements_actor_hash', 'xapi_statements', ['actor_hash'])
    op.create_index('ix_xapi_statements_stored', 'xapi_statements', ['stored'])
    op.create_index('ix_xapi_statements_person_id', 'xapi_statements', ['person_id'])
    op.create_index('ix_xapi_statements_ref_id', 'xapi_statements', ['ref_id'])
    op.create_index('ix_xapi_statements_registration', 'xapi_statements', ['registration'])
    op.create_table(
        'xapi_activity_courses',
        sa.Column('activity_id', sa.String(length=500), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('activity_id'),
    )


def downgrade() -> None:
    op.drop_table('xapi_activity_courses')
    op.drop_index('ix_xapi_statements_registration', table_name='xapi_statements')
    op.drop_index('ix_xapi_statements_ref_id', table_name='xapi_statements')
    op.drop_index('ix_xapi_statements_person_id', table_name='xapi_statements')
    op.drop_index('ix_xapi_statements_stored', table_name='xapi_statements')
    op.drop_index('ix_xapi_statements_actor_hash', table_name='xapi_statements')
    op.drop_table('xapi_statements')
    op.drop_table('lms_clients')
