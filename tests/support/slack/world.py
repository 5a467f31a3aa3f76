"""The Slack test world: fairloop's real app on loopback, wired to the fake Slack Web API."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from storage.models import CheckIn, CheckInAnswer, Prompt
from tests.support.app import Running, interview
from tests.support.slack import blockkit, payloads
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import ANA, BOT_TOKEN, MIA, RAJ, SIGNING_SECRET, form_body, signed

FORM = "application/x-www-form-urlencoded"


@asynccontextmanager
async def fake_slack_with_people() -> AsyncIterator[FakeSlack]:
    """A started fake Slack with Ana, Raj and Mia; on leaving, every Block Kit payload the bot sent it is validated."""
    fake = FakeSlack(token=BOT_TOKEN)
    fake.add_user("ana@example.com", ANA, name="Ana")
    fake.add_user("raj@example.com", RAJ, name="Raj", tz="Asia/Kolkata")
    fake.add_user("mia@example.com", MIA, name="Mia", tz="America/New_York")
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
    blockkit.check_recorded(fake.calls, fake.hooks)


@dataclass
class Answer:
    status: int
    text: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None

    def thanks(self) -> str:
        """The note a submitted modal was replaced with (`response_action: update`, a Close button, no submit)."""
        body = self.json()
        assert body["response_action"] == "update" and "submit" not in body["view"], body
        return " ".join(b["text"]["text"] for b in body["view"]["blocks"] if b["type"] == "section")


@dataclass
class SlackWorld:
    running: Running
    fake: FakeSlack

    async def send(
        self,
        body: str,
        content_type: str = FORM,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
    ) -> Answer:
        all_headers = {**signed(body, content_type, timestamp=timestamp, secret=secret), **(headers or {})}
        started = time.monotonic()
        async with self.running.http.post(
            f"{self.running.url}/slack/events", data=body.encode(), headers=all_headers
        ) as r:
            return Answer(status=r.status, text=await r.text(), seconds=time.monotonic() - started)

    async def deliver(self, *emails: str, external_id: str = "gh-1") -> list[dict[str, Any]]:
        """POST an interview that just ended and wait for its DMs; returns the chat.postMessage calls."""
        before = len(self.fake.called("chat.postMessage"))
        status, body = await self.running.post_interviews(interview(external_id, emails=emails))
        assert status == 200, body
        ok = [e for e in emails if e.lower() in self.fake.users]
        posts = await self.fake.wait_for("chat.postMessage", before + len(ok))
        await self.until_dispatched()
        return posts[before:]

    async def until_dispatched(self, within: float = 5.0) -> list[Prompt]:
        """Wait until no prompt is still waiting to be sent (the send is committed after Slack answers)."""
        deadline = time.monotonic() + within
        while True:
            prompts = await self.prompts()
            if not any(p.state == "scheduled" for p in prompts):
                return prompts
            assert time.monotonic() < deadline, [(p.id, p.state) for p in prompts]
            await asyncio.sleep(0.05)

    async def click(
        self, dm: dict[str, Any], action_id: str = "checkin.all", *, user: str, headers: dict[str, str] | None = None
    ) -> Answer:
        return await self.send(click_body(self.fake, dm, user=user, action_id=action_id), headers=headers)

    def ts_of(self, dm: dict[str, Any]) -> str:
        return ts_of(self.fake, dm)

    async def submit(self, view: dict[str, Any], values: dict[str, str], *, user: str) -> Answer:
        return await self.send(form_body(payloads.view_submission(user=user, view=view, values=values)))

    async def command(self, text: str, *, user: str) -> Answer:
        return await self.send(payloads.slash_command(user=user, text=text, response_url=self.fake.response_url()))

    async def event(self, body: dict[str, Any], *, headers: dict[str, str] | None = None) -> Answer:
        return await self.send(json.dumps(body), "application/json", headers=headers)

    # ---- what the database holds ----
    async def checkins(self) -> list[CheckIn]:
        async with self.running.graph.sessions() as session:
            return list((await session.exec(select(CheckIn))).all())

    async def answers(self) -> dict[str, str]:
        async with self.running.graph.sessions() as session:
            return {a.practice: a.value for a in (await session.exec(select(CheckInAnswer))).all()}

    async def prompts(self) -> list[Prompt]:
        async with self.running.graph.sessions() as session:
            return list((await session.exec(select(Prompt).order_by(Prompt.id))).all())

    async def settle(self, seconds: float = 0.3) -> None:
        """Let work that runs after Slack's ack finish before asserting that nothing else happened."""
        await asyncio.sleep(seconds)


def ts_of(fake: FakeSlack, dm: dict[str, Any]) -> str:
    """The ts Slack gave the DM `dm` (a chat.postMessage call carrying a prompt id in its metadata)."""
    pid = dm["metadata"]["event_payload"]["prompt_id"]
    for (channel, ts), body in fake.messages.items():
        if channel == dm["channel"] and (body.get("metadata") or {}).get("event_payload", {}).get("prompt_id") == pid:
            return ts
    raise AssertionError(f"no message for prompt {pid}")


def click_body(fake: FakeSlack, dm: dict[str, Any], *, user: str, action_id: str = "checkin.all") -> str:
    """The form body Slack posts when `user` clicks `action_id` on the check-in DM `dm`."""
    payload = payloads.block_actions(
        user=user,
        action_id=action_id,
        value=dm["metadata"]["event_payload"]["prompt_id"],
        channel=dm["channel"],
        ts=ts_of(fake, dm),
        response_url=fake.response_url(),
    )
    return form_body(payload)
