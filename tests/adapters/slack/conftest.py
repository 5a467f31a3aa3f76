"""Fixtures for the Slack adapter tests: a fake Slack Web API on loopback whose every Block Kit payload is checked."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.world import fake_slack_with_people


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A started fake; on teardown every Block Kit payload the bot sent it is validated."""
    async with fake_slack_with_people() as fake:
        yield fake
