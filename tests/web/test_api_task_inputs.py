"""API drafts and evidence: the same services, checks and messages as the inspection page's buttons."""
import io

from sqlalchemy import select

from extensions import db
from models import Evidence, InspectionDraft, User, UserRole
from demo.county import DEMO_PASSWORD
from tests.e2e.journey import user_client
from tests.factories import campaign_at, open_tasks, plan_and_approve, scope

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


def _headers(client, username: str) -> dict:
    response = client.post("/api/v1/tokens", json={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _inspection_task(app, tmp_path) -> dict:
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    app.config["EVIDENCE_MAX_BYTES"] = 2048
    campaign_id, _ = campaign_at(app, "drawn", enterprises=1)
    [task] = open_tasks(app, campaign_id, "joint_inspection")
    return task


def _outsider(app, task: dict) -> str:
    with app.app_context():
        return db.session.scalars(select(User.username).join(UserRole).where(
            UserRole.role == "official", User.username.not_in(task["candidates"])).order_by(User.id)).first()


def _item(client, headers, task_id: int) -> int:
    form = client.get(f"/api/v1/tasks/{task_id}", headers=headers).get_json()["form"]
    return next(f for f in form["fields"] if f["type"] == "rows")["rows"][0]["key"]


def test_draft_over_the_api_is_what_the_page_shows(app, tmp_path):
    task = _inspection_task(app, tmp_path)
    client = app.test_client()
    headers = _headers(client, task["candidates"][0])
    item = _item(client, headers, task["id"])
    saved = client.put(f"/api/v1/tasks/{task['id']}/draft", headers=headers, json={"data": {
        "summary": "现场信号差，先存草稿", "items": [{"key": item, "result": "fail", "note": "灭火器过期"}]}})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["saved_at"].endswith("+08:00")

    page = user_client(app, task["candidates"][0]).get(f"/inbox/tasks/{task['id']}").get_data(as_text=True)
    assert "现场信号差，先存草稿" in page and "灭火器过期" in page and "草稿保存于" in page

    bad = client.put(f"/api/v1/tasks/{task['id']}/draft", headers=headers,
                     json={"data": {"items": "全部合格", "colour": "red"}})
    assert bad.status_code == 422 and bad.content_type == "application/problem+json"
    assert bad.get_json()["errors"] == {"items": ["应为逐行填写的列表，每行一个对象"], "colour": ["表单中没有该字段"]}
    assert client.put(f"/api/v1/tasks/{task['id']}/draft", headers=headers, json={}).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(InspectionDraft.data))["summary"] == "现场信号差，先存草稿"


def test_evidence_over_the_api_is_checked_like_the_page(app, tmp_path):
    task = _inspection_task(app, tmp_path)
    client = app.test_client()
    headers = _headers(client, task["candidates"][0])
    item = _item(client, headers, task["id"])
    url = f"/api/v1/tasks/{task['id']}/evidence"

    ok = client.post(url, headers=headers, content_type="multipart/form-data",
                     data={f"evidence.{item}": (io.BytesIO(JPEG), "IMG_0001.jpg")})
    assert ok.status_code == 201, ok.get_json()
    [row] = ok.get_json()["items"]
    assert row["original_name"] == "IMG_0001.jpg" and row["mime"] == "image/jpeg" and row["checklist_item_id"] == item

    # A script disguised as a PDF next to a good photo: refused in Chinese, neither stored.
    bad = client.post(url, headers=headers, content_type="multipart/form-data",
                      data={"evidence": [(io.BytesIO(JPEG + b"x"), "ok.jpg"), (io.BytesIO(b"#!/bin/sh\nrm -rf /"), "scan.pdf")]})
    assert bad.status_code == 422 and bad.content_type == "application/problem+json"
    assert "不是允许的类型" in bad.get_json()["errors"]["evidence"][0] and "均未保存" in bad.get_json()["detail"]
    unknown_item = client.post(url, headers=headers, content_type="multipart/form-data",
                               data={"evidence.999999": (io.BytesIO(JPEG), "a.jpg")})
    assert unknown_item.status_code == 422 and unknown_item.get_json()["errors"] == {"evidence": ["证据对应的检查项不存在"]}
    nothing = client.post(url, headers=headers, content_type="multipart/form-data", data={})
    assert nothing.status_code == 422 and nothing.get_json()["detail"] == "没有收到文件"
    with app.app_context():
        assert db.session.scalars(select(Evidence.original_name)).all() == ["IMG_0001.jpg"]


def test_someone_elses_task_is_refused_with_a_chinese_problem(app, tmp_path):
    task = _inspection_task(app, tmp_path)
    client = app.test_client()
    headers = _headers(client, _outsider(app, task))
    draft = client.put(f"/api/v1/tasks/{task['id']}/draft", headers=headers, json={"data": {"summary": "不是我的"}})
    upload = client.post(f"/api/v1/tasks/{task['id']}/evidence", headers=headers, content_type="multipart/form-data",
                         data={"evidence": (io.BytesIO(JPEG), "a.jpg")})
    for response in (draft, upload):
        assert response.status_code == 403 and response.content_type == "application/problem+json"
        assert response.get_json()["detail"] == "这不是您或您所在部门的任务"
    assert client.put("/api/v1/tasks/99999999/draft", headers=headers, json={"data": {}}).get_json()["detail"] == "任务不存在"
    with app.app_context():
        assert db.session.scalar(select(Evidence.id)) is None and db.session.scalar(select(InspectionDraft.id)) is None


def test_forms_without_drafts_or_files_say_so(app):
    s = scope(app, 2)
    campaign_id = plan_and_approve(app, s)
    [task] = open_tasks(app, campaign_id, "initiation")
    client = app.test_client()
    headers = _headers(client, "scjg_01")
    draft = client.put(f"/api/v1/tasks/{task['id']}/draft", headers=headers, json={"data": {"note": "x"}})
    assert draft.status_code == 409 and draft.get_json()["detail"] == "该任务的表单不能保存草稿"
    upload = client.post(f"/api/v1/tasks/{task['id']}/evidence", headers=headers, content_type="multipart/form-data",
                         data={"evidence": (io.BytesIO(JPEG), "a.jpg")})
    assert upload.status_code == 422 and upload.get_json()["errors"] == {"evidence": ["该任务的表单不接收证据文件"]}


def test_openapi_documents_draft_and_evidence(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "put" in paths["/tasks/{task_id}/draft"]
    upload = paths["/tasks/{task_id}/evidence"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"] and "201" in upload["responses"]
