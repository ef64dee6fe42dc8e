"""Enterprise name search: one- and two-character queries use the trigram index (sentinel-padded names and
its vocabulary, migration d9gaps000001) and return exactly what LIKE '%q%' returns."""
import pytest
from sqlalchemy import select, text

from extensions import db
from models import Enterprise, Industry, Region
from services.directory import listings as directory
from services.directory import name_search

NAMES = ["蕲春县漕河镇鑫凯酒楼", "鑫华超市", "超市", "A", "ab便利店", "凯", "株林镇AB加油站"]


def _ids(q: str) -> tuple[int, list[int]]:
    page = directory.search_enterprises(directory.enterprise_filters({"q": q}), per_page=200)
    return page.total, [e.id for e in page.items]


def _like(q: str) -> tuple[int, list[int]]:
    ids = list(db.session.scalars(select(Enterprise.id).where(
        Enterprise.name.like(name_search.like_pattern(q), escape="\\")).order_by(Enterprise.id)))
    return len(ids), ids[:200]


@pytest.fixture
def named(app):
    with app.app_context():
        industry, region = db.session.scalars(select(Industry)).first(), db.session.scalars(select(Region)).first()
        for n, name in enumerate(NAMES):
            db.session.add(Enterprise(uscc=f"TEST{n:014d}", name=name, industry_id=industry.id,
                                      region_id=region.id, credit_class="A"))
        db.session.commit()
        yield app


QUERIES = ["鑫", "凯", "超市", "市", "酒楼", "a", "AB", "b便", "镇鑫凯", "漕河镇", "便利店", "蕲春", "县", "无此名"]


@pytest.mark.parametrize("q", QUERIES)
def test_short_and_long_queries_match_like(named, q):
    with named.app_context():
        assert _ids(q) == _like(q) and (q == "无此名" or _ids(q)[0])


def test_short_queries_use_the_index(named):
    with named.app_context():
        assert "超市\x03" in name_search.short_terms("超市", 10_000)  # a name ending in the query
        assert "凯\x03\x03" in name_search.short_terms("凯", 10_000)  # a one-character name
        assert name_search.short_terms("无此", 10_000) == []
        plan = " ".join(str(row) for row in db.session.execute(text(
            "EXPLAIN QUERY PLAN SELECT id FROM enterprise WHERE id IN "
            "(SELECT rowid FROM enterprise_name_fts WHERE enterprise_name_fts MATCH '\"超市\x03\"')")))
        assert "VIRTUAL TABLE INDEX" in plan and "SCAN enterprise'" not in plan and "SEARCH enterprise USING INTEGER PRIMARY KEY" in plan


def test_very_common_short_query_falls_back_to_an_early_stopping_scan(named, monkeypatch):
    monkeypatch.setattr(name_search, "INDEX_US_PER_ROW", 1e9)
    with named.app_context():
        assert name_search.short_terms("镇", 10_000) is None
        assert _ids("镇") == _like("镇")


def test_index_follows_renames_and_deletes(named):
    with named.app_context():
        row = db.session.scalars(select(Enterprise).where(Enterprise.name == "超市")).one()
        row.name = "新名字"
        db.session.commit()
        assert row.id not in _ids("超市")[1] and row.id in _ids("名字")[1] and row.id in _ids("新")[1]
        db.session.delete(row)
        db.session.commit()
        assert _ids("名字") == (0, [])


def _migration():
    import importlib.util
    from pathlib import Path
    path = next((Path(__file__).resolve().parents[2] / "migrations" / "versions").glob("d9gaps000001_*.py"))
    spec = importlib.util.spec_from_file_location("d9gaps000001", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_postgresql_short_queries_use_the_grams_index(pg_app):
    with pg_app.app_context():
        for statement in _migration().POSTGRES_UP:  # pg_app builds its schema with create_all, not Alembic
            db.session.execute(text(statement))
        industry, region = db.session.scalars(select(Industry)).first(), db.session.scalars(select(Region)).first()
        for n, name in enumerate(NAMES):
            db.session.add(Enterprise(uscc=f"TEST{n:014d}", name=name, industry_id=industry.id,
                                      region_id=region.id, credit_class="A"))
        db.session.commit()
        clause = str(name_search.name_contains("超市", 10_000).compile(dialect=db.engine.dialect))
        assert "enterprise_name_grams" in clause
        for q in ["鑫", "超市", "市", "AB", "凯", "酒楼", "无此"]:
            total, ids = _ids(q)
            assert (total, ids) == _like(q) and (q == "无此" or total), q
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: show that the index can serve it
        plan = " ".join(r[0] for r in db.session.execute(text(
            "EXPLAIN SELECT id FROM enterprise WHERE enterprise_name_grams(name) @> ARRAY['超市']")))
        assert "ix_enterprise_name_trgm_grams" in plan
        db.session.rollback()
