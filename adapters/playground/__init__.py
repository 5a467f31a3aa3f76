"""The local playground: a web page that stands in for Slack/Teams (DMs, buttons, forms, commands, channels)."""

from __future__ import annotations

from aiohttp import web
from pydantic import Field

from adapters.loopback import Handler, local_only
from adapters.playground import views
from adapters.playground.outbox import PlaygroundOutbox
from adapters.playground.views import PLAYGROUND, Playground
from bot.settings import SettingsBase, env

__all__ = ["PLAYGROUND", "Playground", "PlaygroundOutbox", "PlaygroundSettings", "install"]


class PlaygroundSettings(SettingsBase):
    """FAIRLOOP_PLAYGROUND: 1/0; unset means on when no platform is configured and the host is loopback."""

    playground: bool | None = Field(None, validation_alias=env("FAIRLOOP_PLAYGROUND", "playground"))


def install(app: web.Application) -> None:
    """The page and its API. Anyone who reaches them may act as anyone, so they answer this machine only (a
    loopback peer, a loopback Host, no proxy): not another machine, nor a web page that rebinds a name to us."""

    def add(method: str, path: str, view: Handler) -> None:
        app.router.add_route(method, path, local_only(view, what="The playground"))

    add("GET", "/playground", views.page)
    add("GET", "/playground/api/feed", views.feed)
    add("POST", "/playground/api/action", views.action)
    add("POST", "/playground/api/form", views.submit)
    add("POST", "/playground/api/command", views.command)
    add("POST", "/playground/api/interviews", views.interview)
    add("POST", "/playground/api/sample", views.sample)
    add("POST", "/playground/api/channel", views.channel_post)
