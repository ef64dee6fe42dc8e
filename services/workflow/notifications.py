"""In-app notices: what a person sees (addressed to them, or to their department) and marking them read.

A notice to a department is one row; each member reads it for themself (a receipt row),
so one colleague opening it does not hide it from the others.
"""
from dataclasses import dataclass

from sqlalchemy import and_, exists, false, func, or_, select

from extensions import db
from models import Notification, NotificationReceipt, User
from services import audit
from services.workflow import clock
from services.errors import NotFound


@dataclass(frozen=True)
class Notice:
    notification: Notification
    read: bool


def _visible(user: User):
    to_department = (and_(Notification.user_id.is_(None), Notification.department_id == user.department_id)
                     if user.department_id is not None else false())
    return or_(Notification.user_id == user.id, to_department)


def _unread(user: User):
    receipt = exists().where(NotificationReceipt.notification_id == Notification.id,
                             NotificationReceipt.user_id == user.id)
    return or_(and_(Notification.user_id == user.id, Notification.read_at.is_(None)),
               and_(Notification.user_id.is_(None), ~receipt))


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(_visible(user), _unread(user)))


def recent(user: User, limit: int = 100, unread_only: bool = False) -> list[Notice]:
    query = (select(Notification, _unread(user).label("unread")).where(_visible(user))
             .order_by(Notification.id.desc()).limit(limit))
    if unread_only:
        query = query.where(_unread(user))
    return [Notice(note, not unread) for note, unread in db.session.execute(query)]


def mark_read(user: User, notification_id: int) -> Notification:
    note = db.session.scalar(select(Notification).where(Notification.id == notification_id, _visible(user)))
    if note is None:
        raise NotFound("通知不存在")  # also for someone else's: do not reveal that it exists
    _mark(user, [note])
    audit.record(user, "notification.read", "notification", note.id, campaign_id=note.campaign_id)
    db.session.commit()
    return note


def mark_all_read(user: User) -> int:
    notes = db.session.scalars(select(Notification).where(_visible(user), _unread(user))).all()
    _mark(user, notes)
    if notes:
        audit.record(user, "notification.read_all", "user_account", user.id, count=len(notes))
    db.session.commit()
    return len(notes)


def _mark(user: User, notes: list[Notification]) -> None:
    now = clock.now()
    for note in notes:
        if note.user_id == user.id:
            note.read_at = note.read_at or now
        elif db.session.get(NotificationReceipt, (note.id, user.id)) is None:
            db.session.add(NotificationReceipt(notification_id=note.id, user_id=user.id, read_at=now))
