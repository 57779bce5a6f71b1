"""maturity questionnaire: the answers an HR admin gave to what Ladder cannot see for itself

``maturity_answers``: one row per question (yes / no, who, when); answering again replaces it.

Revision ID: 0025
Revises: 0017
Create Date: 2026-12-02 22:25:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'maturity_answers',
        sa.Column('question', sa.String(length=40), nullable=False),
        sa.Column('answer', sa.Boolean(), nullable=False),
        sa.Column('answered_by', sa.Integer(), nullable=True),
        sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['answered_by'], ['people.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('question'),
    )


def downgrade() -> None:
    op.drop_table('maturity_answers')
