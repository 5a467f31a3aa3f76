"""The reference topology without containers: three `fairloop serve` processes on one PostgreSQL database, Slack
faked on loopback. Every interviewer gets exactly one DM, and a digest due in all three is posted once."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg
import pytest

from storage.db import upgrade
from tests.support.app import API_TOKEN, eventually, interview
from tests.support.postgres import needs_postgres
from tests.support.processes import Server, clean_env, serve
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import BOT_TOKEN, SIGNING_SECRET

URL = os.environ.get("FAIRLOOP_TEST_POSTGRES_URL")
pytestmark = needs_postgres
INTERVIEWERS = int(os.environ.get("FAIRLOOP_TEST_REPLICA_INTERVIEWS", "2000"))
CHANNEL = "C0SYNC0001"


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """A database of its own on the test cluster, migrated, dropped afterwards."""
    assert URL
    name = f"fairloop_replicas_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(URL.replace("+asyncpg", ""))
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(URL)._replace(path=f"/{name}"))
    try:
        await upgrade(url)
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def test_three_replicas_send_one_dm_each_and_post_a_due_digest_once(database: str, tmp_path: Path) -> None:
    fake = FakeSlack(token=BOT_TOKEN)
    emails = [f"person{i:05d}@example.com" for i in range(INTERVIEWERS)]
    for i, email in enumerate(emails):
        fake.add_user(email, f"U{i:08d}")
    await fake.start()
    due = datetime.now(UTC) - timedelta(minutes=1)  # its time came a minute ago: due in every replica at start
    (tmp_path / "fairloop.toml").write_text(
        f'[[digests]]\nname = "sync"\nplatform = "slack"\nchannel = "{CHANNEL}"\n'
        f'cron = "{due.minute} {due.hour} * * *"\ntimezone = "UTC"\n',
        encoding="utf-8",
    )
    env = clean_env(
        FAIRLOOP_DATABASE_URL=database, FAIRLOOP_SECRET_KEY="replica-secret", FAIRLOOP_API_TOKEN=API_TOKEN,
        FAIRLOOP_CONFIG=str(tmp_path / "fairloop.toml"), FAIRLOOP_PROMPT_DELAY="0s", FAIRLOOP_DISPATCH_INTERVAL="1s",
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, FAIRLOOP_SLACK_API_URL=fake.base_url,
    )  # fmt: skip
    servers: list[Server] = []
    try:
        servers = list(await asyncio.gather(*(serve(env, cwd=tmp_path, name=f"replica{i}") for i in range(3))))
        async with aiohttp.ClientSession() as http:
            for start in range(0, len(emails), 500):  # the ATS posts to whichever replica the balancer picks
                batch = [interview(f"r-{i}", emails=(e,), ended_ago=timedelta(minutes=10))
                         for i, e in enumerate(emails[start : start + 500], start)]  # fmt: skip
                target = servers[(start // 500) % 3]
                async with http.post(f"{target.url}/api/interviews", json={"interviews": batch},
                                     headers={"Authorization": f"Bearer {API_TOKEN}"}) as resp:  # fmt: skip
                    assert resp.status == 200, await resp.text()

        async def everyone_reached() -> bool:
            return len(dms(fake)) >= len(emails)

        await eventually(everyone_reached, within=240)
        await asyncio.sleep(3)  # anything sent twice would have arrived by now
        sent = Counter(dms(fake))
        assert len(sent) == len(emails), f"{len(sent)} of {len(emails)} interviewers got their DM"
        assert sent.most_common(1)[0][1] == 1, f"sent twice: {[c for c, n in sent.items() if n > 1][:5]}"
        posts = [c for c in fake.called("chat.postMessage") if c.get("channel") == CHANNEL]
        assert len(posts) == 1, f"the digest due in all three replicas was posted {len(posts)} times"
    finally:
        await asyncio.gather(*(s.stop() for s in servers))
        await fake.stop()


def dms(fake: FakeSlack) -> list[str]:
    """The DM channel of every check-in prompt the fake received (one channel per person)."""
    return [c["channel"] for c in fake.called("chat.postMessage") if str(c.get("channel", "")).startswith("D")]
