"""Reporting periods: 7d, 30d, 90d and quarter, with the period before each for trends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import UserInputError

PERIODS = ("7d", "30d", "90d", "quarter")


@dataclass(frozen=True, kw_only=True)
class Window:
    name: str
    start: datetime
    end: datetime
    label: str

    def previous(self) -> Window:
        if self.name == "quarter":
            end = self.start
            start = _quarter_start(end - timedelta(days=1))
            return Window(name=self.name, start=start, end=end, label="previous quarter")
        span = self.end - self.start
        return Window(name=self.name, start=self.start - span, end=self.start, label=f"previous {self.name}")


def _quarter_start(moment: datetime) -> datetime:
    month = (moment.month - 1) // 3 * 3 + 1
    return moment.replace(month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


def window(name: str, *, now: datetime, zone: ZoneInfo) -> Window:
    if name not in PERIODS:
        raise UserInputError(f"I don't know the period {name!r}; try 7d, 30d, 90d or quarter.")
    if name == "quarter":
        local = now.astimezone(zone)
        start = _quarter_start(local)
        q = (start.month - 1) // 3 + 1
        return Window(name=name, start=start, end=now, label=f"Q{q} {start.year} so far")
    days = int(name[:-1])
    return Window(name=name, start=now - timedelta(days=days), end=now, label=f"last {days} days")


def start_of_day(moment: datetime, zone: ZoneInfo) -> datetime:
    """00:00 of `moment`'s day in `zone`."""
    return datetime.combine(moment.astimezone(zone).date(), time(), tzinfo=zone)


def whole_days(name: str, *, today: datetime, zone: ZoneInfo) -> Window:
    """The period's window up to `today` 00:00 (a digest reports on whole days). A quarter that has not
    started yet on its first day reports on the quarter just ended."""
    if name == "quarter" and today == _quarter_start(today):
        start = _quarter_start(today - timedelta(days=1))
        q = (start.month - 1) // 3 + 1
        return Window(name=name, start=start, end=today, label=f"Q{q} {start.year}")
    return window(name, now=today, zone=zone)
