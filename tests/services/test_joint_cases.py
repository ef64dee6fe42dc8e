"""Joint cases: the case's department asks others in; each involved department gets a 会审 task (listed with the
enterprise and campaign), gives its opinion, and the case page shows them all."""
import pytest
from sqlalchemy import select

from extensions import db
from models import Case, Department, User
from services.errors import Conflict, ValidationFailed
from services.stages import joint_cases
from tests import factories
from tests.e2e.journey import user_client
from tests.services.test_case_figures import _decide


def _user_of(department_id: int) -> str:
    return f"{db.session.get(Department, department_id).code}_01"


def test_joint_case_review_by_every_involved_department(app):
    campaign_id = _decide(app, {"handling": "case"})
    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.campaign_id == campaign_id)).one()
        case_id, owner = case.id, _user_of(case.department_id)
        staffed = set(db.session.scalars(select(User.username)))
        asked = [d.id for d in joint_cases.candidate_departments(case) if f"{d.code}_01" in staffed][:2]
        assert len(asked) == 2
        with pytest.raises(ValidationFailed) as none_asked:
            joint_cases.start_review(factories.user(owner), case_id, [])
        assert "请选择 1–4 个共同办案的部门" in none_asked.value.errors["department_ids"][0]
        joint_cases.start_review(factories.user(owner), case_id, asked)
        with pytest.raises(Conflict):
            joint_cases.start_review(factories.user(owner), case_id, asked)
        involved = [case.department_id, *sorted(asked)]
        users = {d: _user_of(d) for d in involved}
        inspection_id = case.inspection_id

    found = factories.open_tasks(app, campaign_id, "case_review")
    assert sorted(t["department_id"] for t in found) == sorted(involved)
    assert all(t["inspection_id"] == inspection_id for t in found)  # listed with the enterprise and campaign
    for task in found:
        factories.complete(app, users[task["department_id"]], task["id"],
                           {"opinion": f"部门{task['department_id']}会审意见：事实清楚，建议一般程序"})
    assert factories.open_tasks(app, campaign_id, "case_review") == []
    page = user_client(app, owner).get(f"/follow-up/cases/{case_id}").get_data(as_text=True)
    for department_id in involved:
        assert f"部门{department_id}会审意见：事实清楚，建议一般程序" in page
