"""Fixtures for the Teams adapter tests: the real app on loopback with an app id, a fake Azure AD that signs the
channel's tokens and issues the bot's, and a fake Bot Connector whose every card is checked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.support.core import Clock
from tests.support.teams.fake_aad import FakeAAD
from tests.support.teams.fake_connector import FakeConnector
from tests.support.teams.harness import ANA, MIA, RAJ, connector_knowing
from tests.support.teams.schemas import assert_valid_card, thirdparty
from tests.support.teams.signed import PROXIES, SignedHarness, signed_app, signed_config


@pytest.fixture(autouse=True)
def _schemas_present() -> None:
    if not (thirdparty() / "adaptivecards").is_dir():
        pytest.skip(f"third-party schemas not found at {thirdparty()} (set FAIRLOOP_THIRDPARTY)")


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    """A started fake connector knowing Ana, Raj and Mia; on teardown every card it received is validated."""
    async with connector_knowing(ANA, RAJ, MIA) as fake:
        yield fake
    for card in fake.cards(fake.calls):  # every card the bot sent or updated, whatever the test looked at
        assert_valid_card(card)


@pytest.fixture
async def aad(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeAAD]:
    fake = await FakeAAD(folder=tmp_path).start()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake.ca_file))  # MSAL and botbuilder use requests
    for proxy in PROXIES:
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # nothing leaves loopback
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
async def teams(tmp_path: Path, connector: FakeConnector, aad: FakeAAD, clock: Clock) -> AsyncIterator[SignedHarness]:
    """Teams as in production: the bot believes only what a signed activity says, and who Teams says sent it."""
    client = TestClient(TestServer(signed_app(signed_config(tmp_path, aad), aad, clock=clock), host="127.0.0.1"))
    await client.start_server()
    try:
        yield SignedHarness(client=client, connector=connector, aad=aad, clock=clock)
    finally:
        await client.close()
