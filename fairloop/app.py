"""The application factory: the one place where settings, storage, core, adapters and jobs meet."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator

from aiohttp import web
from prometheus_client import CollectorRegistry

from adapters import feedback
from adapters.sources import ats
from adapters.sources.ats_settings import AtsSettings
from adapters.sources.webhook import interviews_view
from bot.service import Core
from bot.settings import Settings
from bot.tokens import Signer
from fairloop import health
from fairloop.ats_wiring import ats_ctx
from fairloop.charts import chart_view
from fairloop.errors import MAX_BODY, errors_middleware
from fairloop.keys import CORE, ENGINE, KICK, REGISTRY, SETTINGS
from schedules.jobs import scheduler_ctx
from storage import db
from storage.people import put_setting_once

logger = logging.getLogger(__name__)


async def core_ctx(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    if settings.database_url.startswith("sqlite"):
        await db.upgrade(settings.database_url)  # a SQLite file upgrades itself; PostgreSQL uses `fairloop db upgrade`
    engine = db.make_engine(settings.database_url)
    sessions = db.make_sessions(engine)
    secret = settings.secret_key
    if not secret:
        async with db.unit_of_work(sessions) as session:
            secret = await put_setting_once(session=session, key="secret_key", value=secrets.token_urlsafe(32))
    app[ENGINE] = engine
    app[CORE] = Core(settings=settings, sessions=sessions, signer=Signer(secret_key=secret))
    app[KICK] = lambda: None  # replaced by the scheduler once it runs
    yield
    await engine.dispose()


def init_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[errors_middleware], client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    app[REGISTRY] = CollectorRegistry()
    health.install(app)
    app.cleanup_ctx.append(core_ctx)
    app.cleanup_ctx.append(ats_ctx)  # the ATS connectors' runtime (issue 12), before the scheduler that syncs
    app.router.add_post("/api/interviews", interviews_view)
    app.router.add_get("/charts/{token}.png", chart_view)  # the digest's trend image, fetched by Slack/Teams
    ats.install(app, settings=AtsSettings())  # POST /ats/ashby, /ats/lever, /ats/greenhouse
    feedback.install(app)  # the candidate feedback link works whatever the platform
    if settings.slack_enabled:
        from adapters import slack

        slack.install(app, settings=settings)
    if settings.teams_on:
        from adapters import teams

        teams.install(app, settings=settings)
    if settings.playground_on:
        from adapters import playground

        if not settings.loopback:  # the playground lets anyone act as anyone: it is for a laptop, not a network
            logger.warning(
                "FAIRLOOP_PLAYGROUND is on at %s, which is not a loopback address: anyone who can reach it can "
                "answer check-ins and read stats as any person. Set FAIRLOOP_PLAYGROUND=0 outside a trial.",
                settings.host,
            )

        playground.install(app, settings=settings)
    app.cleanup_ctx.append(scheduler_ctx)
    return app
