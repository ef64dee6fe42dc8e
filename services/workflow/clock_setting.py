"""Set and clear the shared clock (the `clock_setting` row every process adds to real time).

An operator's use case, from the CLI: one transaction each, audited. Refused where the
configuration does not allow shifting time (production, unless CLOCK_DRILL=1 for a drill on a
copy): moving "now" on live data would shift every deadline, timer and published date.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app

from extensions import db
from models import ClockSetting
from services import audit
from services.errors import Forbidden, ValidationFailed
from services.workflow import clock

MAX_SHIFT = timedelta(days=3660)  # ten years either way: beyond that a typo, not a drill


@dataclass
class ClockState:
    offset: timedelta
    reason: str | None
    set_by: str | None
    set_at: datetime | None
    in_effect: bool
    now: datetime


def state() -> ClockState:
    clock.refresh_shared(force=True)
    row = db.session.get(ClockSetting, 1)
    allowed = bool(current_app.config.get("CLOCK_SHIFT_ALLOWED"))
    offset = timedelta(seconds=row.offset_seconds) if row else timedelta(0)
    return ClockState(offset, row.reason if row else None, row.set_by if row else None,
                      row.set_at if row else None, allowed and row is not None, clock.now())


def shift_to(moment: datetime, reason: str, operator: str) -> ClockState:
    """Make "now" read `moment` (aware, or naive UTC) from this instant on, for every process."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    real = datetime.now(timezone.utc).replace(tzinfo=None) + clock._offset  # without the shared offset
    return shift_by(moment - real, reason, operator)


def shift_by(offset: timedelta, reason: str, operator: str) -> ClockState:
    _allowed()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["请说明调整时钟的原因（如：演练、测试）"]}, "请说明调整时钟的原因")
    if abs(offset) > MAX_SHIFT:
        raise ValidationFailed({"offset": ["时钟偏移不能超过十年"]}, "时钟偏移不能超过十年")
    seconds = int(offset.total_seconds())
    row = db.session.get(ClockSetting, 1)
    before = row.offset_seconds if row else 0
    if row is None:
        row = ClockSetting(id=1, offset_seconds=seconds, reason=reason[:200], set_by=operator[:100],
                           set_at=datetime.now(timezone.utc).replace(tzinfo=None))
        db.session.add(row)
    else:
        row.offset_seconds, row.reason, row.set_by = seconds, reason[:200], operator[:100]
        row.set_at = datetime.now(timezone.utc).replace(tzinfo=None)
    audit.record(None, "clock.shift", "clock_setting", 1, offset_seconds=seconds, previous_seconds=before,
                 reason=reason[:200], operator=operator[:100])
    db.session.commit()
    clock.remember_shared(timedelta(seconds=seconds))
    return state()


def clear(operator: str) -> ClockState:
    row = db.session.get(ClockSetting, 1)
    if row is not None:
        audit.record(None, "clock.clear", "clock_setting", 1, previous_seconds=row.offset_seconds,
                     operator=operator[:100])
        db.session.delete(row)
        db.session.commit()
    clock.remember_shared(timedelta(0))
    return state()


def _allowed() -> None:
    if not current_app.config.get("CLOCK_SHIFT_ALLOWED"):
        raise Forbidden("生产环境不允许调整应用时钟；仅在演练时设置 CLOCK_DRILL=1 后可用")
