"""Quick stats: one period's figures for everyone, a team, a role or both, as the gate publishes them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import UserInputError
from bot.reports.gate import Figures, Table
from bot.reports.ledger import BUCKET_NAMES, BUCKETS
from bot.reports.privacy import NOT_ENOUGH
from bot.reports.windows import Window, label
from bot.settings import Settings

__all__ = ["NOT_ENOUGH", "Figures", "Stats", "compute", "rate"]


@dataclass(kw_only=True)
class Stats:
    period: str
    label: str
    window: Window
    start: str
    end: str
    team: str | None
    role: str | None
    suppressed: bool
    figures: Figures | None
    previous: Figures | None = None
    min_group_size: int = 5

    def to_json(self) -> dict[str, Any]:
        f = self.figures
        out: dict[str, Any] = {
            "period": self.period,
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "team": self.team,
            "role": self.role,
            "suppressed": self.suppressed,
            "min_group_size": self.min_group_size,
            "prompts_sent": f.prompts_sent if f else None,
            "checkins": f.checkins if f else None,
            "response_rate": f.response_rate if f else None,
            "all_practices_rate": f.all_practices_rate if f else None,
            "practices": f.practices if f else {},
            "median_time_to_answer_seconds": bucket_seconds(f.median_bucket) if f else None,
            "median_time_to_answer": BUCKET_NAMES[f.median_bucket] if f and f.median_bucket is not None else None,
            "undeliverable": f.undeliverable if f else None,
            "undeliverable_reasons": f.undeliverable_reasons if f else {},
            "previous": asdict(self.previous) if self.previous else None,
        }
        if self.suppressed:
            out["reason"] = NOT_ENOUGH
        return out


def bucket_seconds(bucket: int | None) -> int | None:
    """The median as seconds: its bucket's upper bound (the lower bound for the open bucket above 4 days)."""
    return None if bucket is None else BUCKETS[min(bucket, len(BUCKETS) - 1)]


def rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def canonical(known: tuple[str, ...] | list[str], kind: str, wanted: str | None) -> str | None:
    """The name as stored, matched without regard to case; a friendly refusal names the known ones."""
    if wanted is None:
        return None
    match = next((v for v in known if v.lower() == wanted.strip().lower()), None)
    if match is None:
        shown = ", ".join(v for v in known[:12] if v)
        raise UserInputError(f"I don't know a {kind} called {wanted!r}." + (f" Known: {shown}." if shown else ""))
    return match


def compute(*, table: Table, settings: Settings, period: str, team: str | None, role: str | None) -> Stats:
    """`period`'s figures from the gate's table (team and role already canonical)."""
    w = table.windows[period]
    figures = table.figures(period, team, role)
    zone = ZoneInfo(settings.timezone)
    return Stats(
        period=period,
        label=label(w),
        window=w,
        start=w.start_at(zone).isoformat(),
        end=w.end_at(zone).isoformat(),
        team=team,
        role=role,
        suppressed=figures is None,
        figures=figures,
        previous=table.figures(f"previous {period}", team, role) if figures is not None else None,
        min_group_size=settings.min_group_size,
    )
