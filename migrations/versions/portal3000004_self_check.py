"""enterprise self-checks (企业自查) against the industry's checklist

Revision ID: portal3000004
Revises: portal3000003

One new table; no existing row changes.
"""
import sqlalchemy as sa
from alembic import op

revision = "portal3000004"
down_revision = "portal3000003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "self_check",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", name="fk_self_check_enterprise_id_enterprise"), nullable=False),
        sa.Column("revision_id", sa.Integer(), sa.ForeignKey("checklist_revision.id", name="fk_self_check_revision_id_checklist_revision"), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_self_check_enterprise_id", "self_check", ["enterprise_id"])


def downgrade():
    op.drop_index("ix_self_check_enterprise_id", table_name="self_check")
    op.drop_table("self_check")
