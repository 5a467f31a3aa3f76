"""Fixtures for the Slack adapter tests: a fake Slack Web API on loopback whose every Block Kit payload is checked,
and fairloop's app wired to it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.app import StartApp
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import BOT_TOKEN, SIGNING_SECRET
from tests.support.slack.world import SlackWorld, fake_slack_with_people


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A started fake; on teardown every Block Kit payload the bot sent it is validated."""
    async with fake_slack_with_people() as fake:
        yield fake


@pytest.fixture
async def http_world(fake_slack: FakeSlack, start_app: StartApp) -> AsyncIterator[SlackWorld]:
    """fairloop with Slack over HTTP (POST /slack/events, signed), the playground off."""
    running = await start_app(
        slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=fake_slack.base_url,
        playground=False,
    )  # fmt: skip
    yield SlackWorld(running=running, fake=fake_slack)
