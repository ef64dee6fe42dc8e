"""draw v3 public value (beacon) and the matter list's publication date

Revision ID: disclose0001
Revises: portal000002

- draw.beacon (JSON, nullable): the public value a v3 draw's seed is derived from, entered by an auditor
  after the commitment. Existing draws (v2) keep NULL: their seed is the stored random one.
- matter.published_at (nullable): when a matter entered the public 随机抽查事项清单. Existing matters are
  stamped with the upgrade time (the list becomes public with this release); new ones get the insert time
  from the model's SQL default (CURRENT_TIMESTAMP in the INSERT: SQLite cannot add a column with it as DDL).
"""
import sqlalchemy as sa
from alembic import op

revision = 'disclose0001'
down_revision = 'portal000002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('draw') as batch:
        batch.add_column(sa.Column('beacon', sa.JSON(), nullable=True))
    with op.batch_alter_table('matter') as batch:
        batch.add_column(sa.Column('published_at', sa.DateTime(), nullable=True))
    op.execute(sa.text("UPDATE matter SET published_at = CURRENT_TIMESTAMP WHERE published_at IS NULL"))


def downgrade():
    with op.batch_alter_table('matter') as batch:
        batch.drop_column('published_at')
    with op.batch_alter_table('draw') as batch:
        batch.drop_column('beacon')
