"""Aggregate queries for stats: every figure is counted in SQL, grouped where asked."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CheckIn, CheckInAnswer, Prompt

GroupBy = Literal["team", "role"] | None


def _filters(model: Any, start: datetime, end: datetime, team: str | None, role: str | None) -> list[Any]:
    where = [col(model.due_at) >= start, col(model.due_at) < end]
    if team is not None:
        where.append(col(model.team) == team)
    if role is not None:
        where.append(col(model.role) == role)
    return where


async def prompt_counts(
    *,
    session: AsyncSession,
    start: datetime,
    end: datetime,
    team: str | None = None,
    role: str | None = None,
    by: GroupBy = None,
) -> dict[str, dict[str, int]]:
    """{group: {state: count}}; the group is '' when not grouped."""
    key = col(getattr(Prompt, by)) if by else None
    cols = [Prompt.state, func.count()]
    stmt = select(*([key] if key is not None else []), *cols).where(*_filters(Prompt, start, end, team, role))
    stmt = stmt.group_by(*([key] if key is not None else []), Prompt.state)
    out: dict[str, dict[str, int]] = {}
    for row in await session.exec(stmt):
        group, state, n = (row[0], row[1], row[2]) if key is not None else ("", row[0], row[1])
        out.setdefault(group, {})[state] = int(n)
    return out


async def checkin_counts(
    *,
    session: AsyncSession,
    start: datetime,
    end: datetime,
    team: str | None = None,
    role: str | None = None,
    by: GroupBy = None,
) -> dict[str, tuple[int, int]]:
    """{group: (check-ins, all-practices-followed)}."""
    key = col(getattr(CheckIn, by)) if by else None
    followed = func.sum(case((col(CheckIn.all_followed), 1), else_=0))
    stmt = select(*([key] if key is not None else []), func.count(), followed).where(
        *_filters(CheckIn, start, end, team, role)
    )
    if key is not None:
        stmt = stmt.group_by(key)
    out: dict[str, tuple[int, int]] = {}
    for row in await session.exec(stmt):
        group, n, ok = (row[0], row[1], row[2]) if key is not None else ("", row[0], row[1])
        if n:
            out[group] = (int(n), int(ok or 0))
    return out


async def practice_counts(
    *, session: AsyncSession, start: datetime, end: datetime, team: str | None = None, role: str | None = None
) -> dict[str, dict[str, int]]:
    """{practice: {yes|no|na: count}}."""
    stmt = (
        select(CheckInAnswer.practice, CheckInAnswer.value, func.count())
        .join(CheckIn, col(CheckIn.id) == CheckInAnswer.checkin_id)
        .where(*_filters(CheckIn, start, end, team, role))
        .group_by(CheckInAnswer.practice, CheckInAnswer.value)
    )
    out: dict[str, dict[str, int]] = {}
    for practice, value, n in await session.exec(stmt):
        out.setdefault(practice, {})[value] = int(n)
    return out


async def median_answer_seconds(
    *, session: AsyncSession, start: datetime, end: datetime, team: str | None = None, role: str | None = None
) -> int | None:
    """Median time from prompt to answer, portable SQL: ORDER BY ... OFFSET n/2."""
    where = _filters(CheckIn, start, end, team, role)
    n = (await session.exec(select(func.count()).select_from(CheckIn).where(*where))).one()
    if not n:
        return None
    stmt = select(CheckIn.answer_seconds).where(*where).order_by(col(CheckIn.answer_seconds)).offset(n // 2).limit(1)
    return int((await session.exec(stmt)).one())


async def undeliverable_reasons(
    *, session: AsyncSession, start: datetime, end: datetime, team: str | None = None, role: str | None = None
) -> dict[str, int]:
    stmt = (
        select(Prompt.reason, func.count())
        .where(Prompt.state == "undeliverable", *_filters(Prompt, start, end, team, role))
        .group_by(Prompt.reason)
    )
    return {str(reason or "unknown"): int(n) for reason, n in await session.exec(stmt)}


async def distinct_values(*, session: AsyncSession, column: Literal["team", "role"]) -> list[str]:
    stmt = select(getattr(Prompt, column)).distinct()
    return sorted(v for v in await session.exec(stmt) if v is not None)


async def person_counts(*, session: AsyncSession, person_id: int, start: datetime, end: datetime) -> dict[str, Any]:
    states = (
        select(Prompt.state, func.count())
        .where(Prompt.person_id == person_id, col(Prompt.due_at) >= start, col(Prompt.due_at) < end)
        .group_by(Prompt.state)
    )
    by_state = {s: int(n) for s, n in await session.exec(states)}
    followed = func.sum(case((col(CheckIn.all_followed), 1), else_=0))
    row = (
        await session.exec(
            select(func.count(), followed).where(
                CheckIn.person_id == person_id, col(CheckIn.due_at) >= start, col(CheckIn.due_at) < end
            )
        )
    ).one()
    practices = (
        select(CheckInAnswer.practice, CheckInAnswer.value, func.count())
        .join(CheckIn, col(CheckIn.id) == CheckInAnswer.checkin_id)
        .where(CheckIn.person_id == person_id, col(CheckIn.due_at) >= start, col(CheckIn.due_at) < end)
        .group_by(CheckInAnswer.practice, CheckInAnswer.value)
    )
    per: dict[str, dict[str, int]] = {}
    for practice, value, n in await session.exec(practices):
        per.setdefault(practice, {})[value] = int(n)
    return {"states": by_state, "checkins": int(row[0]), "all_followed": int(row[1] or 0), "practices": per}
