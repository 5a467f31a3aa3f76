"""Quick stats: aggregates from SQL with the privacy threshold applied (as_message in reports.format renders them)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import UserInputError
from bot.reports.periods import Window, window
from bot.reports.privacy import NOT_ENOUGH, publishable
from bot.settings import Settings
from storage import stats as q
from storage.db import Session

DELIVERED = ("sent", "answered", "expired")


@dataclass(kw_only=True)
class Figures:
    prompts_sent: int
    checkins: int
    response_rate: float | None
    all_practices_rate: float | None
    practices: dict[str, float | None]
    median_answer_seconds: int | None


@dataclass(kw_only=True)
class Stats:
    period: str
    label: str
    start: str
    end: str
    team: str | None
    role: str | None
    suppressed: bool
    figures: Figures | None
    previous: Figures | None = None
    undeliverable: dict[str, int] = field(default_factory=dict)
    min_group_size: int = 5

    def to_json(self) -> dict[str, Any]:
        f = self.figures
        out: dict[str, Any] = {
            "period": self.period,
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
            "median_time_to_answer_seconds": f.median_answer_seconds if f else None,
            "undeliverable": sum(self.undeliverable.values()),
            "undeliverable_reasons": self.undeliverable,
            "previous": asdict(self.previous) if self.previous else None,
        }
        if self.suppressed:
            out["reason"] = NOT_ENOUGH
        return out


def rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


async def _canonical(session: Session, column: str, wanted: str | None) -> str | None:
    if wanted is None:
        return None
    values = await q.distinct_values(session=session, column=column)  # type: ignore[arg-type]
    match = next((v for v in values if v.lower() == wanted.strip().lower()), None)
    if match is None:
        raise UserInputError(
            f"I don't know a {column} called {wanted!r}." + (f" Known: {', '.join(values[:12])}." if values else "")
        )
    return match


async def _visible(session: Session, w: Window, team: str | None, role: str | None, k: int) -> bool:
    """Is the group (team/role filter) publishable in this window, given every sibling group?"""
    overall = await q.checkin_counts(session=session, start=w.start, end=w.end)
    if sum(n for n, _ in overall.values()) < k:
        return False
    if team is not None:
        by_team = await q.checkin_counts(session=session, start=w.start, end=w.end, by="team")
        if team not in publishable({g: n for g, (n, _) in by_team.items()}, k):
            return False
    if role is not None:
        by_role = await q.checkin_counts(session=session, start=w.start, end=w.end, team=team, by="role")
        if role not in publishable({g: n for g, (n, _) in by_role.items()}, k):
            return False
        if team is not None:
            # the same role across all teams must be publishable too, or role-wide minus this cell leaks
            across = await q.checkin_counts(session=session, start=w.start, end=w.end, by="role")
            if role not in publishable({g: n for g, (n, _) in across.items()}, k):
                return False
    return True


async def _figures(session: Session, w: Window, team: str | None, role: str | None, settings: Settings) -> Figures:
    states = (await q.prompt_counts(session=session, start=w.start, end=w.end, team=team, role=role)).get("", {})
    delivered = sum(states.get(s, 0) for s in DELIVERED)
    counts = (await q.checkin_counts(session=session, start=w.start, end=w.end, team=team, role=role)).get("", (0, 0))
    per = await q.practice_counts(session=session, start=w.start, end=w.end, team=team, role=role)
    practices = {}
    for p in settings.practices:
        v = per.get(p.key, {})
        practices[p.key] = rate(v.get("yes", 0), v.get("yes", 0) + v.get("no", 0))
    return Figures(
        prompts_sent=delivered,
        checkins=counts[0],
        response_rate=rate(states.get("answered", 0), delivered),
        all_practices_rate=rate(counts[1], counts[0]),
        practices=practices,
        median_answer_seconds=await q.median_answer_seconds(
            session=session, start=w.start, end=w.end, team=team, role=role
        ),
    )


async def compute(
    *,
    session: Session,
    settings: Settings,
    now: datetime,
    period: str = "30d",
    team: str | None = None,
    role: str | None = None,
    zone: ZoneInfo | None = None,
    fixed: Window | None = None,
) -> Stats:
    """Figures for `period` up to `now` (or exactly the `fixed` window, which digests align to whole days)."""
    w = fixed or window(period, now=now, zone=zone or settings.zone)
    team = await _canonical(session, "team", team)
    role = await _canonical(session, "role", role)
    k = settings.min_group_size
    shown = await _visible(session, w, team, role, k)
    figures = await _figures(session, w, team, role, settings) if shown else None
    previous = None
    if shown and await _visible(session, w.previous(), team, role, k):
        previous = await _figures(session, w.previous(), team, role, settings)
    reasons = (
        await q.undeliverable_reasons(session=session, start=w.start, end=w.end, team=team, role=role) if shown else {}
    )
    return Stats(
        period=w.name,
        label=w.label,
        start=w.start.isoformat(),
        end=w.end.isoformat(),
        team=team,
        role=role,
        suppressed=not shown,
        figures=figures,
        previous=previous,
        undeliverable=reasons,
        min_group_size=k,
    )
