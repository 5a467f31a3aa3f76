"""The clock: each job runs on its own, so a slow digest post never holds up prompt dispatch, and stopping waits for
running jobs only so long."""

from __future__ import annotations

import asyncio
import time

from schedules.jobs import Clockwork
from tests.support.app import eventually, interview
from tests.support.core import MakeCore, prompt_states
from tests.support.outbox import FakeOutbox

EVERY_MINUTE = {"name": "minutely", "platform": "playground", "channel": "sync", "cron": "* * * * *"}


async def test_a_slow_digest_post_does_not_hold_up_prompt_dispatch(make_core: MakeCore) -> None:
    outbox = FakeOutbox()
    outbox.channel_gate = asyncio.Event()  # the digest's post hangs until the test lets it go
    core = await make_core(outboxes={"playground": outbox}, digests=[EVERY_MINUTE])
    clock = Clockwork(delivery=core.delivery, retention=core.retention, directory=core.directory,
                      settings=core.config.core)  # fmt: skip
    clock.start()
    try:
        await asyncio.wait_for(outbox.posting.wait(), 30)  # the digest job is in its post now
        await core.intake.ingest(interview("while-digest"))
        clock.kick()

        async def sent() -> bool:
            return await prompt_states(core) == {"sent": 1}

        await eventually(sent, within=10)
        assert outbox.sent == ["ana@example.com"] and outbox.channel_posts == []  # the digest still hangs
        outbox.channel_gate.set()
        await eventually(lambda: asyncio.sleep(0, result=len(outbox.channel_posts) == 1), within=10)
    finally:
        outbox.channel_gate.set()
        await clock.stop()


async def test_stopping_waits_for_a_running_job_only_so_long(make_core: MakeCore) -> None:
    outbox = FakeOutbox()
    outbox.channel_gate = asyncio.Event()  # never set: the post hangs for good
    core = await make_core(outboxes={"playground": outbox}, digests=[EVERY_MINUTE])
    clock = Clockwork(delivery=core.delivery, retention=core.retention, directory=core.directory,
                      settings=core.config.core, stop_within=0.5)  # fmt: skip
    clock.start()
    await asyncio.wait_for(outbox.posting.wait(), 30)
    started = time.monotonic()
    await clock.stop()
    assert time.monotonic() - started < 5  # the hanging post was cancelled after the grace
    assert outbox.channel_posts == []
