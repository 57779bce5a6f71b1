"""privacy: a person's opt-outs (inference from activity, being surfaced to others); rate limiting: one token
bucket per chat sender, kept in the database so that every web process sees the same one

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-02 14:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'privacy_preferences',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('opt_out_inference', sa.Boolean(), nullable=False),
        sa.Column('opt_out_surfacing', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id'),
    )
    op.create_table(
        'rate_buckets',
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('tokens', sa.Float(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('rate_buckets')
    op.drop_table('privacy_preferences')
