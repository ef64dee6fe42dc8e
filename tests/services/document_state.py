"""Campaign state the document tests start from, built through the public services (tests/factories.py):
a problem enterprise whose diagnosis chose a transfer, or a rectification with a re-inspection done."""
from sqlalchemy import select

from extensions import db
from models import Inspection
from services.workflow import tasks
from tests import factories


def diagnose_problem_as(app, campaign_id: int, **choice) -> None:
    """The lead's diagnosis with the problem enterprise's handling changed to `choice` (others as suggested),
    after every 会诊 member has given its opinion."""
    factories.give_opinions(app, campaign_id)
    [task] = factories.open_tasks(app, campaign_id, "diagnosis")
    with app.app_context():
        view = tasks.task_form(factories.user("scjg_01"), task["id"])
        handling = [{"key": r.key, **view.context.initial["handling"][r.key], "note": None}
                    for r in view.context.rows["problem_inspections"]]
    handling[0].update(choice)
    factories.complete(app, "scjg_01", task["id"], {"assessment": "个别企业存在问题", "handling": handling})


def _finish(app, campaign_id: int, form_key: str, data: dict) -> None:
    for task in factories.open_tasks(app, campaign_id, form_key):
        who = task["candidates"][0] if task["candidates"] else factories._department_user(app, task)
        factories.complete(app, who, task["id"], data)


def reinspected(app) -> tuple[int, int]:
    """(campaign id, problem inspection id) after a rectification and a re-inspection that confirmed it."""
    campaign_id, _ = factories.campaign_at(app, "published", enterprises=2)
    diagnose_problem_as(app, campaign_id, handling="rectify", reinspect=True)
    _finish(app, campaign_id, "rectification", {"rectified": "yes", "rectification": "已更换过期灭火器"})
    _finish(app, campaign_id, "reinspection", {"confirmed": "yes", "finding": "现场复查灭火器均在有效期内"})
    return campaign_id, problem_inspection(app, campaign_id)


def transferred(app) -> tuple[int, int]:
    """(campaign id, problem inspection id) after the diagnosis transferred the problem enterprise to the police."""
    campaign_id, _ = factories.campaign_at(app, "published", enterprises=2)
    diagnose_problem_as(app, campaign_id, handling="transfer", authority="蕲春县公安局", authority_kind="public_security", note="涉嫌生产销售伪劣产品")
    return campaign_id, problem_inspection(app, campaign_id)


def problem_inspection(app, campaign_id: int) -> int:
    with app.app_context():
        return db.session.scalars(select(Inspection.id).where(Inspection.campaign_id == campaign_id,
                                                              Inspection.result_code == "02")).one()
