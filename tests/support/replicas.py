"""Several `fairloop serve` replicas on one database, and the DM count that says whether each interviewer got exactly
one check-in: interviews in through any replica, prompts settled in the database, DMs counted at the fakes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from storage.models import Prompt
from tests.support.app import API_TOKEN, interview
from tests.support.processes import eventually
from tests.support.slack.fake_slack import FakeSlack
from tests.support.teams.fake_connector import FakeConnector
from tests.support.teams.harness import actions_of


@dataclass(frozen=True)
class DmCount:
    """Each interviewer's check-in DMs, as the platforms saw them delivered."""

    expected: int
    per_person: Counter[str]

    @property
    def delivered(self) -> int:
        return sum(1 for n in self.per_person.values() if n)

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.per_person.values() if n > 1)

    def __str__(self) -> str:
        return f"DMs expected {self.expected}, delivered {self.delivered}, duplicates {self.duplicates}"


def slack_dms(fake: FakeSlack) -> Counter[str]:
    """Check-in DMs Slack accepted, per DM channel (one channel per person)."""
    return Counter(
        str(c.params.get("channel"))
        for c in fake.calls
        if c.method == "chat.postMessage" and c.status == 200 and c.params.get("metadata")
    )


def teams_dms(connector: FakeConnector) -> Counter[str]:
    """Check-in cards the Bot Connector accepted, per personal conversation (one per person)."""
    return Counter(
        call.conversation_id
        for call in connector.posts()
        if call.status == 201 and any("checkin.all" in actions_of(card) for card in connector.cards([call]))
    )


def channel_posts(fake: FakeSlack, channel: str) -> int:
    return sum(
        1
        for c in fake.calls
        if c.method == "chat.postMessage" and c.status == 200 and c.params.get("channel") == channel
    )


async def post_interviews(url: str, items: list[dict[str, Any]], *, batch: int = 100) -> None:
    async with aiohttp.ClientSession() as http:
        for i in range(0, len(items), batch):
            async with http.post(
                f"{url}/api/interviews",
                json={"interviews": items[i : i + batch]},
                headers={"Authorization": f"Bearer {API_TOKEN}"},
            ) as r:
                assert r.status == 200, await r.text()


def one_each(emails: list[str], tag: str) -> list[dict[str, Any]]:
    """One interview per interviewer, all ended a minute ago: every prompt is due at once."""
    return [interview(f"{tag}-{i}", emails=(e,), team=("Platform", "Data")[i % 2]) for i, e in enumerate(emails)]


async def prompt_states(engine: AsyncEngine) -> Counter[str]:
    async with engine.connect() as conn:
        return Counter((await conn.execute(select(Prompt.state))).scalars().all())


async def until_settled(engine: AsyncEngine, total: int, *, within: float) -> Counter[str]:
    """Wait until every one of `total` prompts has left `scheduled` (sent, or undeliverable)."""

    async def settled() -> Counter[str] | None:
        try:
            states = await prompt_states(engine)
        except Exception:  # noqa: BLE001 - the database may be away on purpose (the outage test)
            return None
        return states if sum(states.values()) == total and not states.get("scheduled") else None

    return await eventually(settled, within=within, what=f"all {total} prompts settled", every=0.5)
