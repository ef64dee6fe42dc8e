"""Date-times of the API: Beijing time with its offset, never a naive value.

The database stores naive UTC (services/workflow/clock.py). Dumped as is, "2026-12-03T02:00:00" reads as local
time to a client in China and is eight hours off; RFC 3339 (OpenAPI's date-time) requires an offset anyway.
China keeps one offset all year (no daylight saving), so +08:00 is fixed here rather than looked up.
"""
from datetime import datetime, timedelta, timezone

from marshmallow import fields

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def beijing_iso(moment: datetime | None) -> str | None:
    """A stored naive-UTC time as ISO 8601 with +08:00, e.g. 2026-12-03T10:00:00+08:00."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BEIJING).isoformat(timespec="seconds")


class BeijingDateTime(fields.DateTime):
    """fields.DateTime that dumps naive UTC as Beijing time with its offset (OpenAPI: string, date-time)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return beijing_iso(value)
