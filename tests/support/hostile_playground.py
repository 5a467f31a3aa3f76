"""A playground full of hostile text, put there through HTTP as people would: interviews whose role, team and
stage are payloads, a concern and anonymous feedback that hold them all, a candidate's answer, stats filtered by
them, and the digest posted to a channel whose name is one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import select

from storage.db import unit_of_work
from storage.models import Interview, Prompt
from tests.support.app import Running, eventually, interview
from tests.support.core import Clock
from tests.support.hostile import JOINED, PAYLOADS

EVE = "eve@example.com"
CHANNEL = '<img src=x onerror="window.pwned=1"> [general](https://evil.example)'


@dataclass
class Seeded:
    """Every HTML fragment and page the seeding got back, and the candidate's feedback link."""

    fragments: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    feedback_path: str = ""


async def _api(running: Running, path: str, body: dict[str, Any], seeded: Seeded) -> dict[str, Any]:
    async with running.http.post(f"{running.url}/playground/api/{path}", json=body) as resp:
        answer = await resp.json()
        assert resp.status == 200, answer
    seeded.fragments += [answer[k] for k in ("message", "notice", "form") if isinstance(answer.get(k), str)]
    return answer  # type: ignore[no-any-return]


async def _prompts(running: Running) -> list[int]:
    async with unit_of_work(running.graph.sessions) as session:
        rows = await session.exec(select(Prompt).where(Prompt.state == "sent").order_by(Prompt.id))
        return [p.id or 0 for p in rows]


async def seed(running: Running, clock: Clock) -> Seeded:
    seeded = Seeded()
    for i, payload in enumerate(PAYLOADS):
        data = interview(f"h-{i}", emails=(EVE,), role=payload, team=payload, stage=payload[:100])
        status, body = await running.post_interviews(data)
        assert status == 200, body
    seeded.feedback_path = body["interviews"][0]["candidate_feedback_url"].split("127.0.0.1", 1)[-1]
    seeded.feedback_path = seeded.feedback_path[seeded.feedback_path.index("/f/") :]
    prompts = await eventually(lambda: _sent(running))
    for prompt in prompts[1:]:
        await _api(running, "action", {"as": EVE, "action_id": "checkin.all", "value": str(prompt)}, seeded)
    await _api(running, "action", {"as": EVE, "action_id": "checkin.concern", "value": str(prompts[0])}, seeded)
    concern = {"as": EVE, "form_id": "checkin.concern", "context": str(prompts[0]), "values": {"text": JOINED}}
    await _api(running, "form", concern, seeded)
    await _api(running, "command", {"as": EVE, "text": "feedback"}, seeded)
    note = {"category": "process", "text": JOINED}
    await _api(running, "form", {"as": EVE, "form_id": "feedback.anonymous", "context": "", "values": note}, seeded)
    for payload in PAYLOADS[:6]:
        await _api(running, "command", {"as": EVE, "text": f"stats 30d team:{payload}"}, seeded)
    async with running.http.post(f"{running.url}{seeded.feedback_path}", data={"text": JOINED}) as resp:
        assert resp.status == 422  # no rating: the form again, with the text kept
        seeded.pages.append(await resp.text())
    async with running.http.post(f"{running.url}{seeded.feedback_path}", data={"rating": "4", "text": JOINED}) as resp:
        assert resp.status == 200
        seeded.pages.append(await resp.text())
    clock.tomorrow()  # today's answers and notes count in tomorrow's digest
    await _api(running, "channel", {"channel": CHANNEL}, seeded)
    return seeded


async def _sent(running: Running) -> list[int] | None:
    async with unit_of_work(running.graph.sessions) as session:
        interviews = len((await session.exec(select(Interview))).all())
    prompts = await _prompts(running)
    return prompts if interviews == len(PAYLOADS) and len(prompts) == len(PAYLOADS) else None
