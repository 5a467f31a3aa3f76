"""The click queue (FAIRLOOP_SLACK_CLICK_QUEUE=1): the one-click answer is acknowledged once it is queued, and a
`fairloop worker` process applies it (adapters/slack/queue.py). Nothing acknowledged is lost, nothing is applied
twice, a refusal still reaches the person who clicked, and clicks no worker takes are applied by the server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.slack.queue import FALLBACK_AGE, Applier
from bot.settings import SettingsError
from storage import queued
from storage.db import unit_of_work
from tests.support.app import ROOT, Running, StartApp, eventually, make_config
from tests.support.core import Clock
from tests.support.processes import clean_env
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import ANA, BOT_TOKEN, RAJ, SIGNING_SECRET
from tests.support.slack.world import SlackWorld, click_body


@pytest.fixture
async def queue_world(fake_slack: FakeSlack, start_app: StartApp) -> AsyncIterator[SlackWorld]:
    running = await start_app(
        slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=fake_slack.base_url,
        playground=False, slack_click_queue=True,
    )  # fmt: skip
    yield SlackWorld(running=running, fake=fake_slack)


def worker_env(running: Running, fake: FakeSlack, tmp_path: Path) -> dict[str, str]:
    mine = {k: v for k, v in os.environ.items() if not k.startswith(("FAIRLOOP_", "SLACK_"))}
    return mine | {
        "PYTHONPATH": str(ROOT),
        "FAIRLOOP_DATABASE_URL": running.graph.config.server.database_url,
        "FAIRLOOP_SECRET_KEY": "test-secret-key",
        "FAIRLOOP_CONFIG": str(tmp_path / "absent.toml"),
        "FAIRLOOP_PLAYGROUND": "0",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "FAIRLOOP_SLACK_API_URL": fake.base_url,
        "FAIRLOOP_SLACK_CLICK_QUEUE": "1",
    }


@pytest.fixture
def worker(queue_world: SlackWorld, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """A real `fairloop worker` process on the server's database and the fake Slack; stopped with SIGTERM."""
    log = (tmp_path / "worker.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "fairloop", "worker"], cwd=tmp_path, text=True, stdout=log,
                            stderr=subprocess.STDOUT, env=worker_env(queue_world.running, queue_world.fake, tmp_path))  # fmt: skip
    yield proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    log.close()


async def waiting(world: SlackWorld) -> int:
    sessions = world.running.graph.click_queue
    assert sessions is not None
    async with unit_of_work(sessions) as session:
        return await queued.waiting(session=session)


async def ledger(world: SlackWorld) -> tuple[int, int]:
    """(first answers, changed answers) the activity ledger counts."""
    async with world.running.graph.sessions() as session:
        row = (
            await session.execute(text("SELECT coalesce(sum(answers), 0), coalesce(sum(edits), 0) FROM activity"))
        ).one()
    return int(row[0]), int(row[1])


async def metrics(world: SlackWorld) -> str:
    async with world.running.http.get(f"{world.running.url}/metrics") as resp:
        assert resp.status == 200
        return await resp.text()


async def test_a_queued_click_is_answered_at_once_and_applied_once_by_the_worker(
    queue_world: SlackWorld, worker: subprocess.Popen[str], tmp_path: Path
) -> None:
    world, fake = queue_world, queue_world.fake
    [ana_dm] = await world.deliver("ana@example.com")
    body = click_body(fake, ana_dm, user=ANA)
    stamp = int(datetime.now(UTC).timestamp())
    first = await world.send(body, timestamp=stamp)
    again = await world.send(body, timestamp=stamp)  # the same signed request a second time (a replay)
    assert (first.status, first.text, again.status, again.text) == (200, "", 200, "")
    raj = await world.click(ana_dm, user=RAJ)  # not Raj's check-in: refused, and told to him privately
    assert raj.status == 200

    async def applied() -> bool:
        return bool(await world.checkins()) and await waiting(world) == 0

    await eventually(applied, within=30)
    [checkin] = await world.checkins()
    assert checkin.kind == "all" and checkin.all_followed
    assert set((await world.answers()).values()) == {"yes"}
    assert await ledger(world) == (1, 0)  # the replay was acknowledged and ignored
    [update] = await fake.wait_for("chat.update", within=10)
    assert (update["channel"], update["ts"]) == (ana_dm["channel"], world.ts_of(ana_dm))
    [refusal] = await fake.wait_for("chat.postEphemeral", within=10)
    assert refusal["user"] == RAJ and "belongs to another interviewer" in refusal["text"]
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    assert "Traceback" not in (tmp_path / "worker.log").read_text()


