"""Anonymous feedback rows and the markers of candidate links already used (kept apart on purpose), and the daily
rewrite that leaves both tables in the order of their random keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import chunks
from storage.models import Feedback, FeedbackLinkUsed, Interview

ANONYMOUS = ((Feedback, "id"), (FeedbackLinkUsed, "marker"))  # each anonymous table and its random key


class LinkAlreadyUsed(Exception):
    """The link was marked used by another submission a moment ago."""


async def link_used(*, session: AsyncSession, markers: Sequence[str]) -> bool:
    found = await session.exec(select(FeedbackLinkUsed.marker).where(col(FeedbackLinkUsed.marker).in_(markers)))
    return found.first() is not None


async def store_candidate_feedback(*, session: AsyncSession, marker: str, rating: int, text: str, day: date) -> None:
    """Mark the link used and store the answer. The two rows share nothing: no key, no column, no day.

    A link used twice at once raises LinkAlreadyUsed (the marker is the table's primary key).
    """
    session.add(FeedbackLinkUsed(marker=marker))
    try:
        await session.flush()
    except IntegrityError:
        raise LinkAlreadyUsed() from None
    session.add(Feedback(source="candidate", rating=rating, text=text, day=day))
    await session.flush()


async def interviews_ended_between(*, session: AsyncSession, start: datetime, end: datetime) -> list[Interview]:
    stmt = select(Interview).where(col(Interview.ends_at) >= start, col(Interview.ends_at) < end)
    return list(await session.exec(stmt))


async def forget_markers(*, session: AsyncSession, markers: Sequence[str]) -> int:
    gone = 0
    for part in chunks(markers):
        stmt = delete(FeedbackLinkUsed).where(col(FeedbackLinkUsed.marker).in_(part))
        gone += (await session.exec(stmt)).rowcount  # type: ignore[call-overload]
    return gone


async def rewrite_in_key_order(*, session: AsyncSession) -> None:
    """Write every row of the anonymous tables again, in the order of its random key, so that nothing physical
    keeps the order notes arrived in. SQLite lays a page's cells down as rows come (a WITHOUT ROWID table sorts
    its pointers, not its cells): delete and insert again in key order (secure_delete zeroes the old cells).
    PostgreSQL: a new row version for each row, so all share one transaction id (xmin); `cluster` then puts
    them in key order. Rows written since the last run keep their order until the next: the day's residual."""
    conn = await session.connection()
    for model, key in ANONYMOUS:
        table = model.__table__  # type: ignore[attr-defined]
        if conn.dialect.name == "sqlite":
            rows = [dict(r) for r in (await conn.execute(table.select().order_by(table.c[key]))).mappings()]
            await conn.execute(delete(table))
            if rows:
                await conn.execute(insert(table), rows)
        elif conn.dialect.name == "postgresql":
            await conn.execute(text(f"UPDATE {table.name} SET {key} = {key}"))


async def cluster(*, session: AsyncSession) -> None:
    """PostgreSQL stores rows where there is room, in practice in the order they arrive; CLUSTER rewrites each
    anonymous table in the order of its primary key (its rows keep the xmin `rewrite_in_key_order` gave them).
    Run it in a transaction of its own, after that rewrite has committed, so the old row versions are gone."""
    conn = await session.connection()
    if conn.dialect.name == "postgresql":
        for model, _ in ANONYMOUS:
            name = model.__table__.name  # type: ignore[attr-defined]
            await conn.execute(text(f"CLUSTER {name} USING {name}_pkey"))
