"""The demo loader: a realistic, deterministic and idempotent demo county."""
from collections import Counter

import pytest
from flask import Flask
from sqlalchemy import event, func, select

import models  # noqa: F401  (registers every table)
from domain.uscc import is_valid
from extensions import db
from models import ChecklistRevision, Department, Enterprise, Industry, User, UserRole
from demo.county import DEMO_PASSWORD, load_demo
from models.base import Base


def _make_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db.init_app(app)
    with app.app_context():
        # The models' own metadata: db.create_all() would also walk the bind keys other apps of this process
        # registered (the read replica's), which this bare app does not configure.
        Base.metadata.create_all(db.engine)
    return app


@pytest.fixture(scope="module")
def loaded():
    app = _make_app()
    with app.app_context():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
        event.listen(db.engine, "before_cursor_execute", listener)
        summary = load_demo()
        event.remove(db.engine, "before_cursor_execute", listener)
        yield summary, len(statements)
        db.session.remove()


def _count(query) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery()))


def test_loads_in_batches_not_row_by_row(loaded):
    # A budget of statements instead of a wall-clock limit (which measures the machine): 2,000 enterprises
    # and 86 accounts in about 260 statements; a loader inserting row by row would need thousands.
    summary, statements = loaded
    assert summary["counts"]["enterprises"] == 2000
    assert statements < 600


def test_counts(loaded):
    counts = loaded[0]["counts"]
    assert counts["regions"] == 6  # 2 provinces, 2 cities, 2 counties
    assert counts["departments"] >= 12
    assert counts["industries"] == 5
    assert counts["enterprises"] == 2000
    assert counts["checklist_revisions"] == 5
    assert counts["officials"] >= 60
    assert _count(select(Department)) == counts["departments"]


def test_enterprise_codes_valid_and_credit_spread(loaded):
    rows = db.session.execute(select(Enterprise.uscc, Enterprise.legacy_code, Enterprise.credit_class,
                                     Enterprise.status)).all()
    assert all(is_valid(uscc) for uscc, *_ in rows)
    assert all(len(uscc) == (15 if legacy else 18) for uscc, legacy, *_ in rows)
    assert len({uscc for uscc, *_ in rows}) == len(rows)
    classes = Counter(credit for _u, _l, credit, _s in rows)
    assert set(classes) == {"A", "B", "C", "D"}
    assert classes["A"] > classes["B"] > classes["C"] > classes["D"]
    statuses = Counter(status for *_, status in rows)
    assert 0.9 < statuses["存续"] / len(rows) < 1


def test_enterprises_mostly_in_home_county(loaded):
    by_region = Counter(db.session.scalars(select(Enterprise.region_id)))
    home = db.session.scalar(select(Department.region_id).where(Department.code == "scjg"))
    assert 0.8 < by_region[home] / 2000 < 0.97
    assert len(by_region) == 2


def test_one_account_per_system_role(loaded):
    for role in ("designer", "admin"):
        assert _count(select(UserRole).where(UserRole.role == role)) == 1
    # 蕲春's supervisor, 太湖's and 黄冈市's (the city above 蕲春)
    assert _count(select(UserRole).where(UserRole.role == "supervisor")) == 3
    supervisor = db.session.scalar(select(User).where(User.username == "supervisor"))
    assert supervisor.department_id is None and supervisor.region_id is not None


def test_officials_have_unique_cert_numbers_and_password(loaded):
    from werkzeug.security import check_password_hash
    officials = db.session.scalars(
        select(User).join(UserRole).where(UserRole.role == "official")).all()
    certs = [user.cert_no for user in officials]
    assert None not in certs and len(set(certs)) == len(certs)
    assert all(user.region_id == user.department.region_id for user in officials)
    assert check_password_hash(officials[0].password_hash, DEMO_PASSWORD)


def test_each_industry_has_multi_department_checklist(loaded):
    for industry in db.session.scalars(select(Industry)):
        revision = db.session.scalar(
            select(ChecklistRevision).where(ChecklistRevision.industry_id == industry.id))
        assert revision.number == 1 and revision.items
        assert [item.position for item in revision.items] == list(range(1, len(revision.items) + 1))
        assert len({item.matter.department_id for item in revision.items}) >= 3
        assert {item.matter_id for item in revision.items} == {m.id for m in industry.matters}
        assert "scjg" in {m.department.code for m in industry.matters}


def test_accounts_summary(loaded):
    accounts = {username: (roles, department) for username, roles, department in loaded[0]["accounts"]}
    assert accounts["supervisor"] == (["supervisor"], None)
    assert accounts["scjg_admin"][0] == ["department_admin", "official"]
    assert accounts["scjg_01"] == (["official"], "蕲春县市场监督管理局")
    assert "th_scjg_02" in accounts and "scjg_03" not in accounts


def test_second_load_changes_nothing(loaded):
    summary = loaded[0]
    assert load_demo(seed=1, enterprises=10) == summary


def test_same_seed_gives_same_data():
    def first_codes():
        with _make_app().app_context():
            load_demo(enterprises=50)
            codes = db.session.scalars(select(Enterprise.uscc).order_by(Enterprise.id)).all()
            names = db.session.scalars(select(User.display_name).order_by(User.id)).all()
            db.session.remove()
            return codes, names

    assert first_codes() == first_codes()

