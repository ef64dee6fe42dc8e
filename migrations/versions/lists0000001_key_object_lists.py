"""key-object lists (重点监管对象名录库) with history, campaigns drawing from them; complaints (投诉举报)

Revision ID: lists0000001
Revises: portal3000005

New tables, and inspection.selection (every existing inspection came from a draw: "random").
"""
import sqlalchemy as sa
from alembic import op

revision = "lists0000001"
down_revision = "portal3000005"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str):
    return sa.ForeignKey(f"{target}.id", name=f"fk_{table}_{column}_{target}")


def upgrade():
    op.create_table(
        "key_list",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("department_id", sa.Integer(), _fk("key_list", "department_id", "department"), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), _fk("key_list", "created_by_id", "user_account"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_key_list_department_id", "key_list", ["department_id"])
    op.create_table(
        "key_list_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key_list_id", sa.Integer(), _fk("key_list_entry", "key_list_id", "key_list"), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), _fk("key_list_entry", "enterprise_id", "enterprise"), nullable=False),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("added_reason", sa.String(300), nullable=False),
        sa.Column("added_by_id", sa.Integer(), _fk("key_list_entry", "added_by_id", "user_account"), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("removed_reason", sa.String(300), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), _fk("key_list_entry", "removed_by_id", "user_account"), nullable=True),
    )
    op.create_index("ix_key_list_entry_list_open", "key_list_entry", ["key_list_id", "removed_on"])
    op.create_index("ix_key_list_entry_enterprise_id", "key_list_entry", ["enterprise_id"])
    op.create_table(
        "campaign_key_list",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), _fk("campaign_key_list", "campaign_id", "campaign"), nullable=False),
        sa.Column("key_list_id", sa.Integer(), _fk("campaign_key_list", "key_list_id", "key_list"), nullable=False),
        sa.Column("ratio", sa.String(10), nullable=True),
        sa.Column("attached_by_id", sa.Integer(), _fk("campaign_key_list", "attached_by_id", "user_account"),
                  nullable=False),
        sa.Column("attached_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("campaign_id", "key_list_id", name="uq_campaign_key_list_campaign_id"),
    )
    op.create_index("ix_campaign_key_list_campaign_id", "campaign_key_list", ["campaign_id"])
    with op.batch_alter_table("inspection") as batch:
        batch.add_column(sa.Column("selection", sa.String(10), nullable=False, server_default="random"))
    _complaints()


def _complaints():
    op.create_table(
        "complaint",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(30), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), _fk("complaint", "enterprise_id", "enterprise"), nullable=False),
        sa.Column("department_id", sa.Integer(), _fk("complaint", "department_id", "department"), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("complainant", sa.String(100), nullable=True),
        sa.Column("contact", sa.String(100), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("triage_due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("registered_by_id", sa.Integer(), _fk("complaint", "registered_by_id", "user_account"), nullable=False),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("escalated_at", sa.DateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), _fk("complaint", "decided_by_id", "user_account"), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("referred_to_id", sa.Integer(), _fk("complaint", "referred_to_id", "department"), nullable=True),
        sa.Column("inspection_id", sa.Integer(), _fk("complaint", "inspection_id", "inspection"), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_by_id", sa.Integer(), _fk("complaint", "replied_by_id", "user_account"), nullable=True),
        sa.Column("replied_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("code", name="uq_complaint_code"),
    )
    op.create_index("ix_complaint_enterprise_id", "complaint", ["enterprise_id"])
    op.create_index("ix_complaint_department_id", "complaint", ["department_id"])
    op.create_index("ix_complaint_status", "complaint", ["status"])
    op.create_table(
        "complaint_matter",
        sa.Column("complaint_id", sa.Integer(), _fk("complaint_matter", "complaint_id", "complaint"), primary_key=True),
        sa.Column("matter_id", sa.Integer(), _fk("complaint_matter", "matter_id", "matter"), primary_key=True),
    )
    op.create_table(
        "complaint_attachment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("complaint_id", sa.Integer(), _fk("complaint_attachment", "complaint_id", "complaint"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(40), nullable=False),
        sa.Column("original_name", sa.String(200), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), _fk("complaint_attachment", "uploaded_by_id", "user_account"),
                  nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_complaint_attachment_complaint_id", "complaint_attachment", ["complaint_id"])


def downgrade():
    op.drop_index("ix_complaint_attachment_complaint_id", table_name="complaint_attachment")
    op.drop_table("complaint_attachment")
    op.drop_table("complaint_matter")
    for index in ("ix_complaint_status", "ix_complaint_department_id", "ix_complaint_enterprise_id"):
        op.drop_index(index, table_name="complaint")
    op.drop_table("complaint")
    with op.batch_alter_table("inspection") as batch:
        batch.drop_column("selection")
    op.drop_index("ix_campaign_key_list_campaign_id", table_name="campaign_key_list")
    op.drop_table("campaign_key_list")
    op.drop_index("ix_key_list_entry_enterprise_id", table_name="key_list_entry")
    op.drop_index("ix_key_list_entry_list_open", table_name="key_list_entry")
    op.drop_table("key_list_entry")
    op.drop_index("ix_key_list_department_id", table_name="key_list")
    op.drop_table("key_list")
