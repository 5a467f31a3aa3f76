"""How figures read: percentages, changes in points, durations, and the stats answer as a message."""

from __future__ import annotations

from bot.messages import Context, Fields, Header, Message, Section
from bot.reports.privacy import NOT_ENOUGH
from bot.reports.stats import Stats
from bot.settings import Settings
from bot.text import Text, bold, join, link, text, user


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


def scope(stats: Stats) -> Text:
    """'last 30 days · team Platform · role Data Scientist' (team and role names as given)."""
    parts: list[Text | str] = [stats.label]
    if stats.team:
        parts.append(text("team ", user(stats.team)))
    if stats.role:
        parts.append(text("role ", user(stats.role)))
    return join(" · ", parts)


def as_message(stats: Stats, settings: Settings, *, private: bool = True) -> Message:
    where = scope(stats)
    header = Header(text=text("Interview check-ins · ", where))
    f, prev = stats.figures, stats.previous
    if stats.suppressed or f is None:
        body = text(where, f": {NOT_ENOUGH} (figures appear once a group has {settings.min_group_size} check-ins).")
        return Message(text=body, blocks=(header, Section(text=body)), private=True)
    lines = []
    for p in settings.practices:
        rate = f.practices.get(p.key)
        lines.append(f"{p.short or p.label}: {pct(rate)}{trend(rate, prev.practices.get(p.key) if prev else None)}")
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
    blocks: list = [header, fields, Section(text=bold("Each practice"), bullets=tuple(lines))]
    if weakest and weakest[0] is not None and weakest[0] < 0.9:
        practice = weakest[1]
        blocks.append(
            Section(text=text(f"Weakest: {practice.short or practice.label} → training: ", link(settings.training_url)))
        )
    before = (
        f"the {stats.label.replace('last', 'previous')}" if prev else "the previous period (not enough responses then)"
    )
    small = f"Trend vs {before}."
    if stats.undeliverable:
        reasons = ", ".join(f"{r}: {n}" for r, n in sorted(stats.undeliverable.items()))
        small += f" Could not deliver {sum(stats.undeliverable.values())} prompt(s) ({reasons})."
    blocks.append(Context(text=small + (" Aggregates only; private to you." if private else " Aggregates only.")))
    fallback = text(
        where, f": {f.checkins} check-ins, response {pct(f.response_rate)}, all practices {pct(f.all_practices_rate)}"
    )
    return Message(text=fallback, blocks=tuple(blocks), private=private)
