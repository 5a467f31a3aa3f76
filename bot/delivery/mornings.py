"""Working mornings in a person's own timezone: when a reminder may arrive, and until when."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

MORNING = range(9, 12)  # local hours in which a reminder may arrive


def working_morning(moment: datetime, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone)
    return local.weekday() < 5 and local.hour in MORNING


def next_morning(moment: datetime, zone: ZoneInfo) -> datetime:
    """09:00 local on the next working day after `moment` (Monday after a Friday)."""
    day = moment.astimezone(zone).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(MORNING.start), tzinfo=zone)


def first_morning(moment: datetime, zone: ZoneInfo) -> datetime:
    """The first moment of a working morning at or after `moment`: `moment` itself when it falls in one."""
    local = moment.astimezone(zone)
    if local.weekday() < 5 and local.hour < MORNING.stop:
        return max(moment, datetime.combine(local.date(), time(MORNING.start), tzinfo=zone))
    return next_morning(moment, zone)
