"""`fairloop worker`: applies the one-click answers serving processes queued (FAIRLOOP_SLACK_CLICK_QUEUE=1), in a
process of its own, so that recording them never competes with acknowledging the next ones. Any number of workers
may run; each claims its own clicks with a lease (adapters/slack/queue.py). SIGTERM or SIGINT stops it: clicks it
holds and has not applied go to another worker, or back to the serving processes, once its lease lapses."""

from __future__ import annotations

import asyncio
import logging
import os
import signal

from fairloop.compose import build
from fairloop.config import Config

logger = logging.getLogger(__name__)


NICENESS = 10  # the worker gives way to acknowledging processes on the same machine; applying can wait a moment


async def run(config: Config) -> None:
    os.nice(NICENESS)
    async with build(config, serve=False) as graph:
        assert graph.slack is not None and graph.click_queue is not None
        work = asyncio.create_task(
            graph.slack.work(
                interactions=graph.interactions,
                reports=graph.reports,
                directory=graph.directory,
                queue=graph.click_queue,
            )
        )
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, work.cancel)
        try:
            await work
        except asyncio.CancelledError:
            logger.info("worker stopping")
        # leaving `build` drains the Slack follow-ups in flight (redraws, notes) before the session closes
