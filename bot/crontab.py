"""Digest schedules as standard crontab expressions, read in a timezone (cronsim: 0 and 7 are Sunday, names like
`mon` work, and day-of-month with day-of-week matches either)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError

FIELDS = "minute hour day month day-of-week"


class CronError(ValueError):
    """A crontab expression fairloop can't read; the message says which field."""


def check(expression: str) -> None:
    """Raise CronError naming what is wrong with `expression`."""
    if len(expression.split()) != 5:
        raise CronError(f"{expression!r} needs 5 fields ({FIELDS})")
    try:
        CronSim(expression, datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")))
    except CronSimError as exc:
        raise CronError(f"{expression!r}: {str(exc)[:1].lower()}{str(exc)[1:]}") from None


def next_runs(
    expression: str, timezone: str, *, after: datetime, count: int = 3, until: datetime | None = None
) -> list[datetime]:
    """The next `count` times the expression fires at or after `after` (none later than `until`), in its timezone."""
    runs = CronSim(expression, after.astimezone(ZoneInfo(timezone)) - timedelta(microseconds=1))
    out: list[datetime] = []
    for run in runs:
        if len(out) >= count or (until is not None and run > until):
            break
        out.append(run)
    return out


def latest(expression: str, timezone: str, *, now: datetime) -> datetime:
    """The most recent time the expression fired, at or before `now`, in its timezone."""
    start = now.astimezone(ZoneInfo(timezone)).replace(microsecond=0) + timedelta(seconds=1)
    return next(CronSim(expression, start, reverse=True))
