"""On SQLite, writers in one process take turns in the order they came, instead of racing in SQLite's busy handler.

The busy handler retries with growing sleeps (up to 100 ms) and does not queue: under a burst of writers (a Monday
morning's prompts claimed and sent while hundreds of people click), a writer that has waited a while keeps losing
the lock to newer ones, and was seen to wait 30 s, until the busy timeout failed its transaction."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from storage import db

pytestmark = pytest.mark.sqlite

WRITERS = 30
HOLD = 0.02  # seconds a transaction keeps the write lock: its statements' round trips through the event loop
RUN = 3.0


async def test_no_writer_waits_behind_more_than_the_writers_ahead_of_it(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    sessions = db.make_sessions(engine)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (writer INTEGER, n INTEGER)"))
    waits: list[float] = []
    stop = time.monotonic() + RUN

    async def writer(i: int) -> int:
        done = 0
        while time.monotonic() < stop:
            asked = time.monotonic()
            async with db.unit_of_work(sessions) as session:
                await (await session.connection()).execute(text("INSERT INTO t VALUES (:i, :n)"), {"i": i, "n": done})
                waits.append(time.monotonic() - asked)
                await asyncio.sleep(HOLD)  # the rest of the transaction, the lock held
            done += 1
        return done

    try:
        done = await asyncio.gather(*(writer(i) for i in range(WRITERS)))
    finally:
        await engine.dispose()
    fair = WRITERS * HOLD * 3  # everyone ahead once, with room for a slow machine
    assert max(waits) < fair, f"longest wait {max(waits):.2f} s; {sorted(waits)[-5:]}"
    assert min(done) >= 0.5 * max(done), done  # and nobody is left behind for good
