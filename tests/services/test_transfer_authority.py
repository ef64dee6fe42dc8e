"""A transfer's receiving authority must be of the kind its name says: one rule for every kind (a police name is
公安机关, a court or procuratorate 司法机关, an "other administrative" authority neither). A contradiction is
refused in zh-CN on the diagnosis form and over the API, and nothing is stored."""
import pytest
from sqlalchemy import func, select

from demo.county import DEMO_PASSWORD
from domain import authorities
from extensions import db
from models import Diagnosis, HandlingDecision, Transfer
from tests import factories
from tests.e2e.journey import submit, user_client


@pytest.mark.parametrize("name, kind", [
    ("蕲春县公安局", "public_security"), ("漕河派出所", "public_security"), ("蕲春县森林警察大队", "public_security"),
    ("蕲春县人民法院", "judicial"), ("黄冈市人民检察院", "judicial"), ("蕲春县应急管理局", None), ("", None)])
def test_the_name_says_the_kind_or_nothing(name, kind):
    assert authorities.kind_of_name(name) == kind


@pytest.mark.parametrize("name, chosen", [
    ("某某县公安局", "administrative"), ("某某县人民法院", "administrative"), ("某某县人民检察院", "administrative"),
    ("某某县公安局", "judicial"), ("某某县人民法院", "public_security")])
def test_every_kind_that_contradicts_the_name_is_refused(name, chosen):
    message = authorities.name_conflict(name, chosen)
    assert message.startswith(f"接收机关「{name}」是") and f"不能选“{authorities.KINDS[chosen]}”" in message


@pytest.mark.parametrize("name, chosen", [
    ("某某县公安局", "public_security"), ("某某县人民检察院", "judicial"), ("某某县应急管理局", "administrative"),
    ("某某县森林公安分局", "public_security")])
def test_a_kind_that_agrees_with_the_name_passes(name, chosen):
    assert authorities.name_conflict(name, chosen) is None


def _stored(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Transfer, HandlingDecision, Diagnosis))


def test_a_police_bureau_chosen_as_administrative_is_refused_on_the_form_and_over_the_api(app):
    campaign_id, _ = factories.campaign_at(app, "published")
    factories.give_opinions(app, campaign_id)
    [task] = factories.open_tasks(app, campaign_id, "diagnosis")
    with app.app_context():
        [row, *others] = factories.tasks.task_form(factories.user("scjg_01"), task["id"]).context.rows["problem_inspections"]
        enterprise = row.label.split("（")[0]
    before = _stored(app)
    expected = f"{enterprise}：接收机关「某某县公安局」是公安机关，接收机关类别应选“公安机关”，不能选“其他行政机关”"

    lead = user_client(app, "scjg_01")
    form = [("assessment", "分类处置"), (f"handling.{row.key}.handling", "transfer"),
            (f"handling.{row.key}.note", "涉嫌犯罪"), (f"handling.{row.key}.authority", "某某县公安局"),
            (f"handling.{row.key}.authority_kind", "administrative")]
    page = submit(lead, task["id"], form, expect=422).get_data(as_text=True)
    assert expected in page
    assert _stored(app) == before

    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "scjg_01", "password": DEMO_PASSWORD}).get_json()["token"]
    answer = client.post(f"/api/v1/tasks/{task['id']}/complete", headers={"Authorization": f"Bearer {token}"},
                         json={"data": {"assessment": "分类处置", "handling": [
                             {"key": row.key, "handling": "transfer", "note": "涉嫌犯罪", "authority": "某某县人民法院",
                              "authority_kind": "administrative"}]}})
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["handling"] == [
        f"{enterprise}：接收机关「某某县人民法院」是司法机关，接收机关类别应选“司法机关”，不能选“其他行政机关”"]
    assert _stored(app) == before
    assert factories.open_tasks(app, campaign_id, "diagnosis")[0]["id"] == task["id"]  # still open

    submit(lead, task["id"], form[:-1] + [(f"handling.{row.key}.authority_kind", "public_security")])
    with app.app_context():
        transfer = db.session.scalars(select(Transfer)).one()
        assert (transfer.authority, transfer.authority_kind) == ("某某县公安局", "public_security")
