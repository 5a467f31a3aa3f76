"""Replicas of `fairloop serve` on one PostgreSQL database: a send that honours Slack's Retry-After outlasts any
fixed claim, and the lease renewed while it waits keeps every other replica off it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from storage import db
from tests.support.postgres import needs_postgres, throwaway_database
from tests.support.processes import fleet, serve_env
from tests.support.replicas import DmCount, one_each, post_interviews, slack_dms, until_settled
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import BOT_TOKEN, SIGNING_SECRET

# Slack answering "Retry-After: 150" against the product's 2-minute lease, in scaled time (1/30): the send waits 5 s
# where the lease is 4 s, so only renewing the lease during the wait keeps the prompt this replica's.
SCALE = 30
RETRY_AFTER, LEASE = 150 // SCALE, 120 // SCALE
PEOPLE, REPLICAS = 24, 2


@needs_postgres
async def test_a_retry_after_longer_than_the_lease_never_lets_another_replica_dm_twice(tmp_path: Path) -> None:
    fake = FakeSlack(token=BOT_TOKEN)
    emails = [f"ra{i}@example.com" for i in range(PEOPLE)]
    for i, email in enumerate(emails):
        fake.add_user(email, f"U0RA{i:05d}")
    fake.throttle_once["chat.postMessage"] = str(RETRY_AFTER)  # once per prompt
    await fake.start()
    try:
        async with throwaway_database() as url, fleet(tmp_path) as crew:
            engine = db.make_engine(url)
            try:
                replicas = [
                    crew.add(f"replica-{r}", serve_env(
                        tmp_path, FAIRLOOP_DATABASE_URL=url, SLACK_BOT_TOKEN=BOT_TOKEN,
                        SLACK_SIGNING_SECRET=SIGNING_SECRET, FAIRLOOP_SLACK_API_URL=fake.base_url_for(f"r{r}"),
                        FAIRLOOP_DELIVERY_LEASE=f"{LEASE}s",
                    ))
                    for r in range(REPLICAS)
                ]  # fmt: skip
                await asyncio.gather(*(r.start() for r in replicas))
                await post_interviews(replicas[0].url, one_each(emails, "ra"))
                states = await until_settled(engine, PEOPLE, within=120)
                await asyncio.sleep(2 * LEASE)  # long enough for a lapsed claim to be taken over, were there one
            finally:
                await engine.dispose()
    finally:
        await fake.stop()
    count = DmCount(expected=PEOPLE, per_person=slack_dms(fake))
    posts = [c for c in fake.calls if c.method == "chat.postMessage"]
    waited = _waits(posts)
    print(f"\n{count}; {sum(c.status == 429 for c in posts)} answered 429 Retry-After {RETRY_AFTER}s "
          f"(150 s scaled 1/{SCALE}, lease {LEASE}s); shortest wait honoured {min(waited):.1f}s; "
          f"sent by replica {sorted(_by_replica(posts).items())}")  # fmt: skip
    assert states == {"sent": PEOPLE}
    assert (count.delivered, count.duplicates) == (PEOPLE, 0)
    assert sum(c.status == 429 for c in posts) == PEOPLE
    assert min(waited) >= RETRY_AFTER - 0.1 > LEASE  # every send outlived the lease it started with


def _waits(posts: list) -> list[float]:  # type: ignore[type-arg]
    """Per prompt: seconds from its 429 to its delivery."""
    first: dict[str, float] = {}
    waits = []
    for c in posts:
        key = str(c.params.get("channel"))
        if c.status == 429:
            first[key] = c.at
        elif c.status == 200 and key in first:
            waits.append(c.at - first[key])
    return waits or [0.0]


def _by_replica(posts: list) -> dict[str, int]:  # type: ignore[type-arg]
    out: dict[str, int] = {}
    for c in posts:
        if c.status == 200:
            out[c.replica] = out.get(c.replica, 0) + 1
    return out
