"""Reporting windows: whole days in FAIRLOOP_TIMEZONE, always ending at the start of today, never "now".

The periods people ask for (7d, 30d, 90d, quarter), the period before each (for trends), and the eight weeks of
the digest's trend chart. Every window is a run of days [first, end); today is never in one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import UserInputError

PERIODS = ("7d", "30d", "90d", "quarter")
WEEKS = 8  # the trend chart's weeks


@dataclass(frozen=True, kw_only=True)
class Window:
    name: str
    first: date
    end: date  # the day after the last one

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    def days(self) -> str:
        """'23–29 Nov', or '28 Nov – 4 Dec' across months, or with years across years."""
        first, last = self.first, self.last
        if first.year != last.year:
            return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"
        if first.month == last.month:
            return f"{first.day}–{last.day} {last:%b}" if first != last else f"{last.day} {last:%b}"
        return f"{first.day} {first:%b} – {last.day} {last:%b}"

    def start_at(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.first, time(), tzinfo=zone)

    def end_at(self, zone: ZoneInfo) -> datetime:
        return datetime.combine(self.end, time(), tzinfo=zone)


def today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def _quarter_start(day: date) -> date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def current(name: str, *, end: date) -> Window:
    """The period `name` of whole days before `end` (a quarter: from its first day; on a quarter's first day,
    the quarter just ended)."""
    if name not in PERIODS:
        raise UserInputError(f"I don't know the period {name!r}; try 7d, 30d, 90d or quarter.")
    if name == "quarter":
        return Window(name=name, first=_quarter_start(end - timedelta(days=1)), end=end)
    return Window(name=name, first=end - timedelta(days=int(name[:-1])), end=end)


def previous(w: Window) -> Window:
    """The period just before `w`: the same number of days, or the quarter before."""
    if w.name == "quarter":
        return Window(name=w.name, first=_quarter_start(w.first - timedelta(days=1)), end=w.first)
    return Window(name=w.name, first=w.first - (w.end - w.first), end=w.first)


def weeks(*, end: date, count: int = WEEKS) -> list[Window]:
    """The `count` whole weeks before `end`, oldest first."""
    return [
        Window(name=f"week{i}", first=end - timedelta(weeks=i), end=end - timedelta(weeks=i - 1))
        for i in range(count, 0, -1)
    ]


def label(w: Window) -> str:
    """How a period reads: 'last 7 days (23–29 Nov)', 'Q4 2026 so far (1 Oct – 29 Nov)', 'Q3 2026 (1 Jul – 30 Sep)'."""
    if w.name == "quarter":
        q = (w.first.month - 1) // 3 + 1
        whole = w.end == _quarter_start(w.end) and w.end > w.first
        return f"Q{q} {w.first.year}{'' if whole else ' so far'} ({w.days()})"
    return f"last {(w.end - w.first).days} days ({w.days()})"
