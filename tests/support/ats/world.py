"""The ATS test world: the real app on loopback, the fake Slack Web API and the fake ATS APIs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from storage.models import Interview, ProcessedEvent, Prompt
from tests.support.ats.fake_ats import FakeATS
from tests.support.slack.world import SlackWorld


@dataclass
class AtsWorld:
    slack: SlackWorld
    fake: FakeATS

    async def post(self, vendor: str, raw: bytes, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        running = self.slack.running
        async with running.http.post(
            f"{running.url}/ats/{vendor}", data=raw, headers={"Content-Type": "application/json", **headers}
        ) as resp:
            return resp.status, await resp.json(), dict(resp.headers)

    async def interviews(self) -> list[Interview]:
        async with self.slack.running.graph.sessions() as session:
            return list((await session.exec(select(Interview).order_by(Interview.id))).all())

    async def prompts(self) -> list[Prompt]:
        return await self.slack.prompts()

    async def event_keys(self) -> list[str]:
        async with self.slack.running.graph.sessions() as session:
            return [e.key for e in (await session.exec(select(ProcessedEvent))).all()]

    async def snapshot(self) -> list[tuple[Any, ...]]:
        """What an upsert can change, to compare deliveries and their /api/interviews equivalents."""
        rows = []
        for iv in await self.interviews():
            rows.append(
                (iv.external_id, iv.role, iv.team, iv.stage, iv.starts_at, iv.ends_at, iv.status, iv.updated_at)
            )
        rows += [(p.interview_id, p.person_id, p.state, p.due_at, p.reason) for p in await self.prompts()]
        return rows
