"""Interviews posted to a running fairloop, and the prompts it delivers to the fake Slack as click targets."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from bench.common import check
from bench.fake_slack_server import FakeSlackClient, email
from bench.load import Target
from bench.procs import API_TOKEN

TEAMS = (("Platform", "Backend Engineer"), ("Data", "Data Scientist"), ("Design", "Product Designer"),
         ("Sales", "Account Executive"))  # fmt: skip
PANEL = 4  # interviewers per interview


def interviews(n: int, *, ends_at: datetime, first_person: int = 0, prefix: str = "bench",
               pool: int | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """`n` interviews of PANEL interviewers each, in the webhook's shape. People are numbered from `first_person`;
    with `pool` they repeat within that many, otherwise everyone is new."""
    out = []
    for i in range(n):
        team, role = TEAMS[i % len(TEAMS)]
        people = [first_person + (i * PANEL + j) % (pool or 1 << 62) for j in range(PANEL)]
        out.append({
            "external_id": f"{prefix}-{i}", "role": role, "team": team, "stage": "onsite",
            "starts_at": (ends_at - timedelta(hours=1)).isoformat(), "ends_at": ends_at.isoformat(),
            "interviewers": [{"email": email(p)} for p in people], "candidate_ref": f"ref-{i}",
        })  # fmt: skip
    return out


async def post_batches(url: str, items: list[dict[str, Any]], *, batch: int = 500) -> list[float]:
    """POST `items` to /api/interviews in batches, one after another; the seconds each batch took."""
    took = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=300)) as http:
        for i in range(0, len(items), batch):
            body = {"interviews": items[i : i + batch]}
            started = time.perf_counter()
            async with http.post(f"{url}/api/interviews", json=body,
                                 headers={"Authorization": f"Bearer {API_TOKEN}"}) as r:  # fmt: skip
                text = await r.text()
                check(r.status == 200, f"POST /api/interviews answered {r.status}: {text[:500]}")
            took.append(time.perf_counter() - started)
    return took


async def until_dms(fake: FakeSlackClient, count: int, *, within: float) -> None:
    deadline = time.monotonic() + within
    while (seen := (await fake.summary())["dms"]) < count:
        check(time.monotonic() < deadline, f"the fake Slack got {seen} of {count} prompts within {within:.0f}s")
        await asyncio.sleep(0.2)


async def deliver(url: str, fake: FakeSlackClient, prompts: int, *, within: float = 120.0) -> list[Target]:
    """Post interviews that have just ended and wait until every prompt is in the fake Slack."""
    ended = datetime.now(UTC) - timedelta(minutes=1)
    await post_batches(url, interviews(prompts // PANEL, ends_at=ended))
    await until_dms(fake, prompts, within=within)
    return await targets(fake)


async def targets(fake: FakeSlackClient) -> list[Target]:
    dms = await fake.dms()
    check(len({d[0] for d in dms}) == len(dms), "a prompt was delivered twice")
    return [Target(prompt_id=p, user="U" + channel[1:], channel=channel, ts=ts) for p, channel, ts, _ in dms]


def recorded(db: str) -> tuple[int, int, int]:
    """(check-ins, distinct prompts among them, per-practice answers) in a SQLite database file."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        n, distinct = conn.execute("SELECT count(*), count(DISTINCT prompt_id) FROM checkin").fetchone()
        (answers,) = conn.execute("SELECT count(*) FROM checkinanswer").fetchone()
    return int(n), int(distinct), int(answers)
