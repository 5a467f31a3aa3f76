"""Fixtures for core tests: two cores on one database, as two replicas would be."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.service import Core
from bot.tokens import Signer
from storage import db
from tests.conftest import make_settings


@pytest.fixture
async def cores(tmp_path: Path) -> AsyncIterator[tuple[Core, Core]]:
    """Two cores on one database, as two replicas would be."""
    settings = make_settings(tmp_path)
    await db.upgrade(settings.database_url)
    engines = [db.make_engine(settings.database_url) for _ in range(2)]
    made = tuple(Core(settings=settings, sessions=db.make_sessions(e), signer=Signer(secret_key="k")) for e in engines)
    yield made  # type: ignore[misc]
    for e in engines:
        await e.dispose()
