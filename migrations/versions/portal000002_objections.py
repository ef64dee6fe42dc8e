"""enterprise objections (异议/申诉) to published results

Revision ID: portal000002
Revises: portal000001
"""
import sqlalchemy as sa
from alembic import op

revision = "portal000002"
down_revision = "portal000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "objection",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("inspection.id", name="fk_objection_inspection_id_inspection"), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", name="fk_objection_enterprise_id_enterprise"), nullable=False),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id", name="fk_objection_campaign_id_campaign"), nullable=False),
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("department.id", name="fk_objection_department_id_department"), nullable=False),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="open"),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("instance_id", sa.Integer(), sa.ForeignKey("workflow_instance.id", name="fk_objection_instance_id_workflow_instance"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_objection_decided_by_id_user_account"), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
    )
    op.create_index("ix_objection_inspection_id", "objection", ["inspection_id"])
    op.create_index("ix_objection_enterprise_id", "objection", ["enterprise_id"])
    op.create_index("ix_objection_campaign_id", "objection", ["campaign_id"])


def downgrade():
    op.drop_index("ix_objection_campaign_id", table_name="objection")
    op.drop_index("ix_objection_enterprise_id", table_name="objection")
    op.drop_index("ix_objection_inspection_id", table_name="objection")
    op.drop_table("objection")
