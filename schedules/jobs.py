"""The clock: prompt dispatch, reminders, expiry, retention, digests and the ATS sync, run by APScheduler inside
the event loop.

Each process has its own in-memory job store; replicas coordinate through the database (prompts, digests, the
daily purge and each ATS sync are claimed there), never through a shared job store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.util import undefined

from adapters.sources.ats import sync_scheduled
from adapters.sources.ats_common import AtsError, Runtime
from bot import crontab
from bot.delivery.service import Delivery
from bot.errors import FairloopError
from bot.people import Directory
from bot.retention import Retention
from bot.settings import Settings

logger = logging.getLogger(__name__)

STOP_WITHIN = 10.0  # seconds a stopping process gives its running jobs before cancelling them
DIGEST_GRACE = timedelta(hours=1)  # a digest whose time came while the process was down still goes out within this


def digest_run(delivery: Delivery, name: str, expression: str, timezone: str) -> Callable[[], Awaitable[int]]:
    """Send the digest for its most recent scheduled time, if that came within DIGEST_GRACE and nobody sent it.

    Run every minute rather than by a cron trigger: a process (re)started at 09:30 still sends 09:00's digest,
    and a post that failed is tried again on the next minute, while the claim keeps replicas to one post.
    """

    async def run() -> int:
        now = datetime.now(UTC)
        due = crontab.latest(expression, timezone, now=now)
        if now - due > DIGEST_GRACE:
            return 0
        return int(await delivery.send_scheduled_digest(name, due=due))

    return run


def ats_sync(runtime: Runtime, directory: Directory) -> Callable[[], Awaitable[int]]:
    """Sync each ATS whose API is configured, once per FAIRLOOP_ATS_SYNC_EVERY bucket: whichever replica claims
    the bucket first runs it. A vendor that fails waits for the next bucket; its webhooks keep working meanwhile."""
    every = runtime.settings.ats_sync_every.total_seconds()

    async def run() -> int:
        now = datetime.now(UTC)
        bucket = int(now.timestamp() // every)
        imported = 0
        for vendor in runtime.settings.configured():
            if not await directory.first_time(f"ats-sync:{vendor}:{bucket}"):
                continue
            try:
                imported += (await sync_scheduled(vendor, runtime=runtime, now=now)).imported
            except AtsError as exc:
                logger.warning("scheduled %s sync stopped: %s", vendor, exc.detail)
        return imported

    return run


class Clockwork:
    """The scheduled jobs of one process. `kick()` runs prompt dispatch now (an interview just came in).

    Each job has a lock of its own: dispatch, reminders, expiry, the purge, digests and the ATS sync run
    independently, so a digest post waiting on a platform never holds up the prompts."""

    def __init__(
        self,
        *,
        delivery: Delivery,
        retention: Retention,
        directory: Directory,
        settings: Settings,
        ats: Runtime | None = None,
        dispatched: Callable[[int], None] = lambda n: None,
        stop_within: float = STOP_WITHIN,
    ) -> None:
        self._locks: dict[str, asyncio.Lock] = {}  # one per job: the same job never overlaps itself
        self._running: set[asyncio.Task[None]] = set()  # so stopping can wait for them, then cancel them
        self._stop_within = stop_within
        self._stopped = asyncio.Event()  # a job task that starts after stop() must not open new connections
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        add = self._scheduler.add_job

        async def dispatch() -> int:
            sent = await delivery.dispatch_due()
            upcoming = await delivery.next_due()
            if upcoming is not None:  # start on the dot when the next prompts fall due, not at the next tick
                self._wake(upcoming)
            return sent

        self._dispatch = add(
            self._job("prompt dispatch", dispatch, dispatched), "interval",
            seconds=max(1, settings.dispatch_interval.total_seconds()), id="dispatch", max_instances=1, coalesce=True,
            misfire_grace_time=60, next_run_time=datetime.now(UTC),
        )  # fmt: skip

        async def purge() -> int:
            return sum((await retention.purge(daily=True)).values())

        soon = datetime.now(UTC) + timedelta(minutes=1)
        for name, work, minutes, first in (
            ("remind", delivery.send_reminders, 5, None),
            ("expire", delivery.expire_old, 15, None),
            # daily, but also a minute after start: a process redeployed every day would otherwise never purge
            # (the run is claimed once per day, so restarts and replicas do not repeat it)
            ("purge", purge, 24 * 60, soon),
        ):
            add(self._job(name, work), "interval", minutes=minutes, id=name, max_instances=1, coalesce=True,
                misfire_grace_time=minutes * 60, next_run_time=first or undefined)  # fmt: skip
        every = ats.settings.ats_sync_every.total_seconds() if ats is not None else 0
        if ats is not None and every > 0 and ats.settings.configured():  # Greenhouse's only way in for new interviews

            def imported(count: int) -> None:
                if count:
                    self.kick()  # what just came in may be due already

            add(self._job("ats sync", ats_sync(ats, directory), imported), "interval",
                seconds=every, id="ats-sync", max_instances=1, coalesce=True, misfire_grace_time=int(every),
                next_run_time=soon)  # fmt: skip
        sweeps = [digest_run(delivery, d.name, d.cron, d.timezone) for d in settings.digests]

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
            add(self._job("digests", digests), "interval", minutes=1, id="digests", max_instances=1, coalesce=True,
                misfire_grace_time=60, next_run_time=datetime.now(UTC))  # fmt: skip

    def _job(
        self, name: str, work: Callable[[], Awaitable[int]], then: Callable[[int], None] = lambda n: None
    ) -> Callable[[], Awaitable[None]]:
        lock = self._locks.setdefault(name, asyncio.Lock())

        async def run() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._running.add(task)
                task.add_done_callback(self._running.discard)
            try:
                async with lock:
                    if not self._stopped.is_set():
                        then(await work())
            except Exception:
                logger.exception("%s failed; it runs again at its next tick", name)

        return run

    def start(self) -> None:
        self._scheduler.start()  # inside the running loop

    def kick(self) -> None:
        self._dispatch.modify(next_run_time=datetime.now(UTC))

    def _wake(self, at: datetime) -> None:
        """Run prompt dispatch at `at` if that comes before its next tick."""
        nxt = self._dispatch.next_run_time
        if not self._stopped.is_set() and (nxt is None or at < nxt):
            self._dispatch.modify(next_run_time=at)

    async def stop(self) -> None:
        """No new runs; running jobs get `stop_within` seconds to finish, then are cancelled (a send cut short
        gives its claim back, or leaves it to lapse, so another replica takes it over)."""
        self._stopped.set()
        self._scheduler.shutdown(wait=False)
        running = {t for t in self._running if not t.done()}
        if not running:
            return
        _, late = await asyncio.wait(running, timeout=self._stop_within)
        if late:
            logger.warning("stopping: %d job(s) still running after %.0fs are cancelled", len(late), self._stop_within)
            for task in late:
                task.cancel()
            await asyncio.wait(late, timeout=5)
