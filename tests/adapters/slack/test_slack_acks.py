"""An answer that got a 200 is kept: a click is recorded before Slack hears the acknowledgement, over HTTP and over
Socket Mode, however slow Slack's own API is; the slow follow-ups (the card's redraw) come after."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.app import StartApp
from tests.support.slack import payloads
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import ANA, BOT_TOKEN
from tests.support.slack.world import SlackWorld

SLOW = 2.5  # seconds users.info and chat.update take: long enough that anything waiting on them shows


@pytest.fixture
async def socket_world(fake_slack: FakeSlack, start_app: StartApp) -> AsyncIterator[SlackWorld]:
    running = await start_app(
        slack_bot_token=BOT_TOKEN, slack_app_token=fake_slack.app_token, slack_api_url=fake_slack.base_url,
        playground=False,
    )  # fmt: skip
    yield SlackWorld(running=running, fake=fake_slack)


async def test_a_click_is_recorded_before_its_200_even_when_slack_is_slow(http_world: SlackWorld) -> None:
    [dm] = await http_world.deliver("ana@example.com")
    http_world.fake.delays.update({"users.info": SLOW, "chat.update": SLOW})
    answer = await http_world.click(dm, user=ANA)
    assert answer.status == 200 and answer.seconds < SLOW  # no waiting on Slack's API before the ack
    [checkin] = await http_world.checkins()  # read at the moment of the 200: recorded already
    assert checkin.kind == "all"
    assert http_world.fake.called("chat.update") == []  # the redraw is a follow-up, after the ack
    await http_world.fake.wait_for("chat.update", within=SLOW + 5)


async def test_a_socket_mode_click_is_recorded_before_its_envelope_is_acknowledged(socket_world: SlackWorld) -> None:
    fake = socket_world.fake
    [dm] = await socket_world.deliver("ana@example.com")
    fake.delays.update({"users.info": SLOW, "chat.update": SLOW})
    click = payloads.block_actions(user=ANA, action_id="checkin.all", value=dm["metadata"]["event_payload"]["prompt_id"],
                                   channel=dm["channel"], ts=socket_world.ts_of(dm), response_url=fake.response_url())  # fmt: skip
    ack = await fake.push({"envelope_id": "env-click", "type": "interactive", "accepts_response_payload": False,
                           "payload": click})  # fmt: skip
    assert ack["envelope_id"] == "env-click"
    [checkin] = await socket_world.checkins()
    assert checkin.kind == "all"
    await fake.wait_for("chat.update", within=SLOW + 5)
