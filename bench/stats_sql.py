"""Benchmark 3's baseline: the best hand-written SQL for `stats 90d` and the weekly digest, on the raw rows."""

# Each figure once per window, on the indexes the schema has (prompt states from the covering (due_at, state)
# index), the median by ORDER BY ... OFFSET n/2 as fairloop defines it; nothing computed twice. (One scan grouped by
# window was tried and is slower on both backends.) `python -m bench.stats_sql URL` prints the stats as JSON, so the
# whole-process figure has a whole-process baseline.

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

K = 5  # the privacy threshold (FAIRLOOP_MIN_GROUP_SIZE's default)
DELIVERED = ("sent", "answered", "expired")
WEEKS = 8
WINDOW = "due_at >= :start AND due_at < :end"
Counts = tuple[dict[str, dict[str, int]], dict[str, tuple[int, int]]]


async def _rows(conn: AsyncConnection, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in await conn.execute(text(sql), params)]


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _window(conn: AsyncConnection, start: datetime, end: datetime) -> dict[str, Any]:
    """Bind values as each backend stores times: SQLite compares 'YYYY-MM-DD HH:MM:SS.ffffff' text in UTC."""
    if conn.dialect.name == "sqlite":
        return {k: v.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
                for k, v in (("start", start), ("end", end))}  # fmt: skip
    return {"start": start, "end": end}


async def _counts(conn: AsyncConnection, start: datetime, end: datetime, *, by_team: bool) -> Counts:
    """({team: {state: prompts}}, {team: (check-ins, all followed)}); team is '' unless `by_team`."""
    p, team = _window(conn, start, end), "team" if by_team else "''"
    prompts: dict[str, dict[str, int]] = {}
    sql = f"SELECT {team}, state, count(*) FROM prompt WHERE {WINDOW} GROUP BY 1, 2"
    for t, state, n in await _rows(conn, sql, p):
        prompts.setdefault(t, {})[state] = int(n)
    sql = (
        f"SELECT {team}, count(*), sum(CASE WHEN all_followed THEN 1 ELSE 0 END) FROM checkin WHERE {WINDOW} GROUP BY 1"
    )
    checkins = {str(t): (int(n), int(ok or 0)) for t, n, ok in await _rows(conn, sql, p) if n}
    return prompts, checkins


async def _practices(conn: AsyncConnection, start: datetime, end: datetime) -> dict[str, float | None]:
    sql = ("SELECT a.practice, sum(CASE WHEN a.value = 'yes' THEN 1 ELSE 0 END), "
           "sum(CASE WHEN a.value = 'no' THEN 1 ELSE 0 END) FROM checkinanswer a JOIN checkin c ON c.id = a.checkin_id "
           "WHERE c.due_at >= :start AND c.due_at < :end GROUP BY a.practice")  # fmt: skip
    return {str(p): _rate(int(y), int(y) + int(n)) for p, y, n in await _rows(conn, sql, _window(conn, start, end))}


async def _median(conn: AsyncConnection, start: datetime, end: datetime, count: int) -> int | None:
    if not count:
        return None
    sql = f"SELECT answer_seconds FROM checkin WHERE {WINDOW} ORDER BY answer_seconds LIMIT 1 OFFSET :half"
    return int((await conn.execute(text(sql), _window(conn, start, end) | {"half": count // 2})).scalar_one())


def _total(counts: Counts) -> tuple[dict[str, int], int, int]:
    states: dict[str, int] = {}
    for cell in counts[0].values():
        for s, n in cell.items():
            states[s] = states.get(s, 0) + n
    return states, sum(n for n, _ in counts[1].values()), sum(ok for _, ok in counts[1].values())


async def _figures(conn: AsyncConnection, counts: Counts, start: datetime, end: datetime) -> dict[str, Any]:
    states, n, ok = _total(counts)
    delivered = sum(states.get(s, 0) for s in DELIVERED)
    return {
        "prompts_sent": delivered, "checkins": n, "response_rate": _rate(states.get("answered", 0), delivered),
        "all_practices_rate": _rate(ok, n), "practices": await _practices(conn, start, end),
        "median_answer_seconds": await _median(conn, start, end, n),
    }  # fmt: skip


async def stats_90d(conn: AsyncConnection, now: datetime) -> dict[str, Any]:
    """`fairloop stats --json --period 90d` for everyone, from the raw rows."""
    start, before = now - timedelta(days=90), now - timedelta(days=180)
    counts = await _counts(conn, start, now, by_team=False)
    if _total(counts)[1] < K:
        return {"suppressed": True, "checkins": None, "previous": None}
    out: dict[str, Any] = {"suppressed": False, **await _figures(conn, counts, start, now)}
    out["median_time_to_answer_seconds"] = out.pop("median_answer_seconds")
    sql = f"SELECT reason, count(*) FROM prompt WHERE state = 'undeliverable' AND {WINDOW} GROUP BY reason"
    reasons = {str(r or "unknown"): int(n) for r, n in await _rows(conn, sql, _window(conn, start, now))}
    out |= {"undeliverable": sum(reasons.values()), "undeliverable_reasons": reasons}
    earlier = await _counts(conn, before, start, by_team=False)
    out["previous"] = await _figures(conn, earlier, before, start) if _total(earlier)[1] >= K else None
    return out


async def digest(conn: AsyncConnection, today: datetime) -> dict[str, Any]:
    """The weekly digest's figures up to `today` 00:00: the week, the week before, teams, and 8 weekly points."""
    starts = [today - timedelta(weeks=WEEKS - i) for i in range(WEEKS + 1)]
    weeks = [await _counts(conn, starts[i], starts[i + 1], by_team=i >= WEEKS - 2) for i in range(WEEKS)]
    current = await _figures(conn, weeks[-1], starts[-2], today)
    response = {}
    for t, states in weeks[-1][0].items():
        delivered = sum(states.get(s, 0) for s in DELIVERED)
        if delivered:
            response[t] = states.get("answered", 0) / delivered
    trend = []
    for i, week in enumerate(weeks):
        states, n, ok = _total(week)
        delivered = sum(states.get(s, 0) for s in DELIVERED)
        shown = n >= K
        trend.append((starts[i], states.get("answered", 0) / delivered if shown and delivered else None,
                      ok / n if shown else None))  # fmt: skip
    return {"current": current, "teams": weeks[-1][1], "response": response, "trend": trend}


async def _main(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            print(json.dumps(await stats_90d(conn, datetime.now(UTC)), default=str))
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1]))
