"""Socket Mode: with SLACK_APP_TOKEN the same listeners answer over a websocket and no HTTP route is exposed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qsl

import pytest

from tests.support.app import StartApp
from tests.support.slack import payloads
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import ANA, BOT_TOKEN
from tests.support.slack.world import SlackWorld


@pytest.fixture
async def world(fake_slack: FakeSlack, start_app: StartApp) -> AsyncIterator[SlackWorld]:
    running = await start_app(
        slack_bot_token=BOT_TOKEN,
        slack_app_token=fake_slack.app_token,
        slack_api_url=fake_slack.base_url,
        playground=False,
    )
    yield SlackWorld(running=running, fake=fake_slack)


async def test_socket_mode_serves_commands_clicks_and_events_without_an_http_route(world: SlackWorld) -> None:
    fake = world.fake
    async with world.running.http.post(f"{world.running.url}/slack/events", data="x") as resp:
        assert resp.status in (404, 405)

    command = dict(parse_qsl(payloads.slash_command(user=ANA, text="help", response_url=fake.response_url())))
    ack = await fake.push({"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": True,
                           "payload": command})  # fmt: skip
    assert ack["envelope_id"] == "env-1"
    [hook] = await fake.wait_for_hook()
    assert hook["response_type"] == "ephemeral" and "Here's what I can do" in hook["text"]

    [dm] = await world.deliver("ana@example.com")
    click = payloads.block_actions(user=ANA, action_id="checkin.all", value=dm["metadata"]["event_payload"]["prompt_id"],
                                   channel=dm["channel"], ts=world.ts_of(dm), response_url=fake.response_url())  # fmt: skip
    ack = await fake.push({"envelope_id": "env-2", "type": "interactive", "accepts_response_payload": False,
                           "payload": click})  # fmt: skip
    assert ack["envelope_id"] == "env-2"
    await fake.wait_for("chat.update")
    [checkin] = await world.checkins()
    assert checkin.kind == "all"

    event = payloads.app_home_opened(user=ANA, event_id="Ev0SOCKET")
    await fake.push({"envelope_id": "env-3", "type": "events_api", "accepts_response_payload": False,
                     "payload": event, "retry_attempt": 0, "retry_reason": ""})  # fmt: skip
    [published] = await fake.wait_for("views.publish")
    assert published["user_id"] == ANA
    assert fake.called("apps.connections.open")
