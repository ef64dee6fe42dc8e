"""Substring search on enterprise names, indexed for every query length on SQLite.

Three characters or more: a phrase query on the FTS5 trigram table. One or two characters: the trigram
table indexes each name followed by two sentinel characters (migration d9gaps000001), so every short
substring of a name starts at least one indexed trigram; the vocabulary's terms in [q, q + U+10FFFF) are
exactly those trigrams, found by a range scan, and the query becomes their OR. The vocabulary also tells how
many names hold each trigram, so the cost of the OR can be set against a plain LIKE scan, which stops once
the count's cap is reached and is the cheaper one for very common queries (one character in every name).
Same results either way: names containing q, case-insensitive for Latin letters as LIKE is.
PostgreSQL: pg_trgm's GIN index serves LIKE for three characters or more; shorter queries use the GIN index
over enterprise_name_grams(name), each name's distinct one- and two-character substrings (d9gaps000001),
case-sensitive like PostgreSQL's LIKE.
"""
from sqlalchemy import Integer, Text, column, false, func, text
from sqlalchemy.dialects.postgresql import ARRAY

from extensions import db
from models import Enterprise

FTS = "enterprise_name_fts"
VOCAB = "enterprise_name_fts_vocab"
SHORT_MAX_TERMS = 3000  # beyond this the OR is never the cheaper plan
# Measured with bench/directory.py (1M names, 2 cores): a MATCH costs ~0.7 µs per matching row plus ~8 ns per
# row and OR-ed term (FTS5 steps every OR child for each row) and runs twice (count and page); a LIKE scan
# costs ~0.45 µs per row read and reads until it has found the count's cap (all rows when fewer match).
INDEX_US_PER_ROW = 1.4
INDEX_US_PER_ROW_TERM = 0.016
SCAN_US_PER_ROW = 0.45


def like_pattern(text_: str) -> str:
    return "%" + text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _has_index() -> bool:
    if db.session.get_bind().dialect.name != "sqlite":
        return False
    return db.session.execute(text("SELECT 1 FROM sqlite_master WHERE name = :n"), {"n": VOCAB}).first() is not None


def _has_grams_index() -> bool:
    if db.session.get_bind().dialect.name != "postgresql":
        return False
    return db.session.execute(text("SELECT 1 FROM pg_proc WHERE proname = 'enterprise_name_grams'")).first() is not None


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _matching(expression: str):
    return Enterprise.id.in_(text(f"SELECT rowid FROM {FTS} WHERE {FTS} MATCH :expr").bindparams(
        expr=expression).columns(column("rowid", Integer)))


def short_terms(q: str, count_cap: int) -> list[str] | None:
    """The indexed trigrams that start with q (1-2 characters); None when scanning is the cheaper plan."""
    low = q.lower()  # the trigram tokenizer folds case
    rows = db.session.execute(text(f"SELECT term, doc FROM {VOCAB} WHERE term >= :lo AND term < :hi LIMIT :n"),
                              {"lo": low, "hi": low + "\U0010ffff", "n": SHORT_MAX_TERMS + 1}).all()
    if len(rows) > SHORT_MAX_TERMS:
        return None
    matches = sum(doc for _term, doc in rows)  # an upper bound: a name may hold several of the trigrams
    total = db.session.execute(text("SELECT max(id) FROM enterprise")).scalar() or 0
    index_cost = matches * (INDEX_US_PER_ROW + INDEX_US_PER_ROW_TERM * len(rows))
    scan_cost = SCAN_US_PER_ROW * (total if matches <= count_cap else min(total, (count_cap + 1) * total / matches))
    return [term for term, _doc in rows] if index_cost <= scan_cost else None


def name_contains(q: str, count_cap: int):
    """A WHERE clause: the enterprise's name contains q."""
    if "\x03" not in q and _has_index():
        if len(q) >= 3:
            return _matching(_phrase(q))
        terms = short_terms(q, count_cap)
        if terms is not None:
            return _matching(" OR ".join(_phrase(t) for t in terms)) if terms else false()
    elif len(q) <= 2 and _has_grams_index():
        return func.enterprise_name_grams(Enterprise.name, type_=ARRAY(Text)).contains([q])
    return Enterprise.name.like(like_pattern(q), escape="\\")
