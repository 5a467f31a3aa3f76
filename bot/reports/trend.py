"""The digest's trend: response and all-practices rates week by week, as the gate publishes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.reports.gate import Table


@dataclass(frozen=True, kw_only=True)
class Point:
    start: datetime
    response: float | None
    all_practices: float | None


def weekly(table: Table, zone: ZoneInfo) -> list[Point]:
    """The trend chart's weeks, oldest first; a week the gate withholds has no figures."""
    points = []
    for name, w in sorted(((n, w) for n, w in table.windows.items() if n.startswith("week")), key=lambda t: t[1].first):
        f = table.figures(name)
        points.append(
            Point(
                start=w.start_at(zone),
                response=f.response_rate if f else None,
                all_practices=f.all_practices_rate if f else None,
            )
        )
    return points


def describe(points: list[Point]) -> str:
    """The chart in words (alt text): the latest week with figures, and the change over the chart."""
    shown = [p for p in points if p.response is not None and p.all_practices is not None]
    if not shown:
        return "Weekly trend: not enough responses yet."
    last, first = shown[-1], shown[0]
    text = (
        f"Weekly trend, last {len(points)} weeks: response {last.response:.0%}, "
        f"all practices followed {last.all_practices:.0%} in the week of {last.start:%d %b}"
    )
    if len(shown) > 1:
        text += f" (from {first.response:.0%} and {first.all_practices:.0%} in the week of {first.start:%d %b})"
    return text + "."
