"""Benchmark 3's baseline: the best hand-written SQL for `stats 90d` and the weekly digest, on the raw rows.

It computes what fairloop's gate publishes, with the same semantics and nothing from fairloop: whole days before
today in the zone; a prompt counts on the day it was sent (an undeliverable one on its due day), a check-in on the
day it was answered; rates need k behind them; the median is the time-to-answer bucket holding the middle answer.
Each window's figures come from one pass per table, grouped by window (a CASE over the window bounds), on the
indexes the schema has. `python -m bench.stats_sql URL` prints the 90d stats as JSON, so the whole-process figure
has a whole-process baseline.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

K = 5  # the privacy threshold (FAIRLOOP_MIN_GROUP_SIZE's default)
ZONE = "Europe/Berlin"  # FAIRLOOP_TIMEZONE: not UTC, so days are told apart from instants
DELIVERED = "('sent', 'answered', 'expired')"
PRACTICES = ("structured", "rubric", "accommodations", "on_topic", "candidate_time")
BUCKETS = (900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 345600)  # upper bounds of the buckets t0..t8
WEEKS = 8
Span = tuple[date, date]  # [first day, day after the last)


def _rate(num: int, den: int) -> float | None:
    return round(min(1.0, num / den), 4) if den >= K else None


def _bound(conn: AsyncConnection, day: date, zone: ZoneInfo) -> Any:
    """The instant a day starts, as each backend stores times (SQLite: UTC text 'YYYY-MM-DD HH:MM:SS.ffffff')."""
    moment = datetime.combine(day, clock_time(), tzinfo=zone).astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds") if conn.dialect.name == "sqlite" else moment


def _which(column: str, spans: list[Span]) -> str:
    """SQL naming the span (its index) a time falls in: `spans` must not overlap."""
    whens = " ".join(f"WHEN {column} >= :s{i} AND {column} < :e{i} THEN {i}" for i in range(len(spans)))
    return f"CASE {whens} ELSE -1 END"


def _params(conn: AsyncConnection, spans: list[Span], zone: ZoneInfo) -> dict[str, Any]:
    out = {}
    for i, (first, end) in enumerate(spans):
        out[f"s{i}"], out[f"e{i}"] = _bound(conn, first, zone), _bound(conn, end, zone)
    out["lo"], out["hi"] = min(out[f"s{i}"] for i in range(len(spans))), max(out[f"e{i}"] for i in range(len(spans)))
    return out


async def _rows(conn: AsyncConnection, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in await conn.execute(text(sql), params)]


async def figures(
    conn: AsyncConnection, spans: list[Span], *, zone: str = ZONE, teams: bool = False
) -> dict[tuple[int, str], dict[str, Any]]:
    """{(span, team or ''): figures} for non-overlapping spans, from four grouped scans of the raw rows."""
    p = _params(conn, spans, ZoneInfo(zone))
    team = "team" if teams else "''"
    cells: dict[tuple[int, str], dict[str, Any]] = {}

    def cell(i: int, t: str) -> dict[str, Any]:
        return cells.setdefault((i, t), {"sent": 0, "checkins": 0, "followed": 0, "buckets": [0] * 10,
                                         "practices": {}, "undeliverable": 0, "reasons": {}})  # fmt: skip

    which = _which("sent_at", spans)
    sql = (f"SELECT {which}, {team}, count(*) FROM prompt WHERE state IN {DELIVERED} "
           f"AND sent_at >= :lo AND sent_at < :hi GROUP BY 1, 2")  # fmt: skip
    for i, t, n in await _rows(conn, sql, p):
        cell(i, t)["sent"] += int(n)
    which = _which("due_at", spans)
    sql = (f"SELECT {which}, {team}, reason, count(*) FROM prompt WHERE state = 'undeliverable' "
           f"AND due_at >= :lo AND due_at < :hi GROUP BY 1, 2, 3")  # fmt: skip
    for i, t, reason, n in await _rows(conn, sql, p):
        c = cell(i, t)
        c["undeliverable"] += int(n)
        c["reasons"][reason or "unknown"] = c["reasons"].get(reason or "unknown", 0) + int(n)
    which = _which("answered_at", spans)
    bucket = "CASE " + " ".join(f"WHEN answer_seconds < {b} THEN {j}" for j, b in enumerate(BUCKETS)) + " ELSE 9 END"
    sql = (f"SELECT {which}, {team}, {bucket}, count(*), sum(CASE WHEN all_followed THEN 1 ELSE 0 END) FROM checkin "
           f"WHERE answered_at >= :lo AND answered_at < :hi GROUP BY 1, 2, 3")  # fmt: skip
    for i, t, b, n, ok in await _rows(conn, sql, p):
        c = cell(i, t)
        c["checkins"] += int(n)
        c["followed"] += int(ok or 0)
        c["buckets"][int(b)] += int(n)
    which, team = _which("c.answered_at", spans), "c.team" if teams else "''"
    sql = (f"SELECT {which}, {team}, a.practice, "
           "sum(CASE WHEN a.value = 'yes' THEN 1 ELSE 0 END), sum(CASE WHEN a.value = 'no' THEN 1 ELSE 0 END) "
           "FROM checkinanswer a JOIN checkin c ON c.id = a.checkin_id "
           "WHERE c.answered_at >= :lo AND c.answered_at < :hi GROUP BY 1, 2, 3")  # fmt: skip
    for i, t, practice, yes, no in await _rows(conn, sql, p):
        cell(i, t)["practices"][practice] = (int(yes), int(no))
    return {key: _publish(c) for key, c in cells.items() if key[0] >= 0}


def _publish(c: dict[str, Any]) -> dict[str, Any]:
    """The figures as fairloop words them (`Figures`), or None where fewer than k check-ins stand behind them."""
    n = c["checkins"]
    if n < K:
        return {"shown": False}
    times, median = c["buckets"], None
    if sum(times) >= K:
        half, running = (sum(times) + 1) // 2, 0
        for j, m in enumerate(times):
            running += m
            if running >= half:
                median = j
                break
    return {
        "shown": True,
        "prompts_sent": c["sent"],
        "checkins": n,
        "response_rate": _rate(n, c["sent"]),
        "all_practices_rate": _rate(c["followed"], n),
        "practices": {pr: _rate(y, y + no) for pr in PRACTICES for y, no in [c["practices"].get(pr, (0, 0))]},
        "median_bucket": median,
        "undeliverable": c["undeliverable"],
        "undeliverable_reasons": {r: m for r, m in sorted(c["reasons"].items()) if m >= K},
    }


def today(zone: str = ZONE) -> date:
    return datetime.now(ZoneInfo(zone)).date()


async def stats_90d(conn: AsyncConnection, end: date) -> dict[str, Any]:
    """`fairloop stats --json --period 90d` for everyone, from the raw rows: the 90 days before `end` and the 90 before."""
    spans = [(end - timedelta(days=90), end), (end - timedelta(days=180), end - timedelta(days=90))]
    found = await figures(conn, spans)
    now, before = found.get((0, ""), {"shown": False}), found.get((1, ""), {"shown": False})
    if not now["shown"]:
        return {"suppressed": True, "checkins": None, "previous": None}
    out = {k: v for k, v in now.items() if k not in ("shown", "median_bucket")}
    b = now["median_bucket"]
    out |= {"suppressed": False, "median_time_to_answer_seconds": None if b is None else BUCKETS[min(b, 8)]}
    out["previous"] = {k: v for k, v in before.items() if k != "shown"} if before["shown"] else None
    return out


async def digest(conn: AsyncConnection, end: date) -> dict[str, Any]:
    """The weekly digest's figures on the day `end`: the week and the week before for everyone and each team,
    and the trend chart's 8 weeks (the last of them is the digest's week)."""
    spans = [(end - timedelta(weeks=WEEKS - i), end - timedelta(weeks=WEEKS - i - 1)) for i in range(WEEKS)]
    everyone = await figures(conn, spans)
    by_team = await figures(conn, spans[-2:], teams=True)
    return {
        "week": everyone.get((WEEKS - 1, ""), {"shown": False}),
        "previous": everyone.get((WEEKS - 2, ""), {"shown": False}),
        "teams": {t: f for (i, t), f in by_team.items() if i == 1},
        "trend": [(spans[i][0].isoformat(), everyone.get((i, ""), {"shown": False})) for i in range(WEEKS)],
    }


async def _main(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            print(json.dumps(await stats_90d(conn, today())))
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(_main(sys.argv[1]))
