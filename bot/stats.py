"""Quick stats: aggregates from SQL, the privacy threshold applied, as JSON or as a message."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserInputError
from bot.messages import Context, Fields, Header, Message, Section
from bot.periods import Window, window
from bot.privacy import NOT_ENOUGH, publishable  # noqa: F401 - re-exported
from bot.settings import Settings
from storage import stats as q

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


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


async def _canonical(session: AsyncSession, column: str, wanted: str | None) -> str | None:
    if wanted is None:
        return None
    values = await q.distinct_values(session=session, column=column)  # type: ignore[arg-type]
    match = next((v for v in values if v.lower() == wanted.strip().lower()), None)
    if match is None:
        raise UserInputError(
            f"I don't know a {column} called {wanted!r}." + (f" Known: {', '.join(values[:12])}." if values else "")
        )
    return match


async def _visible(session: AsyncSession, w: Window, team: str | None, role: str | None, k: int) -> bool:
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


async def _figures(session: AsyncSession, w: Window, team: str | None, role: str | None, settings: Settings) -> Figures:
    states = (await q.prompt_counts(session=session, start=w.start, end=w.end, team=team, role=role)).get("", {})
    delivered = sum(states.get(s, 0) for s in DELIVERED)
    counts = (await q.checkin_counts(session=session, start=w.start, end=w.end, team=team, role=role)).get("", (0, 0))
    per = await q.practice_counts(session=session, start=w.start, end=w.end, team=team, role=role)
    practices = {}
    for p in settings.practices:
        v = per.get(p.key, {})
        practices[p.key] = _rate(v.get("yes", 0), v.get("yes", 0) + v.get("no", 0))
    return Figures(
        prompts_sent=delivered,
        checkins=counts[0],
        response_rate=_rate(states.get("answered", 0), delivered),
        all_practices_rate=_rate(counts[1], counts[0]),
        practices=practices,
        median_answer_seconds=await q.median_answer_seconds(
            session=session, start=w.start, end=w.end, team=team, role=role
        ),
    )


async def compute(
    *,
    session: AsyncSession,
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


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def points(now: float | None, before: float | None) -> str:
    """The change between two rates in percentage points: '▲4 pts', '▼2 pts', '=', or '' without both."""
    if now is None or before is None:
        return ""
    pts = round((now - before) * 100)
    return "=" if pts == 0 else f"{'▲' if pts > 0 else '▼'}{abs(pts)} pts"


def trend(now: float | None, before: float | None) -> str:
    change = points(now, before)
    return f" ({change})" if change else ""


def duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    hours, rest = divmod(seconds, 3600)
    if hours >= 48:
        return f"{hours // 24}d {hours % 24}h"
    return f"{hours}h {rest // 60}m" if hours else f"{rest // 60}m"


def as_message(stats: Stats, settings: Settings, *, private: bool = True) -> Message:
    scope = " · ".join(
        x
        for x in (stats.label, f"team {stats.team}" if stats.team else "", f"role {stats.role}" if stats.role else "")
        if x
    )
    header = Header(text=f"Interview check-ins · {scope}")
    f, prev = stats.figures, stats.previous
    if stats.suppressed or f is None:
        text = f"{scope}: {NOT_ENOUGH} (figures appear once a group has {settings.min_group_size} check-ins)."
        return Message(text=text, blocks=(header, Section(text=text)), private=True)
    lines = []
    for p in settings.practices:
        rate = f.practices.get(p.key)
        lines.append(f"• {p.short or p.label}: {pct(rate)}{trend(rate, prev.practices.get(p.key) if prev else None)}")
    weakest = min(
        ((f.practices[p.key], p) for p in settings.practices if f.practices.get(p.key) is not None),
        default=None,
        key=lambda t: t[0],
    )
    fields = Fields(
        items=(
            ("Check-ins", f"{f.checkins} of {f.prompts_sent} prompts"),
            ("Response rate", pct(f.response_rate) + trend(f.response_rate, prev.response_rate if prev else None)),
            (
                "All practices followed",
                pct(f.all_practices_rate) + trend(f.all_practices_rate, prev.all_practices_rate if prev else None),
            ),
            ("Median time to answer", duration(f.median_answer_seconds)),
        )
    )
    blocks: list = [header, fields, Section(text="*Each practice*\n" + "\n".join(lines))]
    if weakest and weakest[0] is not None and weakest[0] < 0.9:
        blocks.append(
            Section(text=f"Weakest: {weakest[1].short or weakest[1].label} → training: {settings.training_url}")
        )
    small = f"Trend vs {stats.previous and 'the ' + stats.label.replace('last', 'previous') or 'the previous period (not enough responses then)'}."
    if stats.undeliverable:
        reasons = ", ".join(f"{r}: {n}" for r, n in sorted(stats.undeliverable.items()))
        small += f" Could not deliver {sum(stats.undeliverable.values())} prompt(s) ({reasons})."
    blocks.append(Context(text=small + (" Aggregates only; private to you." if private else " Aggregates only.")))
    text = (
        f"{scope}: {f.checkins} check-ins, response {pct(f.response_rate)}, all practices {pct(f.all_practices_rate)}"
    )
    return Message(text=text, blocks=tuple(blocks), private=private)
