"""encryption at rest: encrypted columns become text, and key rotation keeps its progress

Personal free text is stored as Fernet ciphertext from now on (storage/encryption.py). The columns that were
JSON become TEXT (ciphertext is text); the others were TEXT already and only change in what they hold. Rows written
before this migration stay as they are and read as legacy plaintext until `python app.py keys rotate` encrypts them.

SQLite does not enforce declared column types and keeps JSON as text already, so only PostgreSQL's columns change
type (rebuilding SQLite tables for a declaration would buy nothing).

Downgrade turns the columns back into JSON: it works only while they hold plaintext, i.e. before any rotation
and before any encrypted write. Revert with a backup otherwise.

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-02 14:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None

JSON_TO_TEXT = (('conversation_state', 'data'), ('audit_events', 'detail'), ('decisions', 'changes'))


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table, column in JSON_TO_TEXT:
            op.alter_column(table, column, type_=sa.Text(), existing_type=sa.JSON(),
                            postgresql_using=f'{column}::text')
    op.create_table(
        'key_rotations',
        sa.Column('table_name', sa.String(length=64), nullable=False),
        sa.Column('column_name', sa.String(length=64), nullable=False),
        sa.Column('target_key_id', sa.String(length=16), nullable=False),
        sa.Column('last_key', sa.String(length=300), nullable=True),
        sa.Column('rows_seen', sa.Integer(), nullable=False),
        sa.Column('rows_changed', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('table_name', 'column_name'),
    )


def downgrade() -> None:
    op.drop_table('key_rotations')
    if op.get_bind().dialect.name == 'postgresql':
        for table, column in JSON_TO_TEXT:
            op.alter_column(table, column, type_=sa.JSON(), existing_type=sa.Text(),
                            postgresql_using=f'{column}::json')
