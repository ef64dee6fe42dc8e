"""The 随机贡献值 page: a department commits (only the hash is sent), reveals after the draw's commitment; the
public verification page lists each department's value, and a wrong value is refused in Chinese."""
from datetime import timedelta

from sqlalchemy import select

from domain import draw_v3
from extensions import db
from models import Campaign, Department
from services.draw import beacon
from services.draw import stage as draw
from services.workflow import clock
from tests.conftest import csrf_token
from tests.e2e.journey import user_client
from tests import factories
from tests.services.draw_support import campaign_ready, department, user
from tests.web.test_draw_pages import _draw_of, _to_draw

SECRET = "卫健委的贡献值 4d1c"


def test_a_department_commits_and_reveals_its_contribution_on_the_page(app):
    app.config["DRAW_ALGORITHM"] = draw_v3.ALGORITHM
    clock.reset()
    with app.app_context():
        campaign = campaign_ready(partners=("wjw",))
        campaign_id, code, wjw_id = campaign.id, campaign.code, department("wjw").id
    url = f"/draws/campaign/{campaign_id}/contribution"
    official = user_client(app, "wjw_01")
    page = official.get(url).get_data(as_text=True)
    assert "提交随机贡献承诺" in page and "contribution.js" in page
    token = csrf_token(official, url)
    bad = official.post(url, data={"csrf_token": token, "action": "commit", "commitment": "1234"})
    assert bad.status_code == 422 and "承诺值应为 64 位十六进制 SHA-256" in bad.get_data(as_text=True)
    hashed = draw_v3.contribution_hash(code, wjw_id, SECRET)
    done = official.post(url, data={"csrf_token": token, "action": "commit", "commitment": hashed},
                         follow_redirects=True).get_data(as_text=True)
    assert "已提交本部门的随机贡献承诺" in done and hashed in done and "尚未揭示" in done
    assert user_client(app, "jt_01").get(url).status_code == 403  # not taking part

    with app.app_context():
        record = draw.perform(db.session.merge(campaign), None)
        db.session.commit()
        draw_id, beacon_date = record.id, record.commitment_doc["beacon"]["date"]
    page = official.get(url).get_data(as_text=True)
    assert "揭示贡献值" in page and "提交随机贡献承诺" not in page
    wrong = official.post(url, data={"csrf_token": token, "action": "reveal", "value": "别的值"})
    assert wrong.status_code == 422 and "贡献值与本部门提交的承诺不符" in wrong.get_data(as_text=True)
    revealed = official.post(url, data={"csrf_token": token, "action": "reveal", "value": SECRET},
                             follow_redirects=True).get_data(as_text=True)
    assert "已揭示本部门的随机贡献值" in revealed

    public = app.test_client().get(f"/verify/draw/{draw_id}").get_data(as_text=True)
    assert "部门随机贡献值" in public and "蕲春县卫生健康委员会" in public and "待揭示" not in public
    clock.advance(timedelta(days=1))
    with app.app_context():
        beacon.enter(user("auditor"), draw_id, "01 02 03 04 05 06 + 07", beacon_date)
    public = app.test_client().get(f"/verify/draw/{draw_id}").get_data(as_text=True)
    assert SECRET in public and "verify-match" in public
    clock.reset()


def test_partners_commit_from_the_report_in_task_and_a_declining_one_is_not_bound(app):
    """The draw's commitment follows the last report-in at once, so a partner commits before reporting in (the
    task page links the page); a partner that then declines drops out of the commitment."""
    app.config["DRAW_ALGORITHM"] = draw_v3.ALGORITHM
    s, campaign_id = _to_draw(app)
    tasks = factories.open_tasks(app, campaign_id, "partner_confirmation")
    with app.app_context():
        code = db.session.get(Campaign, campaign_id).code
        lead_id = db.session.get(Campaign, campaign_id).lead_department_id
        lead_user = db.session.scalars(select(Department.code).where(Department.id == lead_id)).one() + "_01"
    committed = {}
    for task in tasks:  # every invited partner commits before reporting in
        username = s["partner_users"][task["department_id"]]
        client = user_client(app, username)
        page = client.get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
        assert f"/draws/campaign/{campaign_id}/contribution" in page and "随机贡献承诺" in page
        committed[task["department_id"]] = draw_v3.contribution_hash(code, task["department_id"], f"值-{username}")
        url = f"/draws/campaign/{campaign_id}/contribution"
        assert client.post(url, data={"csrf_token": csrf_token(client, url), "action": "commit",
                                      "commitment": committed[task["department_id"]]}).status_code == 302
    lead = user_client(app, lead_user)
    url = f"/draws/campaign/{campaign_id}/contribution"
    lead_hash = draw_v3.contribution_hash(code, lead_id, "牵头部门的值")
    assert lead.post(url, data={"csrf_token": csrf_token(lead, url), "action": "commit",
                                "commitment": lead_hash}).status_code == 302
    factories.report_in(app, s, campaign_id)  # the last partner declines
    record = _draw_of(app, campaign_id)
    bound = {d["department_id"]: d["sha256"] for d in record.commitment_doc["contributions"]["departments"]}
    declined = tasks[-1]["department_id"]
    assert bound == {lead_id: lead_hash, **{d: h for d, h in committed.items() if d != declined}}
