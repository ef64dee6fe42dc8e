"""process versions carry the designer's change note (变更说明), asked for on deploy

Revision ID: screens00003
Revises: screens00002

One nullable column; versions deployed before keep NULL (shown as "未填写").
"""
import sqlalchemy as sa
from alembic import op

revision = 'screens00003'
down_revision = 'screens00002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("process_definition") as batch:
        batch.add_column(sa.Column("change_note", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("process_definition") as batch:
        batch.drop_column("change_note")
