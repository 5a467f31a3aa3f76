"""The one-click answer claims its signed request in the transaction that records it: the same request again
(a replay, however many at once) is acknowledged and changes nothing, and a request whose recording failed is not
taken for seen, so sending it again records it."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlmodel import select

from storage.counts import Activity
from storage.models import ProcessedEvent
from tests.support.databases import refuse_inserts
from tests.support.slack.signing import ANA
from tests.support.slack.world import SlackWorld, click_body


@pytest.fixture
def world(http_world: SlackWorld) -> SlackWorld:
    return http_world


async def ledger(world: SlackWorld) -> tuple[int, int]:
    """(answers, changes) the activity ledger counts."""
    async with world.running.graph.sessions() as session:
        rows = (await session.exec(select(Activity))).all()
    return sum(r.answers for r in rows), sum(r.edits for r in rows)


async def replay_keys(world: SlackWorld) -> int:
    async with world.running.graph.sessions() as session:
        return len((await session.exec(select(ProcessedEvent).where(ProcessedEvent.key.startswith("replay:")))).all())


async def test_replays_of_a_one_click_answer_sent_at_once_are_acknowledged_and_record_it_once(
    world: SlackWorld,
) -> None:
    [dm] = await world.deliver("ana@example.com")
    before = await replay_keys(world)
    body, signed_at = click_body(world.fake, dm, user=ANA), int(time.time())
    answers = await asyncio.gather(*(world.send(body, timestamp=signed_at) for _ in range(5)))
    assert [(a.status, a.text) for a in answers] == [(200, "")] * 5
    await world.settle(0.5)
    assert await ledger(world) == (1, 0)  # one answer, no "change" from the replays
    assert len(await world.checkins()) == 1
    assert len(world.fake.called("chat.update")) == 1  # the card is redrawn for the click, not for its replays
    assert await replay_keys(world) == before + 1
    again = await world.send(body, timestamp=signed_at)  # and later on, still the same request
    assert (again.status, again.text) == (200, "")
    await world.settle()
    assert await ledger(world) == (1, 0) and len(world.fake.called("chat.update")) == 1


async def test_a_click_whose_recording_failed_is_recorded_when_the_same_request_comes_again(
    world: SlackWorld,
) -> None:
    [dm] = await world.deliver("ana@example.com")
    async with world.running.graph.engine.begin() as conn:
        await refuse_inserts(conn, "checkin")
    body, signed_at = click_body(world.fake, dm, user=ANA), int(time.time())
    failed = await world.send(body, timestamp=signed_at)
    assert failed.status == 200  # Slack is answered; the clicker is told it went wrong, privately
    await world.settle(0.5)
    [sorry] = world.fake.called("chat.postEphemeral")
    assert sorry["text"].startswith("Sorry, something went wrong on our side.")
    assert await world.checkins() == [] and await ledger(world) == (0, 0)
    async with world.running.graph.engine.begin() as conn:
        await conn.exec_driver_sql(
            "DROP TRIGGER refuse_checkin" if conn.dialect.name == "sqlite" else
            "ALTER TABLE checkin DROP CONSTRAINT refuse_checkin"
        )  # fmt: skip
    again = await world.send(body, timestamp=signed_at)  # the same signed request: not taken for a replay
    assert again.status == 200
    await world.settle(0.5)
    assert len(await world.checkins()) == 1 and await ledger(world) == (1, 0)
