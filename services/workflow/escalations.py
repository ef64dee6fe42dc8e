"""SLA escalations: a human task or a campaign stage past its deadline notifies, once.

The deadline is a Timer row scheduled when the task or stage starts (from the runtime's
save hook) and cancelled when it ends in time. When it fires, the supervisors and the
responsible department get an in-app notice. A subject gets at most one escalation timer
ever (fired rows count), so nothing escalates twice.
"""
from datetime import datetime
from typing import Iterable

from flask import current_app
from sqlalchemy import bindparam, select, update

from extensions import db, execute_core
from models import Campaign, CampaignStage, HumanTask, Inspection, Timer, User, WorkflowInstance
from services import audit
from services.org import scope
from services.workflow import clock
from services.workflow import sla
from services.workflow import timers

TASK_KIND = "sla.task"
STAGE_KIND = "sla.stage"
STAGE_SUBJECT = "campaign_stage"
# Notice text is stored, so it needs the labels here (web/filters.py has the same ones for pages).
STAGE_LABELS = {
    "plan": "年度计划", "initiation": "发起与报到", "draw": "双随机抽取", "joint_inspection": "联合检查",
    "publication": "结果公示", "diagnosis": "会诊处置", "follow_up": "后续监管", "review": "绩效考核",
}
# A complaint's targeted inspection has no 会诊: its "diagnosis" stage is the lead's handling decision.
KIND_STAGE_LABELS = {"complaint": {"diagnosis": "分类处置"}}


def stage_label(stage: str, kind: str | None = None) -> str:
    return KIND_STAGE_LABELS.get(kind, {}).get(stage) or STAGE_LABELS.get(stage, stage)


def stage_sla_days(stage: str) -> int | None:
    return current_app.config["STAGE_SLA_WORKING_DAYS"].get(stage)


def sync_instance(instance: WorkflowInstance) -> None:
    """Schedule escalations for the instance's new deadlines, cancel those of finished work.

    Runs on every save, so its cost must not grow with the campaign: the instance's own (few) tasks are
    read by instance_id first, then their timers by task_id. A single query filtering on status too let
    SQLite walk every open task / pending timer of all cases (ix_..._open_due, ix_timer_pending_due):
    10,000 rows per completion in a campaign of 10,000 enterprises."""
    own = db.session.execute(select(HumanTask.id, HumanTask.status, HumanTask.due_at, HumanTask.campaign_id)
                             .where(HumanTask.instance_id == instance.id)).all()
    escalation = {task_id: (timer_id, status) for timer_id, task_id, status in db.session.execute(
        select(Timer.id, Timer.task_id, Timer.status).where(Timer.task_id.in_([t.id for t in own]),
                                                            Timer.kind == TASK_KIND))}
    for task in own:
        if task.status == "open" and task.due_at is not None and task.id not in escalation:
            timers.schedule(TASK_KIND, task.due_at, task_id=task.id, campaign_id=task.campaign_id,
                            subject_type="human_task", subject_id=task.id)
    timers.cancel_ids([escalation[t.id][0] for t in own
                       if t.status != "open" and escalation.get(t.id, (None, None))[1] == "pending"])
    if instance.campaign_id is not None and instance.inspection_id is None:
        sync_stage_timers(db.session.get(Campaign, instance.campaign_id))


def sync_step(instance: WorkflowInstance, completed: HumanTask, cancelled: list[str],
              created: list) -> None:
    """`sync_instance` for one completion, from what it changed: the completed task, the spiff ids of the
    tasks it cancelled and the rows it created (runtime.NewTask: id, campaign_id, due_at). The ended tasks'
    pending escalations are cancelled, the new tasks' deadlines scheduled; a new task never had an escalation,
    a task without a deadline never got one."""
    timer = Timer.__table__  # Core: no Timer object is in the session to keep in step
    if cancelled:
        ended = sorted(cancelled) + ([completed.spiff_task_id] if completed.due_at is not None else [])
        db.session.execute(update(timer).where(
            timer.c.kind == TASK_KIND, timer.c.status == "pending",
            timer.c.task_id.in_(select(HumanTask.id).where(HumanTask.instance_id == instance.id,
                                                           HumanTask.spiff_task_id.in_(ended))))
            .values(status="cancelled"))
    elif completed.due_at is not None:  # the usual step: only the completed task's escalation ends
        execute_core(_CANCEL_TASK_ESCALATION, {"completed_id": completed.id})
    timers.schedule_each(TASK_KIND, [{"due_at": task.due_at, "task_id": task.id, "campaign_id": task.campaign_id,
                                      "subject_type": "human_task", "subject_id": task.id}
                                     for task in created if task.due_at is not None])
    if instance.campaign_id is not None and instance.inspection_id is None:
        sync_stage_timers(db.session.get(Campaign, instance.campaign_id))


