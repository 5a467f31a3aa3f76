"""Queued clicks (models.QueuedClick): pushed in one statement per batch before their ack, claimed with a lease by
whichever applier takes them first (SKIP LOCKED on PostgreSQL; SQLite's single writer does the same), and deleted
once applied. Prebuilt Core statements: the push runs before each ack, so it must cost next to nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import make_url
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Sessions, make_engine, make_sessions, unclaimed
from storage.models import QueuedClick

Q = QueuedClick.__table__.c  # type: ignore[attr-defined]
TABLE = QueuedClick.__table__  # type: ignore[attr-defined]


def sqlite_file(url: str) -> str | None:
    """The queue's own file beside a SQLite database file (None for PostgreSQL, or SQLite in memory)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return str(parsed.set(database=f"{parsed.database}.clicks"))


@asynccontextmanager
async def opened(url: str, sessions: Sessions) -> AsyncIterator[Sessions]:
    """Sessions on the queue. PostgreSQL keeps it in the database, where a row lock is all a push and a claim share.
    SQLite has one writer per file: a worker applying clicks holds the database's lock for each batch it records,
    and pushes waiting behind it would hold up the acks. So on SQLite the queue is a file of its own beside the
    database (FILE.clicks; back it up with it: it holds clicks acknowledged and not yet applied)."""
    own = sqlite_file(url)
    if own is None:
        yield sessions
        return
    engine = make_engine(own)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: TABLE.create(sync, checkfirst=True))
        yield make_sessions(engine)
    finally:
        await engine.dispose()


class Claimed(NamedTuple):
    id: int
    platform: str
    delivery: str
    body: dict[str, Any]


_PUSH = insert(TABLE)
_DONE = delete(TABLE).where(Q.id.in_(bindparam("ids", expanding=True)))
_WAITING = select(func.count()).select_from(TABLE)
_CLAIMS: dict[str, Any] = {}


def _claim_statement(dialect: str) -> Any:
    """The oldest unclaimed rows queued before `before`, up to `n`, claimed until `until` in one statement."""
    statement = _CLAIMS.get(dialect)
    if statement is None:
        free = (
            select(Q.id)
            .where(unclaimed(Q.claimed_until, bindparam("now")), Q.queued_at <= bindparam("before"))
            .order_by(Q.id)
            .limit(bindparam("n"))
        )
        if dialect == "postgresql":  # replicas skip each other's rows instead of queueing behind their locks
            free = free.with_for_update(skip_locked=True)
        statement = _CLAIMS[dialect] = (
            update(TABLE)
            .where(Q.id.in_(free.scalar_subquery()))
            .values(claimed_until=bindparam("until"))
            .returning(Q.id, Q.platform, Q.delivery, Q.body)
        )
    return statement


async def push(*, session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Queue clicks: each a dict of platform, delivery, body and queued_at."""
    if rows:
        await (await session.connection()).execute(_PUSH, list(rows))


async def _at_once(sessions: Sessions, statement: Any, params: Any) -> list[Any]:
    """Run one statement as its own transaction (autocommit), rows fetched: no BEGIN and COMMIT around it, each a
    hop to the driver's thread with the lock held meanwhile. On SQLite the acks' pushes wait for that lock."""
    engine = sessions.kw["bind"]
    async with engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        result = await auto.execute(statement, params)
        return list(result.all()) if result.returns_rows else []


async def claim(*, sessions: Sessions, now: datetime, until: datetime, before: datetime, n: int) -> list[Claimed]:
    """Up to `n` queued clicks no one holds (or whose holder's lease lapsed), queued no later than `before`, oldest
    first, now held until `until`: one statement."""
    statement = _claim_statement(sessions.kw["bind"].dialect.name)
    rows = await _at_once(sessions, statement, {"now": now, "until": until, "before": before, "n": n})
    return sorted((Claimed(*r) for r in rows), key=lambda c: c.id)


async def done(*, sessions: Sessions, ids: Sequence[int]) -> None:
    """Delete applied clicks: one statement."""
    if ids:
        await _at_once(sessions, _DONE, {"ids": list(ids)})


async def waiting(*, session: AsyncSession) -> int:
    """Clicks queued and not yet applied."""
    return int((await (await session.connection()).execute(_WAITING)).scalar_one())
