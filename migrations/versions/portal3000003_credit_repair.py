"""credit repair applications (信用修复) and their decisions

Revision ID: portal3000003
Revises: portal3000002

One new table; no existing row changes.
"""
import sqlalchemy as sa
from alembic import op

revision = "portal3000003"
down_revision = "portal3000002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "credit_repair",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", name="fk_credit_repair_enterprise_id_enterprise"), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), sa.ForeignKey("follow_up.id", name="fk_credit_repair_follow_up_id_follow_up"), nullable=False),
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("department.id", name="fk_credit_repair_department_id_department"), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_credit_repair_decided_by_id_user_account"), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
    )
    for column in ("enterprise_id", "follow_up_id", "department_id"):
        op.create_index(f"ix_credit_repair_{column}", "credit_repair", [column])


def downgrade():
    for column in ("department_id", "follow_up_id", "enterprise_id"):
        op.drop_index(f"ix_credit_repair_{column}", table_name="credit_repair")
    op.drop_table("credit_repair")
