"""The digest's trend: response and all-practices rates week by week, each week under the threshold left blank."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.reports.stats import DELIVERED
from storage import stats as q
from storage.db import Session

WEEKS = 8


@dataclass(frozen=True, kw_only=True)
class Point:
    start: datetime
    response: float | None
    all_practices: float | None


async def weekly(*, session: Session, end: datetime, k: int, weeks: int = WEEKS) -> list[Point]:
    """`weeks` whole weeks ending at `end`, oldest first. A week with fewer than k check-ins has no figures."""
    points = []
    for back in range(weeks, 0, -1):
        start, stop = end - timedelta(weeks=back), end - timedelta(weeks=back - 1)
        n, ok = (await q.checkin_counts(session=session, start=start, end=stop)).get("", (0, 0))
        if n < k:
            points.append(Point(start=start, response=None, all_practices=None))
            continue
        states = (await q.prompt_counts(session=session, start=start, end=stop)).get("", {})
        delivered = sum(states.get(s, 0) for s in DELIVERED)
        response = states.get("answered", 0) / delivered if delivered else None
        points.append(Point(start=start, response=response, all_practices=ok / n))
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
