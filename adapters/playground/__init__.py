"""The local playground: a web page that stands in for Slack/Teams (DMs, buttons, forms, commands, channels)."""

from __future__ import annotations

from aiohttp import web
from pydantic import Field

from adapters.playground import views
from adapters.playground.outbox import PlaygroundOutbox
from adapters.playground.views import PLAYGROUND, Playground
from bot.settings import SettingsBase, env

__all__ = ["PLAYGROUND", "Playground", "PlaygroundOutbox", "PlaygroundSettings", "install"]


class PlaygroundSettings(SettingsBase):
    """FAIRLOOP_PLAYGROUND: 1/0; unset means on when no platform is configured and the host is loopback."""

    playground: bool | None = Field(None, validation_alias=env("FAIRLOOP_PLAYGROUND", "playground"))


def install(app: web.Application) -> None:
    app.router.add_get("/playground", views.page)
    app.router.add_get("/playground/api/feed", views.feed)
    app.router.add_post("/playground/api/action", views.action)
    app.router.add_post("/playground/api/form", views.submit)
    app.router.add_post("/playground/api/command", views.command)
    app.router.add_post("/playground/api/interviews", views.interview)
    app.router.add_post("/playground/api/sample", views.sample)
    app.router.add_post("/playground/api/channel", views.channel_post)
