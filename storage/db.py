"""Async engine and sessions; migrations run through alembic (imported only when there is one to run)."""

from __future__ import annotations

import ast
import asyncio
import re
import weakref
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, event, or_, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
CHUNK = 500  # items per statement with one bound parameter each: well under SQLite's and asyncpg's limits
T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """`items` in slices of `size`, for `IN (...)` lists and bulk rows."""
    return (items[i : i + size] for i in range(0, len(items), size))


Session = AsyncSession
Conflict = IntegrityError  # a unique key already taken, typically by a simultaneous request
Sessions = async_sessionmaker[AsyncSession]


def unclaimed(claimed_until: Any, now: Any) -> ColumnElement[bool]:
    """A row's claim is free to take: never claimed, or its lease (`claimed_until`) lapsed before `now`."""
    return or_(claimed_until.is_(None), claimed_until < now)


def make_engine(url: str) -> AsyncEngine:
    """SQLAlchemy's error messages leave out the statement's values (`hide_parameters`): a failure while storing
    anonymous feedback must not put its text in the log."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA secure_delete=ON")  # deleted rows (feedback, a moved secret) are overwritten
            cur.close()

        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True)


def insert(session: AsyncSession, model: Any) -> Any:
    """INSERT for `model` in the session's dialect, so it can say ON CONFLICT (SQLite and PostgreSQL both can)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def make_sessions(engine: AsyncEngine) -> Sessions:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(sessions: Sessions) -> AsyncIterator[AsyncSession]:
    """One session, one transaction: committed on success, rolled back on error. On SQLite, transactions take
    turns in the order they asked (see _turns)."""
    turn = _turn(sessions)
    if turn is None:
        async with sessions() as session, session.begin():
            yield session
        return
    async with turn, sessions() as session, session.begin():
        yield session


# SQLite has one writer at a time, and its busy handler does not queue the others: it retries each with sleeps of
# up to 100 ms, so under a burst of writers one that has waited a while keeps losing the lock to newer ones (seen
# waiting 30 s, until the busy timeout failed it). In one process, an asyncio.Lock (first come, first served) per
# engine and event loop makes transactions take turns instead; the busy timeout is left for other processes.
_TURNS: weakref.WeakKeyDictionary[Any, dict[asyncio.AbstractEventLoop, asyncio.Lock]] = weakref.WeakKeyDictionary()


def _turn(sessions: Sessions) -> asyncio.Lock | None:
    bind = sessions.kw.get("bind")
    if bind is None or bind.dialect.name != "sqlite":
        return None
    per_loop = _TURNS.setdefault(bind.sync_engine, {})
    loop = asyncio.get_running_loop()
    if loop not in per_loop:
        per_loop.clear()  # an engine is used by one loop at a time (tests start a loop per test)
        per_loop[loop] = asyncio.Lock()
    return per_loop[loop]


class Withheld(Exception):
    """The database refused to store something anonymous. Its own message is left out, and with it the chain: a
    PostgreSQL error can quote the whole failing row (`DETAIL: Failing row contains (…)`), which no setting of
    ours hides. What is left says which kind of failure it was, and whether trying later may help."""

    def __init__(self, kind: str, *, unavailable: bool) -> None:
        super().__init__(f"{kind} while storing an anonymous row (the database's message is withheld)")
        self.unavailable = unavailable


@asynccontextmanager
async def discreet_unit_of_work(sessions: Sessions) -> AsyncIterator[AsyncSession]:
    """A unit of work for anonymous rows: a database failure comes out as `Withheld`, with nothing of the row."""
    try:
        async with unit_of_work(sessions) as session:
            yield session
    except (SQLAlchemyError, OSError) as exc:
        kind = type(getattr(exc, "orig", None) or exc).__name__
        raise Withheld(kind, unavailable=unavailable(exc)) from None


async def save(session: AsyncSession, *rows: Any) -> None:
    """Add or update rows in this unit of work and flush, so ids and constraints are settled now."""
    session.add_all(rows)
    await session.flush()


async def flush(session: AsyncSession) -> None:
    """Write the changes made to rows loaded in this unit of work (they are tracked; no add needed)."""
    await session.flush()


async def checkpoint(sessions: Sessions) -> None:
    """SQLite: move the write-ahead log into the database file and empty it, so that the pages which held deleted
    rows are replaced in the file now rather than at the next automatic checkpoint. Nothing to do on PostgreSQL."""
    async with sessions() as session:
        conn = await session.connection()
        if conn.dialect.name == "sqlite":
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_sync(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


_REVISION = re.compile(r"^(down_)?revision\b[^=\n]*=\s*(.+)$", re.MULTILINE)


@cache
def heads() -> frozenset[str]:
    """The migrations' head revisions, read from the scripts' `revision` and `down_revision` lines: importing
    alembic to ask would cost every command a third of a second (a test checks that alembic agrees)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for down, value in _REVISION.findall(script.read_text(encoding="utf-8")):
            found = ast.literal_eval(value.strip())
            names = {found} if isinstance(found, str) else set(found or ())
            (parents if down else revisions).update(names)
    return frozenset(revisions - parents)


async def at_head(engine: AsyncEngine) -> bool:
    """Whether the database is migrated to the latest revision (one query; False when it was never migrated)."""
    try:
        async with engine.connect() as conn:
            found = {row[0] for row in await conn.execute(text("SELECT version_num FROM alembic_version"))}
    except DBAPIError:  # no alembic_version table yet
        return False
    return found == heads()


async def upgrade(url: str, revision: str = "head") -> None:
    """Run migrations in a worker thread (alembic's env drives its own event loop there)."""
    await asyncio.to_thread(upgrade_sync, url, revision)


def unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database did not answer (stopped, restarting, unreachable, out of connections, a
    SQLite file it cannot open or that stays locked), rather than that a query was wrong: worth trying later."""
    if isinstance(exc, Withheld):
        return exc.unavailable
    for cause in (exc, exc.__cause__):
        if isinstance(cause, DBAPIError) and (cause.connection_invalidated or isinstance(cause, OperationalError)):
            return True
        if isinstance(cause, InterfaceError | PoolTimeout | OSError | TimeoutError):  # OSError: the connection failed
            return True
    return False


async def ping(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - readiness reports any failure as "not ready"
        return False
