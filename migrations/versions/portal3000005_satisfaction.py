"""enterprise satisfaction ratings of closed inspections, one per inspection

Revision ID: portal3000005
Revises: portal3000004

One new table; no existing row changes.
"""
import sqlalchemy as sa
from alembic import op

revision = "portal3000005"
down_revision = "portal3000004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "satisfaction_rating",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("inspection.id", name="fk_satisfaction_rating_inspection_id_inspection"), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", name="fk_satisfaction_rating_enterprise_id_enterprise"), nullable=False),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id", name="fk_satisfaction_rating_campaign_id_campaign"), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("inspection_id", name="uq_satisfaction_rating_inspection_id"),
    )
    op.create_index("ix_satisfaction_rating_enterprise_id", "satisfaction_rating", ["enterprise_id"])
    op.create_index("ix_satisfaction_rating_campaign_id", "satisfaction_rating", ["campaign_id"])


def downgrade():
    op.drop_index("ix_satisfaction_rating_campaign_id", table_name="satisfaction_rating")
    op.drop_index("ix_satisfaction_rating_enterprise_id", table_name="satisfaction_rating")
    op.drop_table("satisfaction_rating")
