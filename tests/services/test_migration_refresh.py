"""A migrated instance's open tasks take due date, title, form, lane and stage from the new version."""
from pathlib import Path

from sqlalchemy import select

from extensions import db
from models import AuditRecord, HumanTask, Timer
from services.workflow import calendar
from services.workflow import escalations
from services.workflow import migration
from services.workflow import runtime
from services.workflow.deployments import deploy
from tests.factories import plan_and_approve, scope

CAMPAIGN = (Path(__file__).resolve().parents[2] / "workflows" / "campaign.bpmn").read_text(encoding="utf-8")


def _v2() -> str:
    xml = CAMPAIGN.replace('name="slaDays" value="5" />', 'name="slaDays" value="8" />', 1)
    xml = xml.replace('name="牵头部门吹哨"', 'name="牵头部门吹哨（修订）"', 1)
    # initiation moves from the lead department's lane to the supervisor's
    xml = xml.replace("        <bpmn:flowNodeRef>initiation</bpmn:flowNodeRef>\n", "", 1)
    return xml.replace("<bpmn:flowNodeRef>special_approval</bpmn:flowNodeRef>",
                       "<bpmn:flowNodeRef>special_approval</bpmn:flowNodeRef>\n"
                       "        <bpmn:flowNodeRef>initiation</bpmn:flowNodeRef>", 1)


def _open_initiation(instance_id: int) -> HumanTask:
    return db.session.scalars(select(HumanTask).where(
        HumanTask.instance_id == instance_id, HumanTask.status == "open",
        HumanTask.element_id == "initiation")).one()


def test_migration_recomputes_open_task_due_date_title_and_lane(app):
    s = scope(app, 2)
    campaign_id = plan_and_approve(app, s)  # waits at initiation (slaDays 5, lead department)
    with app.app_context():
        from models import User
        designer = db.session.scalars(select(User).where(User.username == "designer")).one()
        instance_id = runtime.campaign_instance(campaign_id).id
        before = _open_initiation(instance_id)
        task_id, created, old_due = before.id, before.created_at, before.due_at
        assert before.department_id is not None and before.role == "official"
        assert old_due == calendar.working_deadline(created, 5)
        deploy(_v2(), "test", designer)
        migration.migrate_instance(designer, instance_id)
        after = _open_initiation(instance_id)
        assert after.id == task_id  # same engine task, same row: refreshed, not reopened
        assert after.due_at == calendar.working_deadline(created, 8) and after.due_at > old_due
        assert after.title == "牵头部门吹哨（修订）" and after.lane == "联席会办公室"
        assert after.role == "supervisor" and after.department_id is None and after.claimed_by_id is None
        pending = db.session.scalars(select(Timer).where(
            Timer.task_id == task_id, Timer.kind == escalations.TASK_KIND, Timer.status == "pending")).all()
        assert [t.due_at for t in pending] == [after.due_at]  # the escalation follows the new deadline
        record = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "process.migrate")).one()
        refreshed = record.detail["refreshed_tasks"][0]
        assert refreshed["task_id"] == task_id and refreshed["due_at"][1] == after.due_at.isoformat()
        assert refreshed["lane"] == ["牵头部门", "联席会办公室"]
