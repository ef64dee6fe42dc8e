"""follow-up evidence: a photo or PDF of a rectification belongs to its follow-up

Revision ID: screens00002
Revises: screens00001

One nullable column on evidence (with its index and foreign key); existing evidence rows keep NULL (inspection
evidence, as before).
"""
import sqlalchemy as sa
from alembic import op

revision = 'screens00002'
down_revision = 'screens00001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evidence") as batch:
        batch.add_column(sa.Column("follow_up_id", sa.Integer(), nullable=True))
        batch.create_index("ix_evidence_follow_up_id", ["follow_up_id"])
        batch.create_foreign_key("fk_evidence_follow_up_id_follow_up", "follow_up", ["follow_up_id"], ["id"])


def downgrade():
    with op.batch_alter_table("evidence") as batch:
        batch.drop_constraint("fk_evidence_follow_up_id_follow_up", type_="foreignkey")
        batch.drop_index("ix_evidence_follow_up_id")
        batch.drop_column("follow_up_id")