async def test_clicks_no_worker_takes_are_applied_by_the_server(queue_world: SlackWorld, clock: Clock) -> None:
    world = queue_world
    [dm] = await world.deliver("ana@example.com")
    assert (await world.click(dm, user=ANA)).status == 200
    await asyncio.sleep(2.5)  # the server looks every 2 s, and leaves a fresh click to the workers
    assert await waiting(world) == 1 and await world.checkins() == []
    assert "fairloop_click_queue_waiting 1.0" in await metrics(world)
    clock.set(datetime.now(UTC) + FALLBACK_AGE + timedelta(seconds=1))  # no worker took it in FALLBACK_AGE
    await eventually(world.checkins, within=10)
    assert await waiting(world) == 0 and await ledger(world) == (1, 0)
    assert "fairloop_click_queue_waiting 0.0" in await metrics(world)
    await world.fake.wait_for("chat.update", within=10)


async def test_clicks_held_by_a_worker_that_died_are_applied_once_by_another(queue_world: SlackWorld) -> None:
    world = queue_world
    graph, bridge, sessions = world.running.graph, world.running.graph.slack.bridge, world.running.graph.click_queue  # type: ignore[union-attr]
    assert bridge is not None and sessions is not None
    dms = await world.deliver("ana@example.com", "raj@example.com")
    for dm, user in zip(dms, (ANA, RAJ), strict=True):
        assert (await world.click(dm, user=user)).status == 200
    now = datetime.now(UTC)
    # a worker claims both, applies the first, and dies
    held = await queued.claim(sessions=sessions, now=now, until=now + timedelta(seconds=60), before=now, n=10)
    assert len(held) == 2
    await bridge.apply(held[0].body, held[0].delivery)
    assert len(await world.checkins()) == 1
    other = Applier(sessions=sessions, apply=bridge.apply)
    assert await other.once() == 0  # its lease still holds them
    later = Applier(sessions=sessions, apply=bridge.apply, clock=lambda: now + timedelta(seconds=61))
    assert await later.once() == 2  # the lease lapsed: both taken over
    assert len(await world.checkins()) == 2 and await waiting(world) == 0
    assert await ledger(world) == (2, 0)  # the click applied before the crash was not counted again
    assert graph.config.slack.slack_click_queue


async def test_claims_of_two_appliers_never_overlap(queue_world: SlackWorld) -> None:
    sessions = queue_world.running.graph.click_queue
    assert sessions is not None
    now = datetime.now(UTC)
    rows = [{"platform": "slack", "delivery": f"d{i}", "body": {"n": i}, "queued_at": now} for i in range(300)]
    async with unit_of_work(sessions) as session:
        await queued.push(session=session, rows=rows)

    async def take() -> list[int]:
        got: list[int] = []
        while True:
            claimed = await queued.claim(sessions=sessions, now=now, until=now + timedelta(minutes=1), before=now, n=7)
            if not claimed:
                return got
            got += [c.id for c in claimed]
            await asyncio.sleep(0)

    a, b = await asyncio.gather(take(), take())
    assert not set(a) & set(b) and len(a) + len(b) == 300


def test_the_queue_has_its_own_file_beside_a_sqlite_database_only() -> None:
    assert queued.sqlite_file("sqlite+aiosqlite:////srv/fairloop.db") == "sqlite+aiosqlite:////srv/fairloop.db.clicks"
    assert queued.sqlite_file("sqlite+aiosqlite:///./fairloop.db") == "sqlite+aiosqlite:///./fairloop.db.clicks"
    assert queued.sqlite_file("sqlite+aiosqlite://") is None
    assert queued.sqlite_file("postgresql+asyncpg://u@h/db") is None


def test_the_click_queue_is_for_slack_over_http(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        make_config(tmp_path, slack_bot_token=BOT_TOKEN, slack_app_token="xapp-1", slack_click_queue=True)
    assert str(caught.value) == (
        "FAIRLOOP_SLACK_CLICK_QUEUE: queues clicks sent over HTTP only; unset it, or SLACK_APP_TOKEN"
    )


def test_a_worker_with_no_queue_to_work_on_says_what_to_set(tmp_path: Path) -> None:
    env = clean_env(PYTHONPATH=str(ROOT), SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                    FAIRLOOP_CONFIG=str(tmp_path / "absent.toml"))  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "fairloop", "worker"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "fairloop: the worker applies queued Slack clicks: set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and "
        "FAIRLOOP_SLACK_CLICK_QUEUE=1, as for `fairloop serve`\n"
    )
