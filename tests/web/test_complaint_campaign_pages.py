"""A complaint's targeted-inspection campaign sits beside the drawn ones: the pages that list campaigns still open."""
from sqlalchemy import select

from extensions import db
from models import Complaint
from tests.conftest import login
from tests.factories import open_tasks, scope
from tests.services.test_selection_kpis import _targeted


def test_pages_listing_campaigns_open_with_a_complaint_campaign(app):
    _targeted(app, scope(app, 4))
    with app.app_context():
        complaint = db.session.scalars(select(Complaint)).one()
        campaign_id = complaint.inspection.campaign_id
    [task] = open_tasks(app, campaign_id, "joint_inspection")
    named = {"/campaigns/", f"/campaigns/{campaign_id}"}  # these name the campaign's kind
    for username, paths in (("supervisor", ["/campaigns/", f"/campaigns/{campaign_id}", "/dashboard/", "/board/",
                                            "/reports/review", "/complaints/", f"/complaints/{complaint.id}"]),
                            (task["candidates"][0], ["/inbox/", f"/inbox/tasks/{task['id']}", "/campaigns/"])):
        client = app.test_client()
        login(client, username)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (username, path, response.status_code)
            if path in named:
                assert "投诉举报定向检查" in response.get_data(as_text=True), path
