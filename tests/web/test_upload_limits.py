"""Oversized uploads are refused by Content-Length before the body is read, with a zh-CN page or problem+json."""
import io
from pathlib import Path

import pytest

from services.designer.processes import MAX_UPLOAD_BYTES
from tests.conftest import csrf_token, login

ROOT = Path(__file__).resolve().parents[2]

MB = 1024 * 1024


def _post_claiming(client, path: str, length: int, **headers):
    # A few real bytes, a Content-Length above the limit: the server must refuse without reading the body.
    return client.post(path, data=b"--x--\r\n", content_type="multipart/form-data; boundary=x",
                       headers=headers, environ_overrides={"CONTENT_LENGTH": str(length)})


@pytest.mark.parametrize("user, path, limit", [
    ("designer", "/designer/import", MAX_UPLOAD_BYTES),
    ("admin", "/directory/import", 20 * MB),
    ("scjg_01", "/inbox/tasks/1", 25 * MB),
])
def test_oversized_upload_gets_a_clear_413_page(app, user, path, limit):
    client = app.test_client()
    login(client, user)
    response = _post_claiming(client, path, limit + 65 * 1024 + 1)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "上传内容过大" in html and f"超过 {limit // MB} MB" in html


def test_app_wide_limit_applies_to_every_post(app):
    client = app.test_client()
    response = _post_claiming(client, "/auth/login", app.config["MAX_CONTENT_LENGTH"] + 1)
    assert response.status_code == 413 and "超过 25 MB" in response.get_data(as_text=True)


def test_oversized_request_as_problem_json(app):
    client = app.test_client()
    login(client, "designer")
    response = _post_claiming(client, "/designer/import", 3 * MB, Accept="application/json")
    assert response.status_code == 413 and response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["title"] == "上传内容过大" and body["limit_bytes"] == MAX_UPLOAD_BYTES + 64 * 1024
    api = _post_claiming(app.test_client(), "/api/v1/campaigns", 26 * MB)
    assert api.status_code == 413 and api.get_json()["status"] == 413


def test_upload_within_the_limit_is_imported(app):
    """The early check must not refuse a real file near the limit: it is read, validated and kept as a draft."""
    client = app.test_client()
    login(client, "designer")
    model = (ROOT / "workflows" / "enterprise_case.bpmn").read_bytes()
    padded = model + b"\n" + b" " * (MAX_UPLOAD_BYTES - len(model) - 1)  # whitespace after the root is valid XML
    assert len(padded) == MAX_UPLOAD_BYTES
    token = csrf_token(client, "/designer/import")
    response = client.post("/designer/import", data={"csrf_token": token, "file": (io.BytesIO(padded), "case.bpmn")})
    assert response.status_code == 302 and "/designer/edit?draft=" in response.headers["Location"]
    assert "已导入为草稿" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_streamed_body_without_content_length_stops_at_the_limit(app):
    import io
    client = app.test_client()
    login(client, "designer")
    body = b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bpmn\"\r\n\r\n" + b" " * (3 * MB)
    response = client.post("/designer/import", input_stream=io.BytesIO(body),
                           content_type="multipart/form-data; boundary=x", headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413 and "上传内容过大" in response.get_data(as_text=True)
