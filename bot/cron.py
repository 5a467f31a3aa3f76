"""Standard crontab expressions as APScheduler triggers, in a given timezone.

APScheduler's `CronTrigger.from_crontab` reads day-of-week 0 as Monday; standard cron (and the contract)
reads 0 and 7 as Sunday. The day-of-week field is therefore expanded to day names before APScheduler sees it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


class CronError(ValueError):
    """A crontab expression fairloop can't read; the message names the field."""


def _day(token: str) -> int:
    token = token.strip().lower()
    if token[:3] in NAMES and len(token) >= 3:
        return NAMES.index(token[:3])
    if not token.isdigit() or int(token) > 7:
        raise CronError(f"day-of-week {token!r} is not 0-7 or a day name")
    return int(token) % 7  # 7 is Sunday too


def days_of_week(field: str) -> str:
    """A crontab day-of-week field ('1-5', '0,6', '*/2', 'mon-fri', '7') -> APScheduler day names."""
    if field.strip() == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else None
        if step_text and step is None:
            raise CronError(f"day-of-week step {step_text!r} is not a positive number")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            a, b = span.split("-", 1)
            first, last = _day(a), _day(b)
            if b.strip() == "7":
                last = 7  # 'fri-7' runs to Sunday
        else:
            first = last = _day(span)
            if step is not None:
                last = 6
        if last < first:
            raise CronError(f"day-of-week range {span!r} runs backwards")
        days.update(d % 7 for d in range(first, last + 1, step or 1))
    return ",".join(NAMES[d] for d in sorted(days))


def trigger(expression: str, timezone: str) -> CronTrigger | OrTrigger:
    """'0 9 * * mon' read in `timezone` (an IANA name) -> a CronTrigger; raises CronError."""
    fields = expression.split()
    if len(fields) != 5:
        raise CronError(f"{expression!r} needs 5 fields (minute hour day month day-of-week)")
    minute, hour, day, month, dow = fields
    zone, names = ZoneInfo(timezone), days_of_week(dow)
    try:
        if day != "*" and dow != "*":  # standard cron: either field may match ('0 9 1 * mon': the 1st and Mondays)
            return OrTrigger(
                [
                    CronTrigger(minute=minute, hour=hour, day=day, month=month, timezone=zone),
                    CronTrigger(minute=minute, hour=hour, month=month, day_of_week=names, timezone=zone),
                ]
            )
        return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=names, timezone=zone)
    except CronError:
        raise
    except (ValueError, KeyError) as exc:
        raise CronError(f"{expression!r}: {exc}") from None


def next_runs(
    expression: str, timezone: str, *, after: datetime, count: int = 3, until: datetime | None = None
) -> list[datetime]:
    """The next `count` times the expression fires from `after` on (none later than `until`), in its own timezone."""
    trig = trigger(expression, timezone)
    out: list[datetime] = []
    previous = None
    moment = after
    while len(out) < count:
        fire = trig.get_next_fire_time(previous, moment)
        if fire is None or (until is not None and fire > until):
            break
        out.append(fire)
        previous, moment = fire, fire
    return out
