"""per-region process deployments (process_definition.region_id); department seed contributions of draws;
evidence files of enterprise objections

Revision ID: orgfix0000001
Revises: portal3000005

A nullable column: every existing version stays the platform's (region NULL), so running and new instances
behave as before until a designer deploys for a region. Two new tables (seed_contribution, objection_evidence);
no existing row changes.
"""
import sqlalchemy as sa
from alembic import op

revision = "orgfix0000001"
down_revision = "docs00000002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("process_definition", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_process_definition_region_id", ["region_id"])
        batch_op.create_foreign_key("fk_process_definition_region_id_region", "region", ["region_id"], ["id"])
    op.create_table(
        "seed_contribution",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id", name="fk_seed_contribution_campaign_id_campaign"), nullable=False),
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("department.id", name="fk_seed_contribution_department_id_department"), nullable=False),
        sa.Column("commitment", sa.String(64), nullable=False),
        sa.Column("committed_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_seed_contribution_committed_by_id_user_account"), nullable=False),
        sa.Column("committed_at", sa.DateTime(), nullable=False),
        sa.Column("value", sa.String(200), nullable=True),
        sa.Column("revealed_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_seed_contribution_revealed_by_id_user_account"), nullable=True),
        sa.Column("revealed_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("campaign_id", "department_id", name="uq_seed_contribution_campaign_id"),
    )
    op.create_index("ix_seed_contribution_campaign_id", "seed_contribution", ["campaign_id"])
    op.create_table(
        "objection_evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("objection_id", sa.Integer(), sa.ForeignKey("objection.id", name="fk_objection_evidence_objection_id_objection"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(40), nullable=False),
        sa.Column("original_name", sa.String(200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_objection_evidence_objection_id", "objection_evidence", ["objection_id"])


def downgrade():
    op.drop_index("ix_objection_evidence_objection_id", table_name="objection_evidence")
    op.drop_table("objection_evidence")
    op.drop_index("ix_seed_contribution_campaign_id", table_name="seed_contribution")
    op.drop_table("seed_contribution")
    with op.batch_alter_table("process_definition", schema=None) as batch_op:
        batch_op.drop_constraint("fk_process_definition_region_id_region", type_="foreignkey")
        batch_op.drop_index("ix_process_definition_region_id")
        batch_op.drop_column("region_id")
