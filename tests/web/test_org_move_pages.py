"""The account page's 调岗 form: open work listed, the move refused until a colleague takes it, then done."""
from sqlalchemy import select

from extensions import db
from models import HumanTask
from services.workflow import tasks
from tests.conftest import csrf_token
from tests.e2e.journey import user_client
from tests.services.draw_support import campaign_ready, department, user


def test_admin_moves_an_official_with_open_work_only_after_naming_a_colleague(app):
    with app.app_context():
        campaign = campaign_ready()
        task = db.session.scalars(select(HumanTask).where(HumanTask.campaign_id == campaign.id,
                                                          HumanTask.form_key == "initiation")).one()
        tasks.claim(user("scjg_03"), task.id)
        person_id, task_id, title = user("scjg_03").id, task.id, campaign.title
    admin = user_client(app, "admin")
    page_url = f"/org/accounts/{person_id}"
    page = admin.get(page_url).get_data(as_text=True)
    assert "调岗（调往其他部门或区划）" in page and "调岗前须转交原部门的一名同事" in page and title in page
    token = csrf_token(admin, page_url)
    refused = admin.post(f"{page_url}/move", data={"csrf_token": token, "department": "wjw"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "尚有未办结任务，请指定原部门的接手人后再调动" in body and title in body
    with app.app_context():
        assert user("scjg_03").department_id == department("scjg").id
    done = admin.post(f"{page_url}/move", data={"csrf_token": token, "department": "wjw", "reassign_to": "scjg_04"})
    assert done.status_code == 302
    page = admin.get(page_url).get_data(as_text=True)
    assert "已调入 蕲春县卫生健康委员会，1 件未办结任务已转交原部门同事" in page
    assert "该人员没有未办结任务。" in page
    with app.app_context():
        assert user("scjg_03").department_id == department("wjw").id
        assert db.session.get(HumanTask, task_id).claimed_by_id == user("scjg_04").id
