"""Slack round trips through the whole app on loopback: signed requests in, the fake Slack Web API out.

What a person feels: how soon Slack gets its 200 for a click (Slack gives up at 3 s), how soon the clicked
message changes in place, and how soon a `/fairloop stats` answer arrives. Baseline: GET /healthz.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web

from fairloop.app import init_app
from fairloop.config import load_config
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.payloads import block_actions, slash_command
from tests.support.slack.signing import form_body, signed

SECRET, TOKEN, API = "bench-signing-secret", "xoxb-bench", "bench-api-token"
FORM = "application/x-www-form-urlencoded"


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(median, 95th percentile) in milliseconds."""
    cuts = statistics.quantiles(samples, n=20, method="inclusive")
    return statistics.median(samples) * 1000, cuts[18] * 1000


async def _until(check: Callable[[], bool], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the fake Slack never saw what the benchmark waited for")
        await asyncio.sleep(0.002)


async def measure(n: int = 100) -> dict[str, tuple[float, float]]:
    fake = FakeSlack(token=TOKEN)
    users = [fake.add_user(f"bench{i}@example.com", f"U{i:08d}") for i in range(n)]
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_config(
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'latency.db'}",
            api_token=API,
            slack_bot_token=TOKEN,
            slack_signing_secret=SECRET,
            slack_api_url=fake.base_url,
            playground=False,
            prompt_delay="0s",
            dispatch_interval="1s",
            config=str(Path(tmp) / "none.toml"),
        )
        runner = web.AppRunner(init_app(settings), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        try:
            async with aiohttp.ClientSession() as http:
                return await _scenario(http, url, fake, users)
        finally:
            await runner.cleanup()
            await fake.stop()


async def _scenario(http: aiohttp.ClientSession, url: str, fake: FakeSlack, users: list[dict]) -> dict:
    ends = datetime.now(UTC) - timedelta(minutes=1)
    batch = {
        "interviews": [
            {"external_id": f"lat-{i}", "role": "Engineer", "team": "Platform", "stage": "onsite",
             "starts_at": (ends - timedelta(hours=1)).isoformat(), "ends_at": ends.isoformat(),
             "interviewers": [{"email": u["profile"]["email"]}]}
            for i, u in enumerate(users)
        ]
    }  # fmt: skip
    async with http.post(f"{url}/api/interviews", json=batch, headers={"Authorization": f"Bearer {API}"}) as r:
        assert r.status == 200, await r.text()
    await _until(lambda: len(fake.called("chat.postMessage")) >= len(users))
    await asyncio.sleep(0.5)  # the dispatcher commits each send after Slack answers

    async def timed(send: Callable[[], Awaitable[int]], done: Callable[[], bool]) -> tuple[float, float]:
        started = time.monotonic()
        status = await send()
        acked = time.monotonic() - started
        assert status == 200, status
        await _until(done)
        return acked, time.monotonic() - started

    async def post(body: str) -> int:
        async with http.post(f"{url}/slack/events", data=body.encode(), headers=signed(body, FORM, secret=SECRET)) as r:
            await r.read()
            return r.status

    acks, redraws, answers, health = [], [], [], []
    for dm in list(fake.called("chat.postMessage")):
        ts = next(ts for (ch, ts), body in fake.messages.items() if body is dm)
        pid = dm["metadata"]["event_payload"]["prompt_id"]
        user = "U" + dm["channel"][1:]
        click = block_actions(user=user, action_id="checkin.all", value=pid, channel=dm["channel"], ts=ts,
                              response_url=fake.response_url())  # fmt: skip
        before = len(fake.called("chat.update"))
        ack, redraw = await timed(
            lambda b=form_body(click): post(b), lambda n=before: len(fake.called("chat.update")) > n
        )
        acks.append(ack)
        redraws.append(redraw)
    for i in range(len(users) // 2):
        before = len(fake.hooks)
        body = slash_command(user=users[i]["id"], text="stats 30d", response_url=fake.response_url())
        _, answered = await timed(lambda b=body: post(b), lambda n=before: len(fake.hooks) > n)
        answers.append(answered)
    for _ in range(len(users)):
        started = time.monotonic()
        async with http.get(f"{url}/healthz") as r:
            await r.read()
        health.append(time.monotonic() - started)
    return {
        "ack": percentiles(acks),
        "redraw": percentiles(redraws),
        "stats": percentiles(answers),
        "healthz": percentiles(health),
    }
