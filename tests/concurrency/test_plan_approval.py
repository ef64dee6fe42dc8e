"""Two supervisors approving the same plan entry at the same moment open exactly one campaign."""
import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Campaign, User, UserRole
from services.stages import plans
from demo import simulate as sim
from services.errors import Conflict


def _draft_entry() -> int:
    supervisor = sim._user_with_role("supervisor")
    industry, lead = sim._busiest_scope()
    entry = plans.create_entry(supervisor, {
        "year": date.today().year, "industry_id": industry.id, "lead_department_id": lead.id,
        "partner_department_ids": [p.id for p in sim._partners(industry, lead)],
        "matter_ids": [m.id for m in industry.matters], "ratios": {"A": 3.0, "B": 5.0, "C": 20.0, "D": 60.0},
        "method": "实地检查", "timing": "并发测试", "result_handling": None})
    return entry.id


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_one_of_two_simultaneous_approvals_wins(database, request):
    app = request.getfixturevalue("sqlite_app" if database == "sqlite" else "pg_app")
    with app.app_context():
        entry_id = _draft_entry()
        second = db.session.scalars(select(User).where(User.username == "admin")).one()
        second.roles.append(UserRole(role="supervisor"))
        db.session.commit()
        approvers = [sim._user_with_role("supervisor").id, second.id]
    barrier, results = threading.Barrier(2), []

    def approve(user_id: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                plans.approve_entry(db.session.get(User, user_id), entry_id)
                results.append("ok")
            except Conflict as exc:
                db.session.rollback()
                results.append(exc)

    threads = [threading.Thread(target=approve, args=(uid,)) for uid in approvers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(map(str, results)) == sorted(["ok", "该计划条目已审批"])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Campaign).where(
            Campaign.plan_entry_id == entry_id)) == 1
