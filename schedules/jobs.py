"""The clock: prompt dispatch and expiry, run by APScheduler inside the app's event loop.

Each process has its own in-memory job store; replicas coordinate through the database
(prompts are claimed with a compare-and-set), never through a shared job store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from prometheus_client import Counter

from fairloop.keys import CORE, KICK, REGISTRY, SETTINGS

logger = logging.getLogger(__name__)


async def scheduler_ctx(app: web.Application) -> AsyncIterator[None]:
    core, settings = app[CORE], app[SETTINGS]
    dispatched = Counter("fairloop_prompts_dispatched", "Check-in prompts delivered", registry=app[REGISTRY])

    busy = asyncio.Lock()  # held while a job runs, so shutdown can wait for it to finish

    async def dispatch() -> None:
        try:
            async with busy:
                dispatched.inc(await core.dispatch_due())
        except Exception:
            logger.exception("prompt dispatch failed; will try again next tick")

    async def remind() -> None:
        try:
            async with busy:
                await core.send_reminders()
        except Exception:
            logger.exception("sending reminders failed")

    async def expire() -> None:
        try:
            async with busy:
                await core.expire_old()
        except Exception:
            logger.exception("expiring prompts failed")

    scheduler = AsyncIOScheduler(timezone=UTC)
    job = scheduler.add_job(
        dispatch,
        "interval",
        seconds=max(1, settings.dispatch_interval.total_seconds()),
        id="dispatch",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=60,
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        remind, "interval", minutes=5, id="remind", max_instances=1, coalesce=True, misfire_grace_time=300
    )
    scheduler.add_job(
        expire, "interval", minutes=15, id="expire", max_instances=1, coalesce=True, misfire_grace_time=600
    )
    scheduler.start()  # inside the running loop: cleanup_ctx runs on it

    def kick() -> None:
        job.modify(next_run_time=datetime.now(UTC))

    app[KICK] = kick
    yield
    scheduler.shutdown(wait=False)
    async with busy:
        pass
