"""Fixtures for the Slack adapter tests: a fake Slack Web API on loopback whose every Block Kit payload is checked."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.slack import blockkit
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import ANA, BOT_TOKEN, MIA, RAJ


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A started fake; on teardown every Block Kit payload the bot sent it is validated."""
    fake = FakeSlack(token=BOT_TOKEN)
    fake.add_user("ana@example.com", ANA, name="Ana")
    fake.add_user("raj@example.com", RAJ, name="Raj", tz="Asia/Kolkata")
    fake.add_user("mia@example.com", MIA, name="Mia", tz="America/New_York")
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    blockkit.check_recorded(fake.calls, fake.hooks)
