"""per-region process deployments (process_definition.region_id)

Revision ID: orgfix0000001
Revises: portal3000005

A nullable column: every existing version stays the platform's (region NULL), so running and new instances
behave as before until a designer deploys for a region.
"""
import sqlalchemy as sa
from alembic import op

revision = "orgfix0000001"
down_revision = "portal3000005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("process_definition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_process_definition_region_id", ["region_id"])
        batch_op.create_foreign_key("fk_process_definition_region_id_region", "region", ["region_id"], ["id"])


def downgrade():
    with op.batch_alter_table("process_definition", schema=None) as batch_op:
        batch_op.drop_constraint("fk_process_definition_region_id_region", type_="foreignkey")
        batch_op.drop_index("ix_process_definition_region_id")
        batch_op.drop_column("region_id")
