"""skill-gap forecasting: the monthly history per team and skill

``skill_monthly``: per month, team and skill — supply at level, learning pipeline, demand; unique per
(month, team, skill).

Revision ID: 0018
Revises: 0019
Create Date: 2026-12-03 11:35:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'skill_monthly',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('team_id', sa.Integer(), nullable=False),
        sa.Column('skill_id', sa.Integer(), nullable=False),
        sa.Column('supply', sa.Float(), nullable=False),
        sa.Column('pipeline', sa.Float(), nullable=False),
        sa.Column('demand', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['team_id'], ['teams.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('month', 'team_id', 'skill_id', name='uq_skill_monthly'),
    )
    op.create_index('ix_skill_monthly_team_id', 'skill_monthly', ['team_id'])


def downgrade() -> None:
    op.drop_index('ix_skill_monthly_team_id', table_name='skill_monthly')
    op.drop_table('skill_monthly')
