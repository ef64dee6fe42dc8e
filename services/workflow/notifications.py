"""In-app notices: what a person sees (addressed to them, or to their department) and marking them read.

A notice to a department is one row; each member reads it for themself (a receipt row),
so one colleague opening it does not hide it from the others.
"""
from dataclasses import dataclass

from sqlalchemy import and_, exists, false, func, or_, select

from extensions import db
from models import Campaign, Notification, NotificationReceipt, User
from services import audit
from services.workflow import clock
from services.lookup import first_or_404


@dataclass
class Notice:
    notification: Notification   # the newest of identical lines
    read: bool                   # every one of them read
    repeats: int = 1             # identical lines (same text, same campaign) folded into this one
    campaign: str | None = None  # "title（code）" of the campaign it concerns


@dataclass
class Group:
    """Notices about one campaign (or none), newest first."""
    campaign_id: int | None
    campaign: str | None
    notices: list[Notice]


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
    # Counted as the page shows them: identical lines once.
    lines = select(Notification.message, Notification.campaign_id).where(_visible(user), _unread(user)).distinct()
    return db.session.scalar(select(func.count()).select_from(lines.subquery()))


def recent(user: User, limit: int = 100, unread_only: bool = False) -> list[Notice]:
    """The newest notices; a line identical to a newer one (same text and campaign: a reminder sent to the
    person and to their department, or sent again) is folded into it rather than repeated."""
    query = (select(Notification, _unread(user).label("unread")).where(_visible(user))
             .order_by(Notification.id.desc()).limit(limit))
    if unread_only:
        query = query.where(_unread(user))
    folded: dict[tuple, Notice] = {}
    for note, unread in db.session.execute(query):
        key = (note.message, note.campaign_id)
        if key in folded:
            folded[key].repeats += 1
            folded[key].read = folded[key].read and not unread
        else:
            folded[key] = Notice(note, not unread)
    notices = list(folded.values())
    campaigns = {c.id: f"{c.title}（{c.code}）" for c in db.session.scalars(
        select(Campaign).where(Campaign.id.in_({n.notification.campaign_id for n in notices} - {None})))}
    for notice in notices:
        notice.campaign = campaigns.get(notice.notification.campaign_id)
    return notices


def grouped(user: User, unread_only: bool = False) -> list[Group]:
    """recent(), grouped by campaign; the group with the newest notice first."""
    groups: dict[int | None, Group] = {}
    for notice in recent(user, unread_only=unread_only):
        cid = notice.notification.campaign_id
        groups.setdefault(cid, Group(cid, notice.campaign, [])).notices.append(notice)
    return list(groups.values())


def target(note: Notification) -> str | None:
    """Where a notice leads: its own link when it is a path of this site, else nothing (the page then
    falls back to the campaign)."""
    link = note.link or ""
    return link if link.startswith("/") and not link.startswith("//") else None


def mark_read(user: User, notification_id: int) -> Notification:
    # Someone else's is not found either: do not reveal that it exists.
    note = first_or_404(select(Notification).where(Notification.id == notification_id, _visible(user)), "通知不存在")
    # Identical lines were shown as one: reading it reads them all.
    twins = db.session.scalars(select(Notification).where(
        _visible(user), _unread(user), Notification.message == note.message,
        Notification.campaign_id.is_(None) if note.campaign_id is None else Notification.campaign_id == note.campaign_id)).all()
    _mark(user, [note, *[t for t in twins if t.id != note.id]])
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
