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
from apscheduler.util import undefined
from prometheus_client import Counter

from adapters.sources.ats import sync_interval, sync_job
from bot import cron
from bot.errors import FairloopError
from bot.service import Core
from fairloop.keys import CORE, KICK, REGISTRY, SETTINGS

logger = logging.getLogger(__name__)


DIGEST_GRACE = timedelta(hours=1)  # a digest whose time came while the process was down still goes out within this


def digest_run(core: Core, name: str, expression: str, timezone: str) -> Callable[[], Awaitable[int]]:
    """Send the digest for its most recent scheduled time, if that came within DIGEST_GRACE and nobody sent it.

    Run every minute rather than by a cron trigger: a process (re)started at 09:30 still sends 09:00's digest,
    and a post that failed is tried again on the next minute, while the claim keeps replicas to one post.
    """

    async def run() -> int:
        now = datetime.now(UTC)
        # only the times within the grace hour: a weekly digest is one trigger step, not a year of them
        runs = cron.next_runs(expression, timezone, after=now - DIGEST_GRACE, count=61, until=now)
        due = runs[-1] if runs else None  # the latest scheduled time that has come
        if due is None:
            return 0
        return int(await core.send_scheduled_digest(name, due=due))

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

    soon = datetime.now(UTC) + timedelta(minutes=1)
    for name, work, minutes, first in (
        ("remind", core.send_reminders, 5, None),
        ("expire", core.expire_old, 15, None),
        # daily, but also a minute after start: a process redeployed every day would otherwise never purge
        # (the run is claimed once per day, so restarts and replicas do not repeat it)
        ("purge", purge, 24 * 60, soon),
    ):
        scheduler.add_job(job(name, work), "interval", minutes=minutes, id=name, max_instances=1, coalesce=True,
                          misfire_grace_time=minutes * 60, next_run_time=first or undefined)  # fmt: skip
    sweeps = [digest_run(core, d.name, d.cron, d.timezone) for d in settings.digests]

    async def digests() -> int:
        sent = 0
        for sweep in sweeps:
            try:
                sent += await sweep()
            except Exception as exc:  # noqa: BLE001 - one digest's channel failing must not hold back the others
                # a FairloopError says what to fix (e.g. invite the app to the channel); anything else needs a trace
                logger.warning("a digest could not be posted (%s); it is tried again in a minute", exc,
                               exc_info=not isinstance(exc, FairloopError))  # fmt: skip
        return sent

    if sweeps:
        scheduler.add_job(job("digests", digests), "interval", minutes=1, id="digests", max_instances=1,
                          coalesce=True, misfire_grace_time=60, next_run_time=datetime.now(UTC))  # fmt: skip
    ats_sync = sync_job(app)  # ATS backfill/reconcile (issue 12): Greenhouse's only way in for new interviews
    if ats_sync is not None:
        every = sync_interval(app).total_seconds()
        scheduler.add_job(job("ats sync", ats_sync), "interval", seconds=every, id="ats-sync", max_instances=1,
                          coalesce=True, misfire_grace_time=int(every), next_run_time=soon)  # fmt: skip
    scheduler.start()  # inside the running loop: cleanup_ctx runs on it

    def kick() -> None:
        dispatch.modify(next_run_time=datetime.now(UTC))

    app[KICK] = kick
    yield
    scheduler.shutdown(wait=False)
    async with busy:
        stopped.set()
