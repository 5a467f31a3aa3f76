"""Fixtures for the ATS connectors: the fake vendor APIs seeded with the shared samples, and the app wired to them
and to a fake Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.app import StartApp
from tests.support.ats.fake_ats import FakeATS
from tests.support.ats.payloads import ats_settings, seed
from tests.support.ats.world import AtsWorld
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import BOT_TOKEN, SIGNING_SECRET
from tests.support.slack.world import SlackWorld, fake_slack_with_people


@pytest.fixture
async def fake_ats(thirdparty: Path) -> AsyncIterator[FakeATS]:
    fake = FakeATS()
    seed(fake, thirdparty)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with fake_slack_with_people() as fake:
        yield fake


@pytest.fixture
async def world(fake_ats: FakeATS, fake_slack: FakeSlack, start_app: StartApp) -> AtsWorld:
    """The real app with all three connectors pointed at the fake ATS (the scheduled sync off: tests run it) and
    Slack at the fake Slack."""
    running = await start_app(
        slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=fake_slack.base_url,
        playground=False, min_group_size=1, **ats_settings(fake_ats),
    )  # fmt: skip
    return AtsWorld(slack=SlackWorld(running=running, fake=fake_slack), fake=fake_ats)
