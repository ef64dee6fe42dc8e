"""enterprise recusal applications (申请回避), decided by the officer's department

Revision ID: portal3000002
Revises: portal3000001

One new table; an accepted application points at the recusal_request row it created. No existing row changes.
"""
import sqlalchemy as sa
from alembic import op

revision = "portal3000002"
down_revision = "portal3000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "recusal_application",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", name="fk_recusal_application_enterprise_id_enterprise"), nullable=False),
        sa.Column("cert_no", sa.String(40), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_recusal_application_user_id_user_account"), nullable=True),
        sa.Column("department_id", sa.Integer(), sa.ForeignKey("department.id", name="fk_recusal_application_department_id_department"), nullable=True),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), sa.ForeignKey("user_account.id", name="fk_recusal_application_decided_by_id_user_account"), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("recusal_request_id", sa.Integer(), sa.ForeignKey("recusal_request.id", name="fk_recusal_application_recusal_request_id_recusal_request"), nullable=True),
    )
    op.create_index("ix_recusal_application_enterprise_id", "recusal_application", ["enterprise_id"])
    op.create_index("ix_recusal_application_department_id", "recusal_application", ["department_id"])


def downgrade():
    op.drop_index("ix_recusal_application_department_id", table_name="recusal_application")
    op.drop_index("ix_recusal_application_enterprise_id", table_name="recusal_application")
    op.drop_table("recusal_application")
