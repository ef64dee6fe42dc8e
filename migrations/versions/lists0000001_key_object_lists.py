"""key-object lists (重点监管对象名录库), their membership history, and campaigns drawing from them

Revision ID: lists0000001
Revises: portal3000005

New tables only; no existing row changes.
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
        sa.Column("attached_by_id", sa.Integer(), _fk("campaign_key_list", "attached_by_id", "user_account"),
                  nullable=False),
        sa.Column("attached_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("campaign_id", "key_list_id", name="uq_campaign_key_list_campaign_id"),
    )
    op.create_index("ix_campaign_key_list_campaign_id", "campaign_key_list", ["campaign_id"])


def downgrade():
    op.drop_index("ix_campaign_key_list_campaign_id", table_name="campaign_key_list")
    op.drop_table("campaign_key_list")
    op.drop_index("ix_key_list_entry_enterprise_id", table_name="key_list_entry")
    op.drop_index("ix_key_list_entry_list_open", table_name="key_list_entry")
    op.drop_table("key_list_entry")
    op.drop_index("ix_key_list_department_id", table_name="key_list")
    op.drop_table("key_list")
