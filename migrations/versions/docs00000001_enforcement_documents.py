"""enforcement documents: numbered per department, kind and year; prefixes

Revision ID: docs00000001
Revises: disclose0001
"""
import sqlalchemy as sa
from alembic import op

revision = "docs00000001"
down_revision = "disclose0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document_counter",
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("department.id", name="fk_document_counter_department_id_department"), primary_key=True),
        sa.Column("kind", sa.String(30), primary_key=True),
        sa.Column("year", sa.Integer(), primary_key=True),
        sa.Column("last_sequence", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "document_prefix",
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("department.id", name="fk_document_prefix_department_id_department"), primary_key=True),
        sa.Column("prefix", sa.String(20), nullable=False),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("department.id", name="fk_document_department_id_department"), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), sa.ForeignKey("campaign.id", name="fk_document_campaign_id_campaign"), nullable=True),
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("inspection.id", name="fk_document_inspection_id_inspection"), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", name="fk_document_enterprise_id_enterprise"), nullable=True),
        sa.Column("template_version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("record_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="issued"),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_document_issued_by_id_user_account"), nullable=False),
        sa.Column("voided_at", sa.DateTime(), nullable=True),
        sa.Column("voided_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_document_voided_by_id_user_account"), nullable=True),
        sa.Column("void_reason", sa.Text(), nullable=True),
        sa.UniqueConstraint("number", name="uq_document_number"),
        sa.UniqueConstraint("department_id", "kind", "year", "sequence", name="uq_document_department_id"),
    )
    op.create_index("ix_document_campaign_id", "document", ["campaign_id"])
    op.create_index("ix_document_inspection_id", "document", ["inspection_id"])
    op.create_index("ix_document_enterprise_id", "document", ["enterprise_id"])


def downgrade():
    op.drop_index("ix_document_enterprise_id", table_name="document")
    op.drop_index("ix_document_inspection_id", table_name="document")
    op.drop_index("ix_document_campaign_id", table_name="document")
    op.drop_table("document")
    op.drop_table("document_prefix")
    op.drop_table("document_counter")
