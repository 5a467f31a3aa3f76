"""The composition root: the one place that builds fairloop's object graph, for the server, every CLI command and
the tests alike. Nothing below it imports it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sources.ats_common import Runtime, open_runtime
from bot.clock import Clock, utcnow
from bot.delivery.service import Delivery
from bot.feedback.service import Feedback
from bot.intake.service import Intake
from bot.interactions.service import Interactions
from bot.people import Directory
from bot.ports import Outbox, Outboxes
from bot.reports.service import Reports
from bot.retention import Retention
from fairloop import wiring
from fairloop.config import Config
from storage import db, queued

if TYPE_CHECKING:  # a platform's SDK loads only when it is configured (`fairloop stats` needs none of them)
    from adapters.playground import Playground
    from adapters.slack import SlackPlatform
    from adapters.teams import TeamsPlatform


@dataclass(frozen=True, kw_only=True)
class Graph:
    """fairloop, wired: its services, the platforms it serves with their outboxes, and the ATS connectors."""

    config: Config
    engine: AsyncEngine
    sessions: db.Sessions
    directory: Directory
    intake: Intake
    reports: Reports
    delivery: Delivery
    feedback: Feedback
    interactions: Interactions
    retention: Retention
    outboxes: Outboxes
    ats: Runtime
    click_queue: db.Sessions | None = None  # FAIRLOOP_SLACK_CLICK_QUEUE: where one-click answers wait for a worker
    slack: SlackPlatform | None = None
    teams: TeamsPlatform | None = None
    playground: Playground | None = None


@asynccontextmanager
async def build(
    config: Config,
    *,
    clock: Clock = utcnow,
    serve: bool = True,
    outboxes: Mapping[str, Outbox] | None = None,
    teams_auth: Mapping[str, Any] | None = None,
) -> AsyncIterator[Graph]:
    """Migrate (SQLite), connect, and build every service. With `serve`, the platforms also start taking what
    people send (Bolt, Socket Mode, the Teams bot). `outboxes` replaces the configured platforms' outboxes
    (core tests); `teams_auth` points botbuilder at a loopback Azure AD (Teams tests)."""
    async with AsyncExitStack() as stack:
        wired = await stack.enter_async_context(wiring.base(config))
        engine, sessions, signer = wired.engine, wired.sessions, wired.signer
        directory = Directory(sessions=sessions, signer=signer)
        slack = teams = playground = None
        if outboxes is None:
            found: dict[str, Outbox] = {}
            if config.slack.enabled:
                from adapters.slack import SlackPlatform

                slack = await stack.enter_async_context(SlackPlatform(settings=config.slack))
                found["slack"] = slack.outbox
            if config.teams.on:
                from adapters.teams import TeamsPlatform

                teams = TeamsPlatform(settings=config.teams, directory=directory, extra_config=teams_auth)
                found["teams"] = (await stack.enter_async_context(teams)).outbox
            if config.playground_on:
                from adapters.playground import Playground, PlaygroundOutbox

                playground = Playground(outbox=PlaygroundOutbox(sessions=sessions), trial=not config.core.admins)
                found["playground"] = playground.outbox
            outboxes = found
        settings = config.core
        reports = Reports(sessions=sessions, settings=settings, clock=clock, signer=signer)
        delivery = Delivery(
            sessions=sessions,
            settings=settings,
            clock=clock,
            outboxes=MappingProxyType(dict(outboxes)),
            reports=reports,
        )
        feedback = Feedback(sessions=sessions, settings=settings, clock=clock, signer=signer)
        intake = Intake(sessions=sessions, settings=settings, clock=clock, signer=signer)
        ats = await stack.enter_async_context(open_runtime(settings=config.ats, intake=intake))
        graph = Graph(
            config=config,
            engine=engine,
            sessions=sessions,
            directory=directory,
            intake=intake,
            reports=reports,
            delivery=delivery,
            feedback=feedback,
            interactions=Interactions(
                sessions=sessions, settings=settings, clock=clock, reports=reports, delivery=delivery, feedback=feedback
            ),
            retention=Retention(
                sessions=sessions, settings=settings, clock=clock, directory=directory, feedback=feedback
            ),
            outboxes=MappingProxyType(dict(outboxes)),
            ats=ats,
            click_queue=await stack.enter_async_context(queued.opened(config.server.database_url, sessions))
            if slack is not None and config.slack.slack_click_queue
            else None,
            slack=slack,
            teams=teams,
            playground=playground,
        )
        if serve:
            if slack is not None:
                await slack.start(interactions=graph.interactions, reports=reports, directory=directory,
                                  queue=graph.click_queue, clock=clock)  # fmt: skip
            if teams is not None:
                await teams.start(interactions=graph.interactions)
        yield graph
