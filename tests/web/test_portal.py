"""The enterprise portal: login by USCC and a one-time code from the outbox, its own published inspections only,
and the guards (no enumeration, single-use expiring codes, limits, another enterprise's record)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Enterprise, Inspection, LoginCode, OutboxMessage
from services.workflow import clock
from tests import factories
from tests.conftest import csrf_token

UNKNOWN = "91310115MA1K3CUM7M"  # well-formed, not in the demo directory


def _ask(client, uscc: str):
    return client.post("/enterprise/login", data={"csrf_token": csrf_token(client, "/enterprise/login"), "uscc": uscc})


def _code_sent_to(app, enterprise_id: int) -> str:
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).where(OutboxMessage.enterprise_id == enterprise_id)
                                  .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"验证码为 (\d{6})", body).group(1)


def _enter(client, code: str):
    return client.post("/enterprise/login/code", data={"csrf_token": csrf_token(client, "/enterprise/login/code"),
                                                       "code": code})


def _login(app, client, enterprise_id: int) -> None:
    with app.app_context():
        uscc = db.session.get(Enterprise, enterprise_id).uscc
    assert _ask(client, uscc).status_code == 302
    assert _enter(client, _code_sent_to(app, enterprise_id)).status_code == 302


@pytest.fixture
def published(app):
    """A campaign published and diagnosed: (campaign id, the inspection with a problem, one without)."""
    campaign_id, _ = factories.campaign_at(app, "diagnosed", enterprises=2)
    with app.app_context():
        found = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)
                                   .order_by(Inspection.id)).all()
        problem = next(i for i in found if i.result_code == "02")
        clean = next(i for i in found if i.result_code == "01")
        return campaign_id, (problem.id, problem.enterprise_id), (clean.id, clean.enterprise_id)


def test_enterprise_logs_in_with_the_code_and_sees_its_findings(app, published):
    _, (inspection_id, enterprise_id), _ = published
    client = app.test_client()
    _login(app, client, enterprise_id)
    page = client.get("/enterprise/").get_data(as_text=True)
    assert "我的检查" in page and "发现问题待后续处理" in page and "整改期限" in page
    detail = client.get(f"/enterprise/inspections/{inspection_id}").get_data(as_text=True)
    assert "逐项检查情况" in detail and "不符合" in detail and "符合" in detail
    with app.app_context():
        officers = [o.user.display_name for o in db.session.get(Inspection, inspection_id).officers]
    assert officers and not any(name in detail for name in officers)  # the result names departments, not officers


def test_another_enterprises_record_is_not_found(app, published):
    _, (problem_id, _), (clean_id, clean_enterprise) = published
    client = app.test_client()
    _login(app, client, clean_enterprise)
    assert client.get(f"/enterprise/inspections/{clean_id}").status_code == 200
    assert client.get(f"/enterprise/inspections/{problem_id}").status_code == 404
    assert client.get("/enterprise/inspections/999999").status_code == 404


def test_unpublished_inspections_do_not_exist_for_the_enterprise(app):
    campaign_id, _ = factories.campaign_at(app, "drawn", enterprises=2)
    with app.app_context():
        inspection = db.session.scalars(select(Inspection).where(Inspection.campaign_id == campaign_id)).first()
        ids = (inspection.id, inspection.enterprise_id)
    client = app.test_client()
    _login(app, client, ids[1])
    assert "暂无已公示的检查记录" in client.get("/enterprise/").get_data(as_text=True)
    assert client.get(f"/enterprise/inspections/{ids[0]}").status_code == 404


def test_unknown_uscc_gets_the_same_answer_and_no_message(app):
    with app.app_context():
        known = db.session.scalars(select(Enterprise.uscc).where(Enterprise.contact_mobile.is_not(None))).first()
    answers = []
    for uscc in (known, UNKNOWN):
        client = app.test_client()
        response = _ask(client, uscc)
        follow = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append((response.status_code, response.headers["Location"], "验证码已发送" in follow))
    assert answers[0] == answers[1] == (302, "/enterprise/login/code", True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        assert db.session.scalar(select(func.count()).select_from(LoginCode).where(LoginCode.uscc == UNKNOWN)) == 1
    client = app.test_client()
    _ask(client, UNKNOWN)
    assert _enter(client, "000000").status_code == 422  # nothing to log into


def test_code_is_single_use_expires_and_dies_after_wrong_tries(app, published):
    _, (_, enterprise_id), _ = published
    with app.app_context():
        uscc = db.session.get(Enterprise, enterprise_id).uscc
        stored = db.session.scalars(select(LoginCode.code_hash)).all()
    client = app.test_client()
    _ask(client, uscc)
    code = _code_sent_to(app, enterprise_id)
    with app.app_context():
        assert all(code not in h for h in db.session.scalars(select(LoginCode.code_hash)).all() + stored)
    assert _enter(client, code).status_code == 302
    client.post("/enterprise/logout", data={"csrf_token": csrf_token(client, "/enterprise/")})
    other = app.test_client()
    with other.session_transaction() as session:
        session["portal_uscc"] = uscc
    assert _enter(other, code).status_code == 422  # used
    _ask(other, uscc)
    fresh = _code_sent_to(app, enterprise_id)
    clock.advance(timedelta(minutes=6))
    response = _enter(other, fresh)
    assert response.status_code == 422 and "验证码错误或已失效" in response.get_data(as_text=True)  # expired
    clock.reset()
    _ask(other, uscc)
    last = _code_sent_to(app, enterprise_id)
    for _ in range(5):
        assert _enter(other, "999999" if last != "999999" else "111111").status_code == 422
    assert _enter(other, last).status_code == 422  # too many wrong tries: the right code no longer works


def test_requests_per_uscc_are_limited(app):
    client = app.test_client()
    for _ in range(5):
        assert _ask(client, UNKNOWN).status_code == 302
    response = _ask(client, UNKNOWN)
    assert response.status_code == 429 and "过于频繁" in response.get_data(as_text=True)


def test_malformed_uscc_is_refused_in_words(app):
    response = _ask(app.test_client(), "12345")
    assert response.status_code == 422 and "请输入正确的 18 位统一社会信用代码" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginCode)) == 0


def test_portal_pages_need_the_enterprise_login_not_an_official_one(app, published):
    _, (inspection_id, _), _ = published
    from tests.e2e.journey import user_client
    official = user_client(app, "scjg_01")
    assert official.get("/enterprise/").headers["Location"].endswith("/enterprise/login")
    assert official.get(f"/enterprise/inspections/{inspection_id}").status_code == 302


def test_login_page_in_english(app):
    client = app.test_client()
    client.set_cookie("lang", "en")
    page = client.get("/enterprise/login").get_data(as_text=True)
    assert "Enterprise login" in page and "Send me a code" in page and "企业登录" not in page


def test_the_code_is_sent_after_the_answer_and_a_failing_channel_leaves_it_for_the_worker(app):
    """The answer to a login request does not wait for the channel (its timing would tell a registered USCC);
    the message goes out when the answer has been sent, and a channel that fails leaves it for the worker."""
    with app.app_context():
        known = db.session.scalars(select(Enterprise.uscc).where(Enterprise.contact_mobile.is_not(None))).first()
    client = app.test_client()
    response = _ask(client, known)
    with app.app_context():
        queued = db.session.scalars(select(OutboxMessage)).one()
        assert (response.status_code, queued.kind, queued.status) == (302, "login_code", "pending")
    response.close()  # what the WSGI server does once the answer has been written
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.status)).one() == "sent"

    app.config.update(OUTBOX_CHANNEL="webhook", OUTBOX_WEBHOOK_URL="")  # a gateway that cannot be reached
    client = app.test_client()
    response = _ask(client, known)
    response.close()
    assert response.status_code == 302
    with app.app_context():
        failed = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
        assert failed.status == "failed" and "OUTBOX_WEBHOOK_URL" in failed.error and failed.attempts == 1
