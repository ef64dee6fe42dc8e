"""drawn_enterprise: one index on (draw_id, enterprise_id) in place of the one on draw_id

Revision ID: stmts0000001
Revises: limits0000001

A completion reads when its enterprise was drawn (inspection.drawn_at): with only draw_id indexed that walked
every enterprise of the draw (10,000 rows at N=10,000) for each one; the pair finds it directly and still
serves the lookups by draw_id alone. No row is changed.
"""
from alembic import op

revision = "stmts0000001"
down_revision = "limits0000001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_drawn_enterprise_draw_id_enterprise_id", "drawn_enterprise", ["draw_id", "enterprise_id"])
    op.drop_index("ix_drawn_enterprise_draw_id", table_name="drawn_enterprise")


def downgrade():
    op.create_index("ix_drawn_enterprise_draw_id", "drawn_enterprise", ["draw_id"])
    op.drop_index("ix_drawn_enterprise_draw_id_enterprise_id", table_name="drawn_enterprise")
