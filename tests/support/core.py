"""The core without the web app or the scheduler: the composition root's graph, a clock the test sets, and
helpers that answer check-ins as people would."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from adapters.terminal import render
from bot.events import Actor, ButtonClicked, CommandIssued, FormSubmitted
from bot.messages import Message
from bot.ports import Outbox
from bot.replies import Reply
from fairloop.compose import Graph, build
from storage.db import unit_of_work
from storage.models import Interview, PlaygroundPost, Prompt
from tests.support.app import interview, make_config

RUBRIC_NO = {"structured": "yes", "rubric": "no", "accommodations": "na", "on_topic": "yes", "candidate_time": "yes"}
# 29 Feb 09:00 (next in 2028): never due while a test runs, so only the test decides when a digest goes out
WEEKLY = {"name": "weekly-sync", "platform": "playground", "channel": "recruiting-dei-sync", "cron": "0 9 29 2 *"}
PRIYA = Actor(platform="playground", user_id="priya@example.com", email="priya@example.com", display_name="Priya")
ANA = Actor(platform="playground", user_id="ana@example.com", email="ana@example.com")


class Clock:
    """Now, unless the test has set another time."""

    def __init__(self) -> None:
        self.fixed: datetime | None = None

    def __call__(self) -> datetime:
        return self.fixed or datetime.now(UTC)

    def set(self, moment: datetime | None) -> None:
        self.fixed = moment


@asynccontextmanager
async def wired(
    tmp_path: Path, *, clock: Clock | None = None, outboxes: dict[str, Outbox] | None = None, **overrides: Any
) -> AsyncIterator[Graph]:
    async with build(make_config(tmp_path, **overrides), clock=clock or Clock(), serve=False, outboxes=outboxes) as g:
        yield g


MakeCore = Callable[..., Awaitable[Graph]]


def text_of(message: Message) -> str:
    """The message as the terminal shows it: every block's words, one per line."""
    return render(message)


async def answered(
    graph: Graph, plan: list[tuple[str, str, str]], *, ended_ago: timedelta = timedelta(minutes=1)
) -> None:
    """plan: (team, email, answer) where answer is 'all', 'rubric-no' or 'none'; interviews ended `ended_ago`."""
    tag = f"s{int(ended_ago.total_seconds())}"
    items = [interview(f"{tag}-{i}", team=t, emails=(e,), ended_ago=ended_ago) for i, (t, e, _) in enumerate(plan)]
    await graph.intake.ingest({"interviews": items})
    while await graph.delivery.dispatch_due():
        pass
    async with unit_of_work(graph.sessions) as session:
        rows = await session.exec(
            select(Interview.external_id, Prompt.id).join(Prompt, Prompt.interview_id == Interview.id)
        )
        prompts = dict(rows.all())
    for i, (_, email, answer) in enumerate(plan):
        actor = Actor(platform="playground", user_id=email, email=email)
        prompt_id = str(prompts[f"{tag}-{i}"])
        if answer == "all":
            await graph.interactions.on_button(ButtonClicked(actor=actor, action_id="checkin.all", value=prompt_id))
        elif answer == "rubric-no":
            reply = await graph.interactions.on_form(
                FormSubmitted(actor=actor, form_id="checkin.detail", context=prompt_id, values=RUBRIC_NO)
            )
            assert not reply.errors


async def answered_days_ago(graph: Graph, plan: list[tuple[str, str, str]], days: int = 2) -> None:
    """plan: (team, email, 'all' | 'rubric-no' | 'none'); the interviews ended `days` ago."""
    await answered(graph, plan, ended_ago=timedelta(days=days))


async def command(graph: Graph, text: str, actor: Actor = PRIYA) -> Reply:
    return await graph.interactions.on_command(CommandIssued(actor=actor, text=text))


async def posts(graph: Graph, conversation: str) -> list[PlaygroundPost]:
    async with unit_of_work(graph.sessions) as session:
        rows = await session.exec(select(PlaygroundPost).where(PlaygroundPost.conversation == conversation))
        return list(rows)


async def prompt_states(graph: Graph) -> dict[str, int]:
    async with unit_of_work(graph.sessions) as session:
        out: dict[str, int] = {}
        for p in await session.exec(select(Prompt)):
            out[p.state] = out.get(p.state, 0) + 1
        return out
