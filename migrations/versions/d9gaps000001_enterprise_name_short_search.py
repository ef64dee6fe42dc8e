"""enterprise name search for one- and two-character queries

Revision ID: d9gaps000001
Revises: b8pr0duct10n

The FTS5 trigram index of b3d1rect0ry1 cannot answer queries shorter than three characters. This revision
rebuilds it as a contentless table that indexes each name followed by two sentinel characters (U+0003), so
every one- or two-character substring of a name is the start of at least one indexed trigram, and adds an
fts5vocab view of its terms: a short query becomes the OR of the trigrams that start with it (a range scan
of the vocabulary), see services/name_search.py. Queries of three characters and more work as before.
PostgreSQL: pg_trgm cannot use its index below three characters either; a GIN index over the array of each
name's distinct one- and two-character substrings answers `enterprise_name_grams(name) @> ARRAY[q]`.
"""
from alembic import op

revision = 'd9gaps000001'
down_revision = 'b8pr0duct10n'
branch_labels = None
depends_on = None

PAD = "char(3, 3)"
OLD_TRIGGERS = ("enterprise_name_fts_update", "enterprise_name_fts_delete", "enterprise_name_fts_insert")

SQLITE_UP = (
    *(f"DROP TRIGGER IF EXISTS {name}" for name in OLD_TRIGGERS),
    "DROP TABLE IF EXISTS enterprise_name_fts",
    "CREATE VIRTUAL TABLE enterprise_name_fts USING fts5(name, content='', tokenize='trigram')",
    "CREATE VIRTUAL TABLE enterprise_name_fts_vocab USING fts5vocab(enterprise_name_fts, 'row')",
    f"INSERT INTO enterprise_name_fts(rowid, name) SELECT id, name || {PAD} FROM enterprise",
    "CREATE TRIGGER enterprise_name_fts_insert AFTER INSERT ON enterprise BEGIN "
    f"INSERT INTO enterprise_name_fts(rowid, name) VALUES (new.id, new.name || {PAD}); END",
    "CREATE TRIGGER enterprise_name_fts_delete AFTER DELETE ON enterprise BEGIN "
    f"INSERT INTO enterprise_name_fts(enterprise_name_fts, rowid, name) VALUES ('delete', old.id, old.name || {PAD}); END",
    "CREATE TRIGGER enterprise_name_fts_update AFTER UPDATE OF name ON enterprise BEGIN "
    f"INSERT INTO enterprise_name_fts(enterprise_name_fts, rowid, name) VALUES ('delete', old.id, old.name || {PAD}); "
    f"INSERT INTO enterprise_name_fts(rowid, name) VALUES (new.id, new.name || {PAD}); END",
)

# b3d1rect0ry1's external-content table, as it was.
SQLITE_DOWN = (
    *(f"DROP TRIGGER IF EXISTS {name}" for name in OLD_TRIGGERS),
    "DROP TABLE IF EXISTS enterprise_name_fts_vocab",
    "DROP TABLE IF EXISTS enterprise_name_fts",
    "CREATE VIRTUAL TABLE enterprise_name_fts USING fts5(name, content='enterprise', content_rowid='id', "
    "tokenize='trigram')",
    "INSERT INTO enterprise_name_fts(enterprise_name_fts) VALUES ('rebuild')",
    "CREATE TRIGGER enterprise_name_fts_insert AFTER INSERT ON enterprise BEGIN "
    "INSERT INTO enterprise_name_fts(rowid, name) VALUES (new.id, new.name); END",
    "CREATE TRIGGER enterprise_name_fts_delete AFTER DELETE ON enterprise BEGIN "
    "INSERT INTO enterprise_name_fts(enterprise_name_fts, rowid, name) VALUES ('delete', old.id, old.name); END",
    "CREATE TRIGGER enterprise_name_fts_update AFTER UPDATE OF name ON enterprise BEGIN "
    "INSERT INTO enterprise_name_fts(enterprise_name_fts, rowid, name) VALUES ('delete', old.id, old.name); "
    "INSERT INTO enterprise_name_fts(rowid, name) VALUES (new.id, new.name); END",
)


# Named under the ix_enterprise_name_trgm prefix that migrations/env.py keeps out of autogenerate.
POSTGRES_UP = (
    "CREATE OR REPLACE FUNCTION enterprise_name_grams(text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT "
    "PARALLEL SAFE AS $$ SELECT coalesce(array_agg(DISTINCT substr($1, i, n)), '{}') "
    "FROM generate_series(1, char_length($1)) AS i CROSS JOIN (VALUES (1), (2)) AS v(n) "
    "WHERE i + n - 1 <= char_length($1) $$",
    "CREATE INDEX IF NOT EXISTS ix_enterprise_name_trgm_grams ON enterprise USING gin (enterprise_name_grams(name))",
)
POSTGRES_DOWN = ("DROP INDEX IF EXISTS ix_enterprise_name_trgm_grams",
                 "DROP FUNCTION IF EXISTS enterprise_name_grams(text)")


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == "sqlite" else POSTGRES_UP if dialect == "postgresql" else ():
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == "sqlite" else POSTGRES_DOWN if dialect == "postgresql" else ():
        op.execute(statement)
