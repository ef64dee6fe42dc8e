"""会诊 opinions of partner departments and experts; experts' accounts; 首违不罚 per matter; transfers' 移送书号 and outcome; joint cases' 会审

Revision ID: council0000001
Revises: portal3000005

New tables and nullable columns only; no existing row changes.
"""
import sqlalchemy as sa
from alembic import op

revision = "council0000001"
down_revision = "kinds0000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "diagnosis_opinion",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id", name="fk_diagnosis_opinion_campaign_id_campaign"), nullable=False),
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("inspection.id", name="fk_diagnosis_opinion_inspection_id_inspection"), nullable=False),
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("department.id", name="fk_diagnosis_opinion_department_id_department"), nullable=True),
        sa.Column("expert_id", sa.Integer(), sa.ForeignKey("expert.id", name="fk_diagnosis_opinion_expert_id_expert"), nullable=True),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("suggested_handling", sa.String(10), nullable=True),
        sa.Column("signature", sa.String(64), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_diagnosis_opinion_recorded_by_id_user_account"), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_diagnosis_opinion_campaign_id", "diagnosis_opinion", ["campaign_id"])
    op.create_index("ix_diagnosis_opinion_inspection_id", "diagnosis_opinion", ["inspection_id"])
    with op.batch_alter_table("expert") as batch:
        batch.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_expert_user_id_user_account", "user_account", ["user_id"], ["id"])
        batch.create_unique_constraint("uq_expert_user_id", ["user_id"])
    with op.batch_alter_table("matter") as batch:
        batch.add_column(sa.Column("leniency_basis", sa.Text(), nullable=True))
        batch.add_column(sa.Column("leniency_months", sa.Integer(), nullable=True))
    op.create_table(
        "leniency_grant",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", name="fk_leniency_grant_enterprise_id_enterprise"), nullable=False),
        sa.Column("matter_id", sa.Integer(), sa.ForeignKey("matter.id", name="fk_leniency_grant_matter_id_matter"), nullable=False),
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("inspection.id", name="fk_leniency_grant_inspection_id_inspection"), nullable=False),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id", name="fk_leniency_grant_campaign_id_campaign"), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("granted_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_leniency_grant_granted_by_id_user_account"), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_leniency_grant_enterprise_matter", "leniency_grant", ["enterprise_id", "matter_id", "granted_at"])
    op.create_index("ix_leniency_grant_inspection_id", "leniency_grant", ["inspection_id"])
    with op.batch_alter_table("transfer") as batch:
        batch.add_column(sa.Column("transfer_no", sa.String(100), nullable=True))
        batch.add_column(sa.Column("outcome", sa.Text(), nullable=True))
        batch.add_column(sa.Column("outcome_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("enforcement_case") as batch:
        batch.add_column(sa.Column("joint_review_instance_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_enforcement_case_joint_review_instance_id_workflow_instance", "workflow_instance",
                                 ["joint_review_instance_id"], ["id"])
    op.create_table(
        "case_department",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("enforcement_case.id", name="fk_case_department_case_id_enforcement_case"), nullable=False),
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("department.id", name="fk_case_department_department_id_department"), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=True),
        sa.Column("reviewed_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_case_department_reviewed_by_id_user_account"), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.UniqueConstraint("case_id", "department_id", name="uq_case_department_case_id"),
    )
    op.create_index("ix_case_department_case_id", "case_department", ["case_id"])


def downgrade():
    op.drop_index("ix_case_department_case_id", table_name="case_department")
    op.drop_table("case_department")
    with op.batch_alter_table("enforcement_case") as batch:
        batch.drop_constraint("fk_enforcement_case_joint_review_instance_id_workflow_instance", type_="foreignkey")
        batch.drop_column("joint_review_instance_id")
    with op.batch_alter_table("transfer") as batch:
        batch.drop_column("outcome_at")
        batch.drop_column("outcome")
        batch.drop_column("transfer_no")
    op.drop_index("ix_leniency_grant_inspection_id", table_name="leniency_grant")
    op.drop_index("ix_leniency_grant_enterprise_matter", table_name="leniency_grant")
    op.drop_table("leniency_grant")
    with op.batch_alter_table("matter") as batch:
        batch.drop_column("leniency_months")
        batch.drop_column("leniency_basis")
    with op.batch_alter_table("expert") as batch:
        batch.drop_constraint("uq_expert_user_id", type_="unique")
        batch.drop_constraint("fk_expert_user_id_user_account", type_="foreignkey")
        batch.drop_column("user_id")
    op.drop_index("ix_diagnosis_opinion_inspection_id", table_name="diagnosis_opinion")
    op.drop_index("ix_diagnosis_opinion_campaign_id", table_name="diagnosis_opinion")
    op.drop_table("diagnosis_opinion")
