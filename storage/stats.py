"""The few raw counts read outside the activity ledger: known team and role names, and a person's own record."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from sqlalchemy import case, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CheckIn, CheckInAnswer, Prompt


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
