"""The application factory: routes for every configured surface, and at start-up the wired graph and the clock."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter

from adapters import charts, feedback, playground, slack, teams
from adapters import web as keys
from adapters.sources import ats, webhook
from bot.clock import Clock, utcnow
from fairloop import health
from fairloop.compose import Graph, build
from fairloop.config import Config
from fairloop.errors import errors_middleware
from fairloop.logs import quiet_bad_requests
from schedules.jobs import Clockwork

logger = logging.getLogger(__name__)

GRAPH = web.AppKey("fairloop.graph", Graph)
"""The wired graph, for tests that look inside a running app (adapters get their own keys, not this)."""


def init_app(config: Config, *, clock: Clock = utcnow, scheduler: bool = True) -> web.Application:
    """The one aiohttp application: routes now, and on start-up the graph (services, platforms) and the clock.
    Tests set `teams.AUTH_CONFIG` on the app before starting it to reach a loopback Azure AD."""
    quiet_bad_requests()  # a request aiohttp cannot parse is the client's 400, not a traceback in our log
    app = web.Application(middlewares=[errors_middleware], client_max_size=keys.MAX_BODY)
    app[health.REGISTRY] = CollectorRegistry()
    health.install(app)
    webhook.install(app, settings=config.webhook)
    ats.install(app, settings=config.ats)  # POST /ats/ashby, /ats/lever, /ats/greenhouse
    charts.install(app)  # the digest's trend image, fetched by Slack/Teams
    feedback.install(app)  # the candidate feedback link works whatever the platform
    if config.slack.enabled:
        slack.install(app, settings=config.slack)
    if config.teams.on:
        teams.install(app, settings=config.teams)
    if config.playground_on:
        playground.install(app)

    async def wired(app: web.Application) -> AsyncIterator[None]:
        extra: dict[str, Any] | None = app.get(teams.AUTH_CONFIG) if config.teams.on else None
        async with build(config, clock=clock, teams_auth=extra) as graph:
            _hand_out(app, graph)
            clockwork = None
            if scheduler:
                counter = Counter(
                    "fairloop_prompts_dispatched", "Check-in prompts delivered", registry=app[health.REGISTRY]
                )
                clockwork = Clockwork(
                    delivery=graph.delivery,
                    retention=graph.retention,
                    directory=graph.directory,
                    settings=config.core,
                    ats=graph.ats,
                    dispatched=counter.inc,
                )
                clockwork.start()
                app[keys.NUDGE] = clockwork.kick
            try:
                yield
            finally:
                if clockwork is not None:
                    await clockwork.stop()

    app[keys.NUDGE] = lambda: None  # until the clock runs
    app.cleanup_ctx.append(wired)
    return app


def _hand_out(app: web.Application, graph: Graph) -> None:
    """Each adapter's view reads the services it talks to under its own typed key."""
    app[GRAPH] = graph
    app[health.ENGINE] = graph.engine
    if graph.click_queue is not None:
        app[health.CLICK_QUEUE] = graph.click_queue
    app[keys.INTAKE] = graph.intake
    app[keys.INTERACTIONS] = graph.interactions
    app[keys.REPORTS] = graph.reports
    app[keys.FEEDBACK] = graph.feedback
    app[keys.DELIVERY] = graph.delivery
    app[keys.DIRECTORY] = graph.directory
    app[ats.ATS] = graph.ats
    if graph.slack is not None:
        app[slack.SLACK] = graph.slack
    if graph.teams is not None:
        app[teams.TEAMS] = graph.teams
    if graph.playground is not None:
        app[playground.PLAYGROUND] = graph.playground
