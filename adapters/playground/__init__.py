"""The local playground: a web page that stands in for Slack/Teams (DMs, buttons, forms, commands, channels)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from adapters.playground import views
from bot.settings import Settings
from fairloop.keys import CORE


def install(app: web.Application, *, settings: Settings) -> None:
    app.router.add_get("/playground", views.page)
    app.router.add_get("/playground/api/feed", views.feed)
    app.router.add_post("/playground/api/action", views.action)
    app.router.add_post("/playground/api/form", views.submit)
    app.router.add_post("/playground/api/command", views.command)
    app.router.add_post("/playground/api/interviews", views.interview)
    app.router.add_post("/playground/api/sample", views.sample)
    app.router.add_post("/playground/api/channel", views.channel_post)

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        core = app[CORE]
        outbox = views.PlaygroundOutbox(sessions=core.sessions)
        app[views.OUTBOX] = outbox
        core.outboxes.setdefault("playground", outbox)
        yield

    app.cleanup_ctx.append(ctx)
