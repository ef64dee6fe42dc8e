"""Use cases of a key-object list: create, add and remove members (with reasons and dates), read its history.

Who: the officials of the owning department manage its lists; anyone whose region scope covers the
department reads them (supervisors, 纪检监察). Membership rows are never deleted (models/key_list.py).
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from domain import uscc as uscc_rules
from extensions import db
from models import Enterprise, KeyList, KeyListEntry, User
from services import audit
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.org import scope
from services.workflow import clock

REASON_LIMIT = 300


@dataclass
class ListView:
    key_list: KeyList
    members: list[KeyListEntry]
    history: list[KeyListEntry]   # every entry, newest change first
    may_manage: bool


def visible_lists(actor: User) -> list[KeyList]:
    return list(db.session.scalars(select(KeyList).where(scope.department_clause(actor, KeyList.department_id))
                                   .order_by(KeyList.department_id, KeyList.id)))


def may_manage(actor: User, key_list: KeyList) -> bool:
    return actor.has_role("official", "department_admin") and actor.department_id == key_list.department_id


def get_visible(actor: User, list_id: int) -> KeyList:
    key_list = db.session.get(KeyList, list_id)
    if key_list is None:
        raise NotFound("未找到该重点监管对象名录")
    scope.require_department(actor, key_list.department_id, "该名录不属于您管辖区域内的部门")
    return key_list


def get_managed(actor: User, list_id: int) -> KeyList:
    key_list = get_visible(actor, list_id)
    if not may_manage(actor, key_list):
        raise Forbidden("只有名录所属部门的执法人员可以维护该名录")
    return key_list


def view(actor: User, list_id: int) -> ListView:
    key_list = get_visible(actor, list_id)
    members = [e for e in key_list.entries if e.removed_on is None]
    history = sorted(key_list.entries, key=lambda e: (e.removed_on or e.added_on, e.id), reverse=True)
    return ListView(key_list, members, history, may_manage(actor, key_list))


def create(actor: User, name: str, description: str) -> KeyList:
    if not actor.has_role("official", "department_admin") or actor.department_id is None:
        raise Forbidden("只有部门的执法人员可以建立重点监管对象名录")
    name, description = (name or "").strip(), (description or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed({"name": ["请填写名录名称（不超过 100 字）"]})
    if db.session.scalar(select(KeyList.id).where(KeyList.department_id == actor.department_id, KeyList.name == name)):
        raise ValidationFailed({"name": [f"本部门已有名为「{name}」的名录"]})
    key_list = KeyList(name=name, description=description or None, department_id=actor.department_id,
                       created_by_id=actor.id, created_at=clock.now())
    db.session.add(key_list)
    db.session.flush()
    audit.record(actor, "key_list.create", "key_list", key_list.id, name=name)
    db.session.commit()
    return key_list


def parse_date(raw: str | None, field: str) -> date:
    """A membership date: today when left empty, never in the future (a list records what was decided)."""
    if not raw:
        return clock.today()
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed({field: ["日期格式应为 YYYY-MM-DD"]}) from None
    if value > clock.today():
        raise ValidationFailed({field: ["日期不能晚于今天"]})
    return value


def check_reason(reason: str | None, field: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({field: ["请填写理由"]})
    if len(reason) > REASON_LIMIT:
        raise ValidationFailed({field: [f"理由不超过 {REASON_LIMIT} 字"]})
    return reason


def find_enterprise(actor: User, raw_uscc: str, field: str = "uscc") -> Enterprise:
    result = uscc_rules.validate(raw_uscc or "")
    if not result.valid:
        raise ValidationFailed({field: [f"统一社会信用代码「{(raw_uscc or '').strip()}」无效：" + "；".join(result.errors)]})
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.uscc == result.code))
    if enterprise is None or not scope.covers(actor, enterprise.region_id):
        raise ValidationFailed({field: [f"名录库中没有您管辖区域内统一社会信用代码为 {result.code} 的经营主体"]})
    return enterprise


def open_entry(key_list: KeyList, enterprise_id: int) -> KeyListEntry | None:
    return db.session.scalar(select(KeyListEntry).where(
        KeyListEntry.key_list_id == key_list.id, KeyListEntry.enterprise_id == enterprise_id,
        KeyListEntry.removed_on.is_(None)))


def add_member(actor: User, list_id: int, uscc: str, reason: str, added_on: str | None = None) -> KeyListEntry:
    key_list = get_managed(actor, list_id)
    enterprise = find_enterprise(actor, uscc)
    reason, on = check_reason(reason, "reason"), parse_date(added_on, "added_on")
    if open_entry(key_list, enterprise.id) is not None:
        raise Conflict(f"「{enterprise.name}」已在名录「{key_list.name}」中")
    entry = KeyListEntry(key_list_id=key_list.id, enterprise_id=enterprise.id, added_on=on, added_reason=reason,
                         added_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "key_list.add", "key_list", key_list.id, enterprise_id=enterprise.id, entry_id=entry.id,
                 reason=reason, on=on.isoformat())
    db.session.commit()
    return entry


def remove_member(actor: User, list_id: int, entry_id: int, reason: str, removed_on: str | None = None) -> KeyListEntry:
    key_list = get_managed(actor, list_id)
    entry = db.session.get(KeyListEntry, entry_id)
    if entry is None or entry.key_list_id != key_list.id or entry.removed_on is not None:
        raise NotFound("该经营主体不在名录中")
    reason, on = check_reason(reason, "removed_reason"), parse_date(removed_on, "removed_on")
    if on < entry.added_on:
        raise ValidationFailed({"removed_on": ["移出日期不能早于列入日期"]})
    entry.removed_on, entry.removed_reason, entry.removed_by_id = on, reason, actor.id
    audit.record(actor, "key_list.remove", "key_list", key_list.id, enterprise_id=entry.enterprise_id,
                 entry_id=entry.id, reason=reason, on=on.isoformat())
    db.session.commit()
    return entry
