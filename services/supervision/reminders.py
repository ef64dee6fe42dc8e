"""督办: a supervisor reminds a department of its overdue tasks, from the board, in one click.

The reminder goes to the department's admins (department-wide when it has none), and is recorded
once in the audit log for every campaign whose tasks it is about, so each campaign's history shows it.
A screen (大屏) account may look at the board but never remind.
"""
from dataclasses import dataclass

from sqlalchemy import select

from extensions import db
from models import Campaign, Department, HumanTask, User, UserRole
from services import audit
from services.errors import Forbidden, NotFound, ValidationFailed
from services.org import scope
from services.workflow import clock, timers

KIND = "supervision.remind"


@dataclass(frozen=True)
class Reminder:
    department: str
    overdue_tasks: int
    campaigns: int
    recipients: int


def remind(user: User, department_id: int, campaign_id: int | None = None) -> Reminder:
    if not user.has_role("supervisor", "admin"):
        raise Forbidden("只有联席会办公室可以督办")
    department = db.session.get(Department, department_id)
    if department is None or not scope.covers_department(user, department_id):
        raise NotFound("部门不存在")
    overdue = select(HumanTask.campaign_id).where(HumanTask.department_id == department_id,
                                                  HumanTask.status == "open", HumanTask.due_at < clock.now())
    if campaign_id is not None:
        overdue = overdue.where(HumanTask.campaign_id == campaign_id)
    campaign_ids = list(db.session.scalars(overdue))
    if not campaign_ids:
        raise ValidationFailed({"department": [f"{department.name}没有超时任务，无需督办"]})
    by_campaign = {cid: campaign_ids.count(cid) for cid in dict.fromkeys(campaign_ids)}
    codes = dict(db.session.execute(select(Campaign.id, Campaign.code)
                                    .where(Campaign.id.in_([c for c in by_campaign if c])))
                 .all())
    message = (f"督办：{department.name}有 {len(campaign_ids)} 项任务已超过办理时限"
               f"（{'、'.join(codes[c] for c in by_campaign if c in codes) or '无关联行动'}），请尽快办理。")
    admins = list(db.session.scalars(select(User.id).join(UserRole).where(
        User.department_id == department_id, UserRole.role == "department_admin", User.active.is_(True))))
    link = f"/board/departments/{department_id}"
    if admins:
        for admin_id in admins:
            timers.notify(message, KIND, user_id=admin_id, campaign_id=campaign_id, link=link)
    else:
        timers.notify(message, KIND, department_id=department_id, campaign_id=campaign_id, link=link)
    for cid, count in by_campaign.items():
        audit.record(user, KIND, "department", department_id, campaign_id=cid, department=department.name,
                     overdue_tasks=count)
    db.session.commit()
    return Reminder(department.name, len(campaign_ids), len(by_campaign), len(admins) or 1)
