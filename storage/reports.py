"""Goals, concerns and anonymous feedback as digests and commands read them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.counts import Rollup
from storage.models import Concern, Feedback, GoalRow, Prompt, utcnow


async def list_goals(*, session: AsyncSession) -> list[GoalRow]:
    return list(await session.exec(select(GoalRow).order_by(col(GoalRow.team), col(GoalRow.metric))))


async def set_goal(*, session: AsyncSession, team: str, metric: str, target: float, set_by: str | None) -> GoalRow:
    row = (await session.exec(select(GoalRow).where(GoalRow.team == team, GoalRow.metric == metric))).first()
    if row is None:
        row = GoalRow(team=team, metric=metric, target=target)
    row.target, row.set_by, row.updated_at = target, set_by, utcnow()
    session.add(row)
    await session.flush()
    return row


async def get_concern(*, session: AsyncSession, concern_id: int) -> Concern | None:
    return await session.get(Concern, concern_id)


async def open_concerns(*, session: AsyncSession) -> list[Concern]:
    """Concerns not yet resolved, oldest first: they stay in digests until someone resolves them."""
    stmt = select(Concern).where(Concern.status != "resolved").order_by(col(Concern.created_at))
    return list(await session.exec(stmt))


async def add_feedback(*, session: AsyncSession, source: str, category: str | None, text: str, day: date) -> None:
    """Anonymous feedback: the text, a category and the day. Nothing else exists to store."""
    session.add(Feedback(source=source, category=category, text=text, day=day))
    await session.flush()


async def feedback_between(*, session: AsyncSession, first: date, last: date) -> list[Feedback]:
    """Feedback from `first` to `last` (days, inclusive), newest day first."""
    stmt = (
        select(Feedback)
        .where(col(Feedback.day) >= first, col(Feedback.day) <= last)
        .order_by(col(Feedback.day).desc(), col(Feedback.id))
    )
    return list(await session.exec(stmt))


async def gauges(*, session: AsyncSession) -> dict[str, dict[str, int]]:
    """Counts for monitoring: prompts by state, concerns by status. Never anonymous feedback: a live count
    would date each note to the minute it was sent."""
    out: dict[str, dict[str, int]] = {}
    for name, column in (("prompts", Prompt.state), ("concerns", Concern.status)):
        rows = await session.exec(select(column, func.count()).group_by(column))
        out[name] = {str(key): int(n) for key, n in rows}
    return out


async def rollups(*, session: AsyncSession) -> list[Rollup]:
    return list(await session.exec(select(Rollup).order_by(col(Rollup.month), col(Rollup.team), col(Rollup.role))))
