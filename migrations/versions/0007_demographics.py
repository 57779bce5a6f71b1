"""governance: the demographics table (HR-only, apart from people) for the bias audit

Sex and race/ethnicity per person, one row each, deleted with the person. The columns are plain strings until the
encrypted column type lands; then only their type changes (``storage.models.DemographicText``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 14:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'demographics',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('sex', sa.Text(), nullable=True),
        sa.Column('race_ethnicity', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('person_id'),
    )


def downgrade() -> None:
    op.drop_table('demographics')
