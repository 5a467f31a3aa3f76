"""A database outage, for real: PostgreSQL stopped mid-test. Every route where a retry helps answers 503 with
Retry-After, /readyz says not ready, and once the database is back the retried work is stored and nothing is lost."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select

from storage import db
from storage.models import Interview, Prompt
from tests.support.app import API_TOKEN, Running, StartApp, eventually, interview
from tests.support.ats.payloads import GH_SECRET_KEY, gh_sign
from tests.support.pg import Cluster, available, throwaway_cluster
from tests.support.teams.harness import ANA, TENANT

pytestmark = pytest.mark.skipif(not available(), reason="no PostgreSQL server installed (.ci/run installs it)")


@pytest.fixture
async def cluster() -> AsyncIterator[Cluster]:
    async with throwaway_cluster() as started:
        await db.upgrade(started.url)
        yield started


async def _status(running: Running, method: str, path: str, **kw: Any) -> tuple[int, Any, dict[str, str]]:
    async with running.http.request(method, f"{running.url}{path}", **kw) as resp:
        body = await resp.json() if resp.content_type == "application/json" else await resp.text()
        return resp.status, body, dict(resp.headers)


def _teams_help() -> dict[str, Any]:
    return {
        "type": "message",
        "serviceUrl": "http://127.0.0.1:9/",
        "channelId": "msteams",
        "from": {"id": ANA.teams_id, "aadObjectId": ANA.aad, "name": ANA.name},
        "conversation": {"id": ANA.conversation, "conversationType": "personal", "tenantId": TENANT},
        "recipient": {"id": "28:bot"},
        "text": "help",
    }


async def _stored(running: Running) -> dict[str, int]:
    async with db.unit_of_work(running.graph.sessions) as session:
        interviews = (await session.exec(select(Interview.external_id))).all()
        prompts = (await session.exec(select(Prompt))).all()
    return {"interviews": len(set(interviews)), "prompts": len(prompts), "ids": sorted(interviews)}  # type: ignore[dict-item]


async def test_a_stopped_database_is_503_with_retry_after_and_nothing_is_lost(
    start_app: StartApp, cluster: Cluster
) -> None:
    running = await start_app(
        database_url=cluster.url,
        playground=True,
        teams_allow_unauthenticated=True,
        greenhouse_webhook_secret=GH_SECRET_KEY,
        prompt_delay="1h",  # the prompts stay scheduled: what is stored is what the test counts
    )
    before = interview("before", emails=("ana@example.com", "raj@example.com"))
    during = interview("during", emails=("mia@example.com",))
    assert (await running.post_interviews(before))[0] == 200
    assert (await _status(running, "GET", "/readyz"))[0] == 200

    await cluster.stop()

    bearer = {"Authorization": f"Bearer {API_TOKEN}"}
    deleted = json.dumps({"action": "interview_deleted", "payload": {"interview": {"id": 7}}}).encode()
    attempts = {
        "webhook": ("POST", "/api/interviews", {"json": during, "headers": bearer}),
        "playground": ("POST", "/playground/api/command", {"json": {"as": "ana@example.com", "text": "stats"}}),
        "teams": ("POST", "/api/messages", {"json": _teams_help()}),
        "greenhouse": ("POST", "/ats/greenhouse", {"data": deleted, "headers": gh_sign(deleted)}),
    }
    for name, (method, path, kw) in attempts.items():
        status, body, headers = await _status(running, method, path, **kw)
        assert status == 503, (name, body)
        assert body["error"] == "unavailable", name
        assert int(headers["Retry-After"]) > 0, name
    status, body, _ = await _status(running, "GET", "/readyz")
    assert (status, body["error"]) == (503, "not_ready")
    assert (await _status(running, "GET", "/healthz"))[0] == 200  # the process itself is fine
    assert (await _status(running, "GET", "/metrics"))[0] == 200

    await cluster.start()

    await eventually(lambda: _ready(running))
    status, body = await running.post_interviews(during)  # what the ATS does after Retry-After
    assert status == 200, body
    assert await _stored(running) == {"interviews": 2, "prompts": 3, "ids": ["before", "during"]}
    status, body = await running.post_interviews(before)  # the first one is intact: sending it again changes nothing
    assert status == 200 and [p["state"] for p in body["interviews"][0]["prompts"]] == ["scheduled", "scheduled"]


async def _ready(running: Running) -> bool:
    return (await _status(running, "GET", "/readyz"))[0] == 200
