"""themed actions (专项/板块): a campaign's scope over several industries, areas and a time window; named areas
they reuse; per-region rules for departments' invitations (要约) to joint actions

Revision ID: kinds0000001
Revises: portal3000005

Three new tables; no existing row changes.
"""
import sqlalchemy as sa
from alembic import op

revision = "kinds0000001"
down_revision = "orgfix0000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "themed_action",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id", name="fk_themed_action_campaign_id_campaign"), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("industry_ids", sa.JSON(), nullable=False),
        sa.Column("region_ids", sa.JSON(), nullable=False),
        sa.Column("area_name", sa.String(length=100), nullable=True),
        sa.Column("address_patterns", sa.JSON(), nullable=False),
        sa.Column("checklist_revision_ids", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_themed_action_created_by_id_user_account"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("campaign_id", name="uq_themed_action_campaign_id"),
        sa.UniqueConstraint("code", name="uq_themed_action_code"),
    )
    op.create_table(
        "named_area",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("region_id", sa.Integer(), sa.ForeignKey("region.id", name="fk_named_area_region_id_region"), nullable=False),
        sa.Column("region_ids", sa.JSON(), nullable=False),
        sa.Column("address_patterns", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_named_area_created_by_id_user_account"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_named_area_region_id", "named_area", ["region_id"])
    op.create_table(
        "invitation_rule",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("region_id", sa.Integer(), sa.ForeignKey("region.id", name="fk_invitation_rule_region_id_region"), nullable=False),
        sa.Column("approval_required", sa.Boolean(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_invitation_rule_set_by_id_user_account"), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("region_id", name="uq_invitation_rule_region_id"),
    )


def downgrade():
    op.drop_table("invitation_rule")
    op.drop_index("ix_named_area_region_id", table_name="named_area")
    op.drop_table("named_area")
    op.drop_table("themed_action")
