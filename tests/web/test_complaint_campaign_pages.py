"""A complaint's targeted-inspection campaign sits beside the drawn ones: the pages that list campaigns still open."""
from sqlalchemy import select

from extensions import db
from models import Complaint
from tests.conftest import login
from tests.factories import open_tasks
from tests.services.test_selection_kpis import _targeted
from tests.factories import scope


def test_pages_listing_campaigns_open_with_a_complaint_campaign(app):
    s = scope(app, 4)
    inspection_id = _targeted(app, s)
    with app.app_context():
        complaint = db.session.scalars(select(Complaint)).one()
        campaign_id = complaint.inspection.campaign_id
    [task] = open_tasks(app, campaign_id, "joint_inspection")
    for username, paths in (("supervisor", ["/campaigns/", f"/campaigns/{campaign_id}", "/dashboard/", "/board/",
                                            "/reports/review", "/complaints/", f"/complaints/{complaint.id}"]),
                            (task["candidates"][0], ["/inbox/", f"/inbox/tasks/{task['id']}", "/campaigns/"])):
        client = app.test_client()
        login(client, username)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (username, path, response.status_code)
            page = response.get_data(as_text=True)
            assert "投诉举报定向检查" in page or path not in ("/campaigns/", f"/campaigns/{campaign_id}")
    assert inspection_id
