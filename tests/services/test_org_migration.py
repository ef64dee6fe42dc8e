"""org000000001 on a database with flat regions: every row kept, counties moved under their city and province."""
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from config import TestConfig
from extensions import db


def test_flat_regions_become_a_tree_and_departments_get_types(tmp_path):
    config = type("C", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.db'}"})
    app = create_app(config)
    with app.app_context():
        upgrade(revision="d9gaps000001")
        db.session.execute(text("INSERT INTO region (id, code, name) VALUES (1, '421126', '蕲春县'), "
                                "(2, '340825', '太湖县'), (3, 'X1', '试点片区'), (4, '421182', '武穴市')"))
        db.session.execute(text("INSERT INTO department (id, code, name, region_id) VALUES "
                                "(1, 'scjg', '蕲春县市场监督管理局', 1), (2, 'xf', '太湖县消防救援大队', 2), "
                                "(3, 'dag', '蕲春县档案馆', 1)"))
        db.session.commit()
        upgrade()
        rows = {code: (name, level, parent) for code, name, level, parent in db.session.execute(text(
            "SELECT r.code, r.name, r.level, p.code FROM region r LEFT JOIN region p ON p.id = r.parent_id"))}
        types = dict(db.session.execute(text("SELECT code, type FROM department")).all())
        ids = dict(db.session.execute(text("SELECT code, id FROM region")).all())
        db.engine.dispose()
    assert rows["421126"] == ("蕲春县", "county", "421100")
    assert rows["421182"] == ("武穴市", "county", "421100")
    assert rows["421100"] == ("黄冈市", "city", "420000")
    assert rows["420000"] == ("湖北省", "province", None)
    assert rows["340825"] == ("太湖县", "county", "340800")
    assert rows["340800"] == ("安庆市", "city", "340000")
    assert rows["X1"] == ("试点片区", "county", None)  # not a division code: kept as it was
    assert (ids["421126"], ids["340825"], ids["X1"]) == (1, 2, 3)
    assert len(rows) == 8
    assert types == {"scjg": "market_regulation", "xf": "fire", "dag": "other"}
