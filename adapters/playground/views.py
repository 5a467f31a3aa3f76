"""Playground HTTP views: a local stand-in for Slack/Teams, driven by the page in static/."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web

from adapters.loopback import Handler, local_only
from adapters.playground import render
from adapters.playground.outbox import PlaygroundOutbox
from adapters.web import DELIVERY, INTAKE, INTERACTIONS, NUDGE, bad_request, ingest, read_json
from bot.concerns import MAY_HANDLE
from bot.events import Actor, ButtonClicked, CommandIssued, FormSubmitted
from bot.ids import parse_id
from bot.replies import Reply

STATIC = Path(__file__).parent / "static"


class Playground:
    """The playground's own state: its outbox, and whether this is a trial with no admins configured (then
    anyone may pick up concerns, as the DEI team would)."""

    def __init__(self, *, outbox: PlaygroundOutbox, trial: bool) -> None:
        self.outbox = outbox
        self.trial = trial

    def actor(self, data: dict[str, Any]) -> Actor:
        email = str(data.get("as") or "").strip().lower()
        if "@" not in email:
            raise bad_request("bad_request", "Pick who you are (an email) first.")
        grants = frozenset({MAY_HANDLE}) if self.trial else frozenset()
        return Actor(platform="playground", user_id=email, email=email, grants=grants)


PLAYGROUND = web.AppKey("fairloop.playground", Playground)


@cache
def _page() -> str:
    return (STATIC / "index.html").read_text(encoding="utf-8")


async def _json(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(
            text=json.dumps({"error": "unsupported_media_type", "detail": "Send JSON."}),
            content_type="application/json",
        )
    data = await read_json(request)
    if not isinstance(data, dict):
        raise bad_request("bad_request", "Send a JSON object.")
    return data


async def page(request: web.Request) -> web.Response:
    return web.Response(text=_page(), content_type="text/html", headers={"Cache-Control": "no-store"})


async def feed(request: web.Request) -> web.Response:
    email = request.query.get("as", "").strip().lower()
    return web.json_response(await request.app[PLAYGROUND].outbox.feed(email))


def _reply(reply: Reply) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if reply.message is not None:
        out["message"] = render.message(reply.message)
    if reply.form is not None:
        out["form"] = render.form(reply.form)
    if reply.notice is not None:
        out["notice"] = render.message(reply.notice)
    if reply.errors:
        out["errors"] = reply.errors
    return out


async def action(request: web.Request) -> web.Response:
    data = await _json(request)
    playground = request.app[PLAYGROUND]
    actor = playground.actor(data)
    event = ButtonClicked(actor=actor, action_id=str(data.get("action_id", "")), value=str(data.get("value", "")))
    reply = await request.app[INTERACTIONS].on_button(event)
    post_id = parse_id(data.get("post_id"))
    if reply.message is not None and post_id is not None:  # in place of the clicked message, like chat.update
        await playground.outbox.replace(post_id=post_id, message=reply.message, seen_by=actor.user_id)
    return web.json_response(_reply(reply))


async def submit(request: web.Request) -> web.Response:
    data = await _json(request)
    values = data.get("values") if isinstance(data.get("values"), dict) else {}
    event = FormSubmitted(
        actor=request.app[PLAYGROUND].actor(data),
        form_id=str(data.get("form_id", "")),
        context=str(data.get("context", "")),
        values={str(k): str(v) for k, v in values.items()},
    )
    out = _reply(await request.app[INTERACTIONS].on_form(event))
    out.pop("message", None)  # the core already updated the prompt in place through the outbox
    return web.json_response(out)


async def command(request: web.Request) -> web.Response:
    data = await _json(request)
    event = CommandIssued(actor=request.app[PLAYGROUND].actor(data), text=str(data.get("text", "")))
    return web.json_response(_reply(await request.app[INTERACTIONS].on_command(event)))


async def interview(request: web.Request) -> web.Response:
    """The playground's interview form: the webhook's intake, without the token (the playground is local)."""
    return await ingest(request, await _json(request))


async def sample(request: web.Request) -> web.Response:
    """Load the sample organisation; whoever asked also gets a fresh interview of their own to check in on."""
    data = await _json(request)
    email = str(data.get("as") or "").strip().lower()
    summary = await request.app[INTAKE].load_sample(for_email=email if "@" in email else None)
    request.app[NUDGE]()  # the sample's recent prompts and yours go out now
    return web.json_response(summary)


async def channel_post(request: web.Request) -> web.Response:
    """Post the sync digest (the first declared, else a joint 7-day one) to a playground channel now."""
    data = await _json(request)
    playground = request.app[PLAYGROUND]
    spec, message = await request.app[DELIVERY].digest(None)
    default = spec.channel if spec.platform == "playground" else playground.outbox.default_channel
    delivery = await playground.outbox.post_channel(channel=str(data.get("channel") or default), message=message)
    return web.json_response({"conversation": delivery.conversation, "id": delivery.message_id})


def install(app: web.Application) -> None:
    """The page and its API. Anyone who reaches them may act as anyone, so they answer this machine only (a
    loopback peer, a loopback Host, no proxy): not another machine, nor a web page that rebinds a name to us."""

    def add(method: str, path: str, view: Handler) -> None:
        app.router.add_route(method, path, local_only(view, what="The playground"))

    add("GET", "/playground", page)
    add("GET", "/playground/api/feed", feed)
    add("POST", "/playground/api/action", action)
    add("POST", "/playground/api/form", submit)
    add("POST", "/playground/api/command", command)
    add("POST", "/playground/api/interviews", interview)
    add("POST", "/playground/api/sample", sample)
    add("POST", "/playground/api/channel", channel_post)
