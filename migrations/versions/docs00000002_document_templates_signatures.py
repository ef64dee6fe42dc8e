"""document templates per region (versioned), the template a document used, enterprise signatures

Revision ID: docs00000002
Revises: portal3000005

Two new tables and one nullable column; existing documents keep every row and are marked as rendered with
the built-in template (version 0), which is what they were rendered with.
"""
import sqlalchemy as sa
from alembic import op

revision = "docs00000002"
down_revision = "lists0000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "document_template",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("region_id", sa.Integer(), sa.ForeignKey("region.id", name="fk_document_template_region_id_region"), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("note", sa.String(200), nullable=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_document_template_created_by_id_user_account"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("region_id", "kind", "version", name="uq_document_template_region_id"),
    )
    op.create_index("ix_document_template_region_id", "document_template", ["region_id"])
    op.create_table(
        "document_signature",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("document.id", name="fk_document_signature_document_id_document"), nullable=False),
        sa.Column("evidence_id", sa.Integer(), sa.ForeignKey("evidence.id", name="fk_document_signature_evidence_id_evidence"), nullable=False),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("signer_name", sa.String(100), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_document_signature_recorded_by_id_user_account"), nullable=False),
    )
    op.create_index("ix_document_signature_document_id", "document_signature", ["document_id"])
    with op.batch_alter_table("document") as batch:
        batch.add_column(sa.Column("template_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_document_template_id_document_template", "document_template",
                                 ["template_id"], ["id"])
    op.execute("UPDATE document SET template_version = 0")


def downgrade():
    with op.batch_alter_table("document") as batch:
        batch.drop_constraint("fk_document_template_id_document_template", type_="foreignkey")
        batch.drop_column("template_id")
    op.drop_index("ix_document_signature_document_id", table_name="document_signature")
    op.drop_table("document_signature")
    op.drop_index("ix_document_template_region_id", table_name="document_template")
    op.drop_table("document_template")
