"""Fixtures for the Teams adapter tests: schema oracles and a fake Bot Connector on loopback."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helpers next to these tests (cards, fake_connector)

from cards import thirdparty
from fake_connector import FakeConnector


@pytest.fixture
def activities_dir() -> Path:
    path = thirdparty() / "botframework" / "teams-activities"
    if not path.is_dir():
        pytest.skip(f"third-party Teams activities not found at {path} (set FAIRLOOP_THIRDPARTY)")
    return path


@pytest.fixture(autouse=True)
def _schemas_present() -> None:
    if not (thirdparty() / "adaptivecards").is_dir():
        pytest.skip(f"third-party schemas not found at {thirdparty()} (set FAIRLOOP_THIRDPARTY)")


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = await FakeConnector().start()
    yield fake
    await fake.close()
