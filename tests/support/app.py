"""The real app on a loopback server with real settings and a real SQLite database, and interview payloads."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

from fairloop.app import GRAPH
from fairloop.compose import Graph
from fairloop.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]
API_TOKEN = "test-api-token"


def thirdparty_dir() -> Path:
    return Path(os.environ.get("FAIRLOOP_THIRDPARTY", ROOT.parent / "shared" / "thirdparty")).resolve()


TEST_DATABASE = "FAIRLOOP_TEST_DATABASE_URL"  # set per test when the suite runs on PostgreSQL


def make_config(tmp_path: Path, **overrides: Any) -> Config:
    """Settings as the tests like them: the test's own database (a file in tmp_path, or a fresh PostgreSQL
    database when the suite runs on PostgreSQL), prompts due at once, the playground on."""
    values: dict[str, Any] = {
        "database_url": os.environ.get(TEST_DATABASE) or f"sqlite+aiosqlite:///{tmp_path / 'fairloop.db'}",
        "api_token": API_TOKEN,
        "secret_key": "test-secret-key",
        "prompt_delay": "0s",
        "dispatch_interval": "1s",
        "playground": True,
    }
    values.update(overrides)
    return load_config(**values)


@dataclass
class Running:
    """The real app served on 127.0.0.1, with a client session pointed at it."""

    app: web.Application
    server: TestServer
    http: aiohttp.ClientSession

    @property
    def graph(self) -> Graph:
        return self.app[GRAPH]

    @property
    def url(self) -> str:
        return str(self.server.make_url("")).rstrip("/")

    async def post_interviews(self, data: Any, token: str = API_TOKEN) -> tuple[int, Any]:
        async with self.http.post(
            f"{self.url}/api/interviews", json=data, headers={"Authorization": f"Bearer {token}"}
        ) as resp:
            return resp.status, await resp.json()


StartApp = Callable[..., Awaitable[Running]]


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
