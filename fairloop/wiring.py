"""What every wired fairloop starts from: the database (migrated, on SQLite), the secret key and the activity
ledger. `compose.build` builds the services and platforms on it; `reports` builds only what a read-only report
needs, so `fairloop stats` imports no web stack, no platform SDK and no service it does not use (a whole process
started for one answer spends most of its time importing)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import Clock, utcnow
from bot.reports import ledger
from bot.reports.service import Reports
from bot.tokens import Signer
from fairloop.config import Config
from fairloop.secret import secret_key
from storage import db

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Base:
    engine: AsyncEngine
    sessions: db.Sessions
    signer: Signer


@asynccontextmanager
async def base(config: Config) -> AsyncIterator[Base]:
    """Connect, migrate SQLite (PostgreSQL: `fairloop db upgrade` first), read the secret key, and count any
    check-ins the activity ledger has not seen; the engine is disposed on the way out."""
    engine = db.make_engine(config.server.database_url)
    sessions = db.make_sessions(engine)
    try:
        if config.server.sqlite and not await db.at_head(engine):
            await db.upgrade(config.server.database_url)
        key = await secret_key(
            database_url=config.server.database_url, configured=config.server.secret_key, sessions=sessions
        )
        if await ledger.start(sessions=sessions, settings=config.core):
            logger.info("counted the existing check-ins into the daily activity ledger")
        yield Base(engine=engine, sessions=sessions, signer=Signer(secret_key=key))
    finally:
        await engine.dispose()


@asynccontextmanager
async def reports(config: Config, *, clock: Clock = utcnow) -> AsyncIterator[Reports]:
    """The reports service alone, on the database: for commands that only read figures."""
    async with base(config) as wired:
        yield Reports(sessions=wired.sessions, settings=config.core, clock=clock, signer=wired.signer)