_timers = Timer.__table__
# Built once: a statement built per call also has its cache key computed per call, which costs more than the run.
_CANCEL_TASK_ESCALATION = (update(_timers).where(_timers.c.kind == TASK_KIND, _timers.c.status == "pending",
                                                 _timers.c.task_id == bindparam("completed_id"))
                           .values(status="cancelled"))


def sync_stage_timers(campaign: Campaign) -> None:
    """A running stage has its deadline's timer (scheduled once), a stage that is over has none pending."""
    stage_ids = [s.id for s in campaign.stages]
    timed = {t.subject_id: t for t in db.session.scalars(select(Timer).where(
        Timer.subject_type == STAGE_SUBJECT, Timer.subject_id.in_(stage_ids), Timer.kind == STAGE_KIND))}
    ended = []
    for stage in campaign.stages:
        timer = timed.get(stage.id)
        if stage.left_at is not None or campaign.status != "active":
            if timer is not None and timer.status == "pending":
                ended.append(timer.id)
        elif timer is None:
            deadline = sla.stage_deadline(campaign, stage.stage, stage.entered_at, stage_sla_days(stage.stage))
            if deadline is not None:
                timers.schedule(STAGE_KIND, deadline[0], campaign_id=campaign.id, subject_type=STAGE_SUBJECT,
                                subject_id=stage.id, stage=stage.stage, **deadline[1])
    timers.cancel_ids(ended)


def escalate(message: str, kind: str, *, supervisors: Iterable[User] = (), departments: Iterable[int | None] = (),
             campaign_id: int | None = None, link: str | None = None) -> None:
    """Tell whom a late piece of work concerns, in the caller's words: each supervisor in person, then each
    department once (one named twice, or None, is skipped). Every "overdue → notify" timer handler comes here."""
    for supervisor in supervisors:
        timers.notify(message, kind, user_id=supervisor.id, campaign_id=campaign_id, link=link)
    for department_id in dict.fromkeys(d for d in departments if d is not None):
        timers.notify(message, kind, department_id=department_id, campaign_id=campaign_id, link=link)


def _bjt(moment: datetime) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M")


def task_overdue(timer: Timer) -> None:
    task = db.session.get(HumanTask, timer.task_id)
    if task is None or task.status != "open":
        return
    campaign = db.session.get(Campaign, task.campaign_id) if task.campaign_id else None
    department_id = task.department_id or (campaign.lead_department_id if campaign else None)
    where = f"（{campaign.title}，{campaign.code}）" if campaign else ""
    # Name the enterprise: a campaign has one joint-inspection task per enterprise, all with the same title.
    inspection = db.session.get(Inspection, task.inspection_id) if task.inspection_id else None
    about = f"{inspection.enterprise.name} 的" if inspection else ""
    escalate(f"{about}任务「{task.title}」{where}已超过办理时限 {_bjt(task.due_at)}，请尽快办理。", TASK_KIND,
             supervisors=scope.supervisors_over(campaign.region_id if campaign else None),
             departments=[department_id], campaign_id=task.campaign_id, link=f"/inbox/tasks/{task.id}")
    audit.record(None, "sla.task_overdue", "human_task", task.id, campaign_id=task.campaign_id,
                 due_at=task.due_at.isoformat(), department_id=department_id)


def stage_overdue(timer: Timer) -> None:
    stage = db.session.get(CampaignStage, timer.subject_id)
    if stage is None or stage.left_at is not None or stage.campaign.status != "active":
        return
    campaign = stage.campaign
    label = stage_label(stage.stage, campaign.kind)
    limit = f"{timer.payload['sla_hours']} 小时" if timer.payload.get("sla_hours") else \
        f"{timer.payload.get('sla_days')} 个工作日"
    escalate(f"检查活动「{campaign.title}」（{campaign.code}）在「{label}」阶段已超过 "
             f"{limit}的时限（{_bjt(timer.due_at)}），请督办。", STAGE_KIND,
             supervisors=scope.supervisors_over(campaign.region_id), departments=[campaign.lead_department_id],
             campaign_id=campaign.id)
    audit.record(None, "sla.stage_overdue", "campaign_stage", stage.id, campaign_id=campaign.id,
                 stage=stage.stage, due_at=timer.due_at.isoformat())
