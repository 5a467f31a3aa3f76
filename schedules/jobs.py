"""The clock: prompt dispatch, reminders, expiry, retention and digests, run by APScheduler inside the app's event loop.

Each process has its own in-memory job store; replicas coordinate through the database
(prompts are claimed with a compare-and-set), never through a shared job store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from prometheus_client import Counter

from bot import cron
from bot.service import Core
from fairloop.keys import CORE, KICK, REGISTRY, SETTINGS

logger = logging.getLogger(__name__)


DIGEST_GRACE = timedelta(hours=1)  # a process that was down at 09:00 still sends the 09:00 digest by 10:00


def digest_run(core: Core, name: str, expression: str, timezone: str) -> Callable[[], Awaitable[int]]:
    """The digest's run for its most recent scheduled time; replicas claim that time, so one of them sends."""

    async def run() -> int:
        now = datetime.now(UTC)
        runs = cron.next_runs(expression, timezone, after=now - DIGEST_GRACE, count=61)
        due = max((r for r in runs if r <= now), default=None)  # the latest scheduled time that has come
        if due is None:
            return 0
        await core.send_digest(name, scheduled_for=due)
        return 1

    return run


async def scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    core, settings = app[CORE], app[SETTINGS]
    dispatched = Counter("fairloop_prompts_dispatched", "Check-in prompts delivered", registry=app[REGISTRY])

    busy = asyncio.Lock()  # held while a job runs, so shutdown can wait for it to finish
    stopped = asyncio.Event()  # a job task that starts after shutdown must not open new connections

    def job(
        name: str, work: Callable[[], Awaitable[int]], then: Callable[[int], None] = lambda n: None
    ) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            try:
                async with busy:
                    if not stopped.is_set():
                        then(await work())
            except Exception:
                logger.exception("%s failed; it runs again at its next tick", name)

        return run

    scheduler = AsyncIOScheduler(timezone=UTC)
    dispatch = scheduler.add_job(
        job("prompt dispatch", core.dispatch_due, dispatched.inc), "interval",
        seconds=max(1, settings.dispatch_interval.total_seconds()), id="dispatch", max_instances=1, coalesce=True,
        misfire_grace_time=60, next_run_time=datetime.now(UTC),
    )  # fmt: skip

    async def purge() -> int:
        return sum((await core.purge(daily=True)).values())

    for name, work, minutes in (
        ("remind", core.send_reminders, 5),
        ("expire", core.expire_old, 15),
        ("purge", purge, 24 * 60),
    ):
        scheduler.add_job(job(name, work), "interval", minutes=minutes, id=name, max_instances=1, coalesce=True,
                          misfire_grace_time=minutes * 60)  # fmt: skip
    for digest in settings.digests:
        scheduler.add_job(job(f"digest {digest.name}", digest_run(core, digest.name, digest.cron, digest.timezone)),
                          cron.trigger(digest.cron, digest.timezone), id=f"digest:{digest.name}", max_instances=1,
                          coalesce=True, misfire_grace_time=int(DIGEST_GRACE.total_seconds()))  # fmt: skip
    scheduler.start()  # inside the running loop: cleanup_ctx runs on it

    def kick() -> None:
        dispatch.modify(next_run_time=datetime.now(UTC))

    app[KICK] = kick
    yield
    scheduler.shutdown(wait=False)
    async with busy:
        stopped.set()
