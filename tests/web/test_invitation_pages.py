"""The invitation (要约) pages: a supervisor sets a region to notify-only; an official's invitation with bad input
shows Chinese errors and stores nothing, a good one opens the joint action; the invitee narrows its matters."""
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from demo.county import HOME
from extensions import db
from models import Campaign, InvitationRule, Matter, Region
from tests.conftest import csrf_token, login
from tests.factories import open_tasks, scope


def test_rule_page_then_invitation_then_narrowed_report_in(app):
    s = scope(app, 2)
    supervisor = app.test_client()
    login(supervisor, "supervisor")
    assert "要约审批规则" in supervisor.get("/plans/").get_data(as_text=True)
    with app.app_context():
        home = db.session.scalars(select(Region.id).where(Region.code == HOME)).one()
    token = csrf_token(supervisor, "/campaigns/invitation-rules")
    saved = supervisor.post("/campaigns/invitation-rules",
                            data={"csrf_token": token, "region_id": str(home), "approval_required": "0"})
    assert saved.status_code == 302
    assert "只告知联席会办公室" in supervisor.get("/campaigns/invitation-rules").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(InvitationRule)).one().approval_required is False

    official = app.test_client()
    login(official, "scjg_01")
    page = f"/campaigns/invite?industry_id={s['industry_id']}"
    token = csrf_token(official, page)
    bad = official.post("/campaigns/invite", data={"csrf_token": token, "industry_id": str(s["industry_id"])})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "要约须邀请 1–4 个其他部门" in html and "请说明要约的事由" in html
    with app.app_context():
        assert db.session.scalars(select(Campaign)).all() == []
    partner = s["partners"][0]
    with app.app_context():
        matters = [m for m in s["matters"] if db.session.get(Matter, m).department_id in (s["lead_id"], partner)]
    fields = [("csrf_token", token), ("industry_id", str(s["industry_id"])), ("department_ids", str(partner)),
              ("reason", "节前联合检查")] + [("matter_ids", str(m)) for m in matters]
    good = official.post("/campaigns/invite", data=MultiDict(fields))
    assert good.status_code == 302, good.get_data(as_text=True)[:2000]
    campaign_id = int(good.headers["Location"].rsplit("/", 1)[1])
    assert "部门要约联合检查" in official.get(f"/campaigns/{campaign_id}").get_data(as_text=True)

    [task] = open_tasks(app, campaign_id, "partner_confirmation")
    invitee = app.test_client()
    login(invitee, s["partner_users"][partner])
    form = invitee.get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
    assert "参加，但只查部分事项" in form
    token = csrf_token(invitee, f"/inbox/tasks/{task['id']}")
    refused = invitee.post(f"/inbox/tasks/{task['id']}", data={"csrf_token": token, "decision": "confirm_fewer"})
    assert refused.status_code == 422 and "此项必填" in refused.get_data(as_text=True)
