"""Fixtures for the Teams adapter tests: the real app on loopback and a fake Bot Connector whose every card is checked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from fairloop.app import init_app
from tests.support.teams.fake_connector import FakeConnector
from tests.support.teams.harness import ANA, MIA, RAJ, TeamsHarness, teams_config
from tests.support.teams.schemas import assert_valid_card, thirdparty


@pytest.fixture(autouse=True)
def _schemas_present() -> None:
    if not (thirdparty() / "adaptivecards").is_dir():
        pytest.skip(f"third-party schemas not found at {thirdparty()} (set FAIRLOOP_THIRDPARTY)")


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    """A started fake connector knowing Ana, Raj and Mia; on teardown every card it received is validated."""
    fake = await FakeConnector().start()
    for person in (ANA, RAJ, MIA):
        fake.add_member(user_id=person.teams_id, aad_object_id=person.aad, name=person.name, email=person.email)
    try:
        yield fake
    finally:
        await fake.close()
    for card in fake.cards(fake.calls):  # every card the bot sent or updated, whatever the test looked at
        assert_valid_card(card)


@pytest.fixture
async def teams(tmp_path: Path, connector: FakeConnector) -> AsyncIterator[TeamsHarness]:
    client = TestClient(TestServer(init_app(teams_config(tmp_path)), host="127.0.0.1"))
    await client.start_server()
    try:
        yield TeamsHarness(client=client, connector=connector)
    finally:
        await client.close()
