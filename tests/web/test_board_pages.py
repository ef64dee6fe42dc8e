"""The board's pages: desk mode, wall-screen panel, a department's overdue tasks, 督办, and who may see them."""
from datetime import timedelta

from sqlalchemy import select

from extensions import db
from models import Campaign, Department, Notification
from services.workflow import clock
from tests import factories
from tests.conftest import csrf_token
from tests.e2e.journey import user_client


def _late_campaign(app) -> tuple[str, int]:
    campaign_id, _ = factories.campaign_at(app, "planned", enterprises=2)
    clock.advance(timedelta(days=12))
    with app.app_context():
        code = db.session.get(Campaign, campaign_id).code
        lead = db.session.scalars(select(Department.id).where(Department.code == "scjg")).one()
    return code, lead


def test_desk_board_shows_the_late_stage_in_words_and_the_league(app):
    code, lead = _late_campaign(app)
    page = user_client(app, "supervisor").get("/board/").get_data(as_text=True)
    assert code in page and "发起与报到" in page and "超时" in page and "已超时" in page
    assert f"/board/departments/{lead}" in page and "督办" in page
    assert "按时办结率" in page and "减少入企" in page


def test_wall_panel_is_the_board_without_the_site_and_refreshes(app):
    code, _ = _late_campaign(app)
    client = user_client(app, "screen")
    wall = client.get("/board/wall?refresh=5").get_data(as_text=True)
    assert 'data-refresh="5"' in wall and code in wall and 'class="board wall"' in wall
    panel = client.get("/board/wall/panel")
    assert panel.status_code == 200 and code in panel.get_data(as_text=True)
    assert "<html" not in panel.get_data(as_text=True) and "督办</button>" not in panel.get_data(as_text=True)


def test_reminder_from_the_department_page_once_per_click(app):
    code, lead = _late_campaign(app)
    client = user_client(app, "supervisor")
    page = client.get(f"/board/departments/{lead}").get_data(as_text=True)
    assert code in page and "督办该部门" in page
    token = csrf_token(client, f"/board/departments/{lead}")
    response = client.post(f"/board/departments/{lead}/remind", data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200 and "已督办" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Notification.id).where(Notification.kind == "supervision.remind"))


def test_screen_cannot_remind_and_officials_cannot_see_the_board(app):
    _, lead = _late_campaign(app)
    screen = user_client(app, "screen")
    token = csrf_token(screen, "/board/")
    assert screen.post(f"/board/departments/{lead}/remind", data={"csrf_token": token}).status_code == 403
    official = user_client(app, "scjg_01")
    assert official.get("/board/").status_code == 403
    assert official.get("/board/wall").status_code == 403
    assert "时限看板" not in official.get("/inbox/").get_data(as_text=True)


def test_forged_reminder_without_csrf_is_refused(app):
    _, lead = _late_campaign(app)
    client = user_client(app, "supervisor")
    assert client.post(f"/board/departments/{lead}/remind").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Notification.id).where(Notification.kind == "supervision.remind")) is None
