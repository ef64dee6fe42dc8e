"""Join the feature migrations that were written side by side on one foundation.

Revision ID: 0c0mb1ne0001
Revises: b3d1rect0ry1, c4dr4wver1f1, d5insp3ct10n, e6t1mers0001, f6d1agn0s1s1, a7des1gner01
"""
revision = "0c0mb1ne0001"
down_revision = ("b3d1rect0ry1", "c4dr4wver1f1", "d5insp3ct10n", "e6t1mers0001", "f6d1agn0s1s1", "a7des1gner01")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
