"""Fixtures every test may use: an isolated environment, the real app on loopback, the core on its own."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from fairloop.app import init_app
from fairloop.compose import Graph
from tests.support import databases
from tests.support.app import TEST_DATABASE, Running, StartApp, make_config, thirdparty_dir
from tests.support.core import Clock, MakeCore, wired
from tests.support.postgres import NEEDS_POSTGRES

KEPT = ("FAIRLOOP_THIRDPARTY", "FAIRLOOP_TEST_")  # how the suite itself is run, not settings under test


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With FAIRLOOP_TEST_POSTGRES_ONCE=1 (.ci/run's first pass), the tests that make PostgreSQL databases of their
    own whatever the backend are left to the PostgreSQL pass: they would run the same way in both."""
    if os.environ.get("FAIRLOOP_TEST_POSTGRES_ONCE") != "1" or databases.on_postgres():
        return
    own = [i for i in items if any(m.kwargs.get("reason") == NEEDS_POSTGRES for m in i.iter_markers("skipif"))]
    if own:
        config.hook.pytest_deselected(items=own)
        items[:] = [i for i in items if i not in own]


@pytest.fixture
def thirdparty() -> Path:
    path = thirdparty_dir()
    if not path.is_dir():
        pytest.skip(f"third-party schemas not found at {path} (set FAIRLOOP_THIRDPARTY)")
    return path


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's fairloop.toml or FAIRLOOP_* variables."""
    for key in list(os.environ):
        if key.startswith(("FAIRLOOP_", "SLACK_", "MICROSOFT_APP_")) and not key.startswith(KEPT):
            monkeypatch.delenv(key)
    monkeypatch.setenv("FAIRLOOP_CONFIG", str(tmp_path / "absent.toml"))


@pytest.fixture(scope="session")
def _postgres_template() -> Iterator[str | None]:
    if not databases.on_postgres():
        yield None
        return
    name = databases.run(databases.make_template())
    yield name
    databases.run(databases.drop(name))


@pytest.fixture(autouse=True)
def _test_database(
    request: pytest.FixtureRequest, _postgres_template: str | None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """With FAIRLOOP_TEST_BACKEND=postgres, a fresh PostgreSQL database for this test (make_config uses it)."""
    if _postgres_template is None:
        yield
        return
    if request.node.get_closest_marker("sqlite"):
        pytest.skip("this test reads the SQLite file itself; its PostgreSQL counterpart runs instead")
    name, url = databases.run(databases.copy_of(_postgres_template))
    monkeypatch.setenv(TEST_DATABASE, url)
    yield
    databases.run(databases.drop(name))


@pytest.fixture
async def start_app(tmp_path: Path, clock: Clock) -> AsyncIterator[StartApp]:
    """Start the app with settings overrides: `running = await start_app(min_group_size=1)`. The `clock`
    fixture is its clock; `scheduler=False` leaves the scheduled jobs (prompt dispatch, purges) off, for tests
    that pull the database away."""
    started: list[Running] = []

    async def start(*, scheduler: bool = True, **overrides: Any) -> Running:
        app = init_app(make_config(tmp_path, **overrides), clock=clock, scheduler=scheduler)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        running = Running(app=app, server=server, http=aiohttp.ClientSession())
        started.append(running)
        return running

    yield start
    for running in reversed(started):
        await running.http.close()
        await running.server.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def make_core(tmp_path: Path, clock: Clock) -> AsyncIterator[MakeCore]:
    """The core's services on a real database, without the web app or the scheduler:
    `graph = await make_core(min_group_size=1, outboxes={"playground": FakeOutbox()})`. The `clock` fixture
    sets its time."""
    async with AsyncExitStack() as stack:

        async def make(**overrides: Any) -> Graph:
            return await stack.enter_async_context(wired(tmp_path, clock=clock, **overrides))

        yield make
