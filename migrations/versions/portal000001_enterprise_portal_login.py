"""enterprise portal: contact mobile on the directory, one-time login codes, the outbox

Revision ID: portal000001
Revises: d9gaps000001
"""
import sqlalchemy as sa
from alembic import op

revision = "portal000001"
down_revision = "d9gaps000001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("enterprise") as batch:
        batch.add_column(sa.Column("contact_mobile", sa.String(20), nullable=True))
    op.create_table(
        "login_code",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), sa.ForeignKey("enterprise.id", name="fk_login_code_enterprise_id_enterprise"),
                  nullable=True),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("client", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("used_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_login_code_uscc_created", "login_code", ["uscc", "created_at"])
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(),
                  sa.ForeignKey("enterprise.id", name="fk_outbox_message_enterprise_id_enterprise"), nullable=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.String(300), nullable=True),
    )
    op.create_index("ix_outbox_message_enterprise_id", "outbox_message", ["enterprise_id"])
    op.create_index("ix_outbox_status_created", "outbox_message", ["status", "created_at"])


def downgrade():
    op.drop_index("ix_outbox_status_created", table_name="outbox_message")
    op.drop_index("ix_outbox_message_enterprise_id", table_name="outbox_message")
    op.drop_table("outbox_message")
    op.drop_index("ix_login_code_uscc_created", table_name="login_code")
    op.drop_table("login_code")
    with op.batch_alter_table("enterprise") as batch:
        batch.drop_column("contact_mobile")
