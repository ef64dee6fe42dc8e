"""enterprise rectification claims (企业整改申报) and the evidence files attached to them

Revision ID: portal3000001
Revises: screens00003

Two new tables; no existing row changes.
"""
import sqlalchemy as sa
from alembic import op

revision = "portal3000001"
down_revision = 'screens00003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "rectification_claim",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("follow_up_id", sa.Integer(), sa.ForeignKey("follow_up.id", name="fk_rectification_claim_follow_up_id_follow_up"), nullable=False),
        sa.Column("inspection_id", sa.Integer(), sa.ForeignKey("inspection.id", name="fk_rectification_claim_inspection_id_inspection"), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", name="fk_rectification_claim_enterprise_id_enterprise"), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_rectification_claim_decided_by_id_user_account"), nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_rectification_claim_follow_up_id", "rectification_claim", ["follow_up_id"])
    op.create_index("ix_rectification_claim_inspection_id", "rectification_claim", ["inspection_id"])
    op.create_index("ix_rectification_claim_enterprise_id", "rectification_claim", ["enterprise_id"])
    op.create_table(
        "claim_evidence",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("claim_id", sa.Integer(), sa.ForeignKey("rectification_claim.id", name="fk_claim_evidence_claim_id_rectification_claim"), nullable=False),
        sa.Column("checklist_item_id", sa.Integer(), sa.ForeignKey("checklist_item.id", name="fk_claim_evidence_checklist_item_id_checklist_item"), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(40), nullable=False),
        sa.Column("original_name", sa.String(200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_claim_evidence_claim_id", "claim_evidence", ["claim_id"])


def downgrade():
    op.drop_index("ix_claim_evidence_claim_id", table_name="claim_evidence")
    op.drop_table("claim_evidence")
    for column in ("enterprise_id", "inspection_id", "follow_up_id"):
        op.drop_index(f"ix_rectification_claim_{column}", table_name="rectification_claim")
    op.drop_table("rectification_claim")
