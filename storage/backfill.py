"""Rebuilding the activity ledger from the raw rows: once for a database from before the ledger, and for data
loaded in bulk (the sample organisation, benchmarks). Streams the rows and writes the cells in bulk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import activity
from storage.activity import COUNTS
from storage.counts import Activity, ActivityPractice, ActivityReason
from storage.models import CheckIn, CheckInAnswer, Prompt

DELIVERED = ("sent", "answered", "expired")
Cell = tuple[date, str, str]


async def rebuild(*, session: AsyncSession, day_of: Callable[[datetime], date], bucket_of: Callable[[int], str]) -> int:
    """Replace the ledger with counts from the raw prompts and check-ins (a check-in counts on the day it was
    answered, with its current answers); returns the number of day × team × role cells written."""
    cells: dict[Cell, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    reasons: dict[tuple[date, str, str, str], int] = defaultdict(int)
    rows = await session.stream(
        select(Prompt.team, Prompt.role, Prompt.state, Prompt.sent_at, Prompt.due_at, Prompt.reason)
    )
    async for team, role, state, sent_at, due_at, reason in rows:
        if state in DELIVERED and sent_at is not None:
            cells[(day_of(sent_at), team, role)]["sent"] += 1
        elif state == "undeliverable":
            day = day_of(due_at)
            cells[(day, team, role)]["undeliverable"] += 1
            reasons[(day, team, role, (reason or "unknown")[:300])] += 1
    where: dict[int, Cell] = {}
    rows = await session.stream(
        select(
            CheckIn.id, CheckIn.team, CheckIn.role, CheckIn.answered_at, CheckIn.answer_seconds, CheckIn.all_followed
        )
    )
    async for checkin_id, team, role, answered_at, seconds, all_followed in rows:
        cell = (day_of(answered_at), team, role)
        where[checkin_id] = cell
        counts = cells[cell]
        counts["answers"] += 1
        counts["all_followed"] += int(all_followed)
        counts[bucket_of(seconds)] += 1
    practices: dict[tuple[date, str, str, str], dict[str, int]] = defaultdict(lambda: {"yes": 0, "no": 0, "na": 0})
    rows = await session.stream(select(CheckInAnswer.checkin_id, CheckInAnswer.practice, CheckInAnswer.value))
    async for checkin_id, practice, value in rows:
        if checkin_id in where and value in ("yes", "no", "na"):
            practices[(*where[checkin_id], practice)][value] += 1
    await activity.clear(session=session)
    await _bulk(session, Activity, [{"day": d, "team": t, "role": r, **c} for (d, t, r), c in cells.items()])
    await _bulk(
        session,
        ActivityPractice,
        [{"day": d, "team": t, "role": r, "practice": p, **c} for (d, t, r, p), c in practices.items()],
    )
    await _bulk(
        session,
        ActivityReason,
        [{"day": d, "team": t, "role": r, "reason": w, "n": n} for (d, t, r, w), n in reasons.items()],
    )
    return len(cells)


async def _bulk(session: AsyncSession, model: type, rows: list[dict[str, object]]) -> None:
    conn = await session.connection()
    for i in range(0, len(rows), 5000):
        await conn.execute(insert(model), rows[i : i + 5000])


async def oldest_day(*, session: AsyncSession) -> date | None:
    return (await session.exec(select(Activity.day).order_by(col(Activity.day)).limit(1))).first()


async def has_raw(*, session: AsyncSession) -> bool:
    """Whether any prompt exists to count."""
    return (await session.exec(select(Prompt.id).limit(1))).first() is not None
