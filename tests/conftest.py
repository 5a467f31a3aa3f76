"""Shared fixtures: real settings, a real SQLite database and the real app on a loopback server."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.service import Core
from bot.settings import Settings
from fairloop.app import init_app
from fairloop.keys import CORE

ROOT = Path(__file__).resolve().parents[1]
API_TOKEN = "test-api-token"


def thirdparty_dir() -> Path:
    return Path(os.environ.get("FAIRLOOP_THIRDPARTY", ROOT.parent / "shared" / "thirdparty")).resolve()


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
        if key.startswith(("FAIRLOOP_", "SLACK_", "MICROSOFT_APP_")) and key != "FAIRLOOP_THIRDPARTY":
            monkeypatch.delenv(key)
    monkeypatch.setenv("FAIRLOOP_CONFIG", str(tmp_path / "absent.toml"))


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'fairloop.db'}",
        "api_token": API_TOKEN,
        "secret_key": "test-secret-key",
        "prompt_delay": "0s",
        "dispatch_interval": "1s",
        "playground": True,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class Running:
    """The real app served on 127.0.0.1, with a client session pointed at it."""

    app: web.Application
    server: TestServer
    http: aiohttp.ClientSession

    @property
    def core(self) -> Core:
        return self.app[CORE]

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    async def post_interviews(self, data: Any, token: str = API_TOKEN) -> tuple[int, Any]:
        async with self.http.post(
            f"{self.url}/api/interviews", json=data, headers={"Authorization": f"Bearer {token}"}
        ) as resp:
            return resp.status, await resp.json()


async def eventually(check: Callable[[], Awaitable[Any]], within: float = 10.0) -> Any:
    """Poll an async check until it returns something truthy (the scheduler runs on its own clock)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = await check()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {within}s: {check}")
        await asyncio.sleep(0.05)


StartApp = Callable[..., Awaitable[Running]]


@pytest.fixture
async def start_app(tmp_path: Path) -> AsyncIterator[StartApp]:
    """Start the app with settings overrides: `running = await start_app(min_group_size=1)`."""
    started: list[Running] = []

    async def start(**overrides: Any) -> Running:
        settings = make_settings(tmp_path, **overrides)
        app = init_app(settings)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        running = Running(app=app, server=server, http=aiohttp.ClientSession())
        started.append(running)
        return running

    yield start
    for running in reversed(started):
        await running.http.close()
        await running.server.close()


def interview(
    external_id: str = "gh-1",
    *,
    ended_ago: timedelta = timedelta(minutes=1),
    emails: tuple[str, ...] = ("ana@example.com",),
    team: str = "Platform",
    role: str = "Senior Backend Engineer",
    **extra: Any,
) -> dict[str, Any]:
    """An interview in the contract's shape that ended `ended_ago`."""
    ends = datetime.now(UTC) - ended_ago
    return {
        "external_id": external_id,
        "role": role,
        "team": team,
        "stage": "onsite",
        "starts_at": (ends - timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
        "ends_at": ends.isoformat().replace("+00:00", "Z"),
        "interviewers": [{"email": e} for e in emails],
        "candidate_ref": "opaque-1",
        **extra,
    }
