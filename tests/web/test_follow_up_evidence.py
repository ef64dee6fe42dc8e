"""Follow-up evidence: the rectification form takes photos/PDFs (same checks and storage as inspection evidence);
the re-inspection shows what the enterprise said it fixed, with its files."""
import io

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from extensions import db
from models import Evidence, FollowUp, HumanTask, Inspection, User, UserRole
from tests.conftest import csrf_token
from tests import factories
from tests.e2e.journey import open_tasks, submit, user_client

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64


def _at_rectification(app):
    s = factories.scope(app, 2)
    campaign_id = factories.plan_and_approve(app, s)
    factories.initiate(app, s, campaign_id)
    factories.report_in(app, s, campaign_id)
    tasks = open_tasks(app, campaign_id, "joint_inspection")
    for i, task in enumerate(tasks):
        factories.sign_off(app, campaign_id, task, problem=i == 0)
    factories.publish(app, campaign_id)
    factories.give_opinions(app, campaign_id)
    [diagnosis] = open_tasks(app, campaign_id, "diagnosis")
    first = tasks[0]["inspection_id"]
    submit(user_client(app, "scjg_01"), diagnosis["id"], [("assessment", "个别企业存在问题"),
                                                          (f"handling.{first}.handling", "rectify"),
                                                          (f"handling.{first}.reinspect", "on")])
    [rectification] = open_tasks(app, campaign_id, "rectification")
    return campaign_id, rectification


def _outsider(app, inspection_id: int) -> str:
    """An official who neither inspected this enterprise nor works for the lead department (the draw is random)."""
    with app.app_context():
        inspection = db.session.get(Inspection, inspection_id)
        return db.session.scalars(select(User.username).join(UserRole).where(
            UserRole.role == "official", User.id.not_in([o.user_id for o in inspection.officers]),
            User.department_id != inspection.campaign.lead_department_id).order_by(User.id)).first()


def _post(client, task_id, fields, files):
    data = MultiDict([("csrf_token", csrf_token(client, f"/inbox/tasks/{task_id}")), *fields])
    for name, content in files:
        data.add("evidence", (io.BytesIO(content), name))
    return client.post(f"/inbox/tasks/{task_id}", data=data, content_type="multipart/form-data")


def test_rectification_takes_photos_and_pdfs_and_the_reinspection_shows_them(app, tmp_path):
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    campaign_id, task = _at_rectification(app)
    officer = user_client(app, task["candidates"][0])
    page = officer.get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and 'type="file" name="evidence"' in page

    # a file that is not a photo or PDF: refused in words, nothing stored, the task still open
    refused = _post(officer, task["id"], [("rectified", "yes"), ("rectification", "已更换灭火器")],
                    [("整改.exe", b"MZ\x90\x00" + b"\x00" * 60)])
    assert refused.status_code == 422 and "不是允许的类型" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
        assert db.session.get(HumanTask, task["id"]).status == "open"

    done = _post(officer, task["id"], [("rectified", "yes"), ("rectification", "已更换灭火器并张贴检查标签"),
                                       ("evidence", "更换后照片、采购票据")],
                 [("更换后.png", PNG), ("采购票据.pdf", PDF)])
    assert done.status_code == 302
    with app.app_context():
        follow_up = db.session.scalars(select(FollowUp).where(FollowUp.campaign_id == campaign_id)).one()
        files = db.session.scalars(select(Evidence).where(Evidence.follow_up_id == follow_up.id)).all()
        assert sorted(f.original_name for f in files) == ["更换后.png", "采购票据.pdf"]
        assert {f.mime for f in files} == {"image/png", "application/pdf"}

    [reinspection] = open_tasks(app, campaign_id, "reinspection")
    inspector = user_client(app, reinspection["candidates"][0])
    html = inspector.get(f"/inbox/tasks/{reinspection['id']}").get_data(as_text=True)
    assert "企业报告的整改情况" in html and "已更换灭火器并张贴检查标签" in html and "更换后照片、采购票据" in html
    assert "更换后.png" in html and "采购票据.pdf" in html
    [link] = [f for f in files if f.original_name == "更换后.png"]
    shown = inspector.get(f"/evidence/{link.id}")
    assert shown.status_code == 200 and shown.data == PNG
    assert user_client(app, _outsider(app, link.inspection_id)).get(f"/evidence/{link.id}").status_code == 403
