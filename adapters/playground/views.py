"""Playground HTTP views: a local stand-in for Slack/Teams, driven by the page in static/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlmodel import col, or_, select

from adapters.playground import render
from adapters.playground.outbox import PlaygroundOutbox
from adapters.sources.webhook import ingest_response
from bot.config import PLAYGROUND_CHANNEL
from bot.events import Actor, ButtonClicked, CommandIssued, FormSubmitted
from bot.ids import parse_id
from bot.replies import Reply
from bot.sample import interview_for, load_sample
from fairloop.keys import CORE, KICK
from storage.db import unit_of_work
from storage.models import Person, PlaygroundPost, utcnow
from storage.people import normalise_email

PAGE = (Path(__file__).parent / "static" / "index.html").read_text(encoding="utf-8")
OUTBOX = web.AppKey("fairloop.playground.outbox", PlaygroundOutbox)


async def _json(request: web.Request) -> dict[str, Any]:
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(
            text=json.dumps({"error": "unsupported_media_type", "detail": "Send JSON."}),
            content_type="application/json",
        )
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "malformed_json", "detail": "The body is not valid JSON."}),
            content_type="application/json",
        ) from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "bad_request", "detail": "Send a JSON object."}), content_type="application/json"
        )
    return data


def _actor(data: dict[str, Any]) -> Actor:
    email = normalise_email(str(data.get("as") or ""))
    if "@" not in email:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "bad_request", "detail": "Pick who you are (an email) first."}),
            content_type="application/json",
        )
    return Actor(platform="playground", user_id=email, email=email)


async def page(request: web.Request) -> web.Response:
    return web.Response(text=PAGE, content_type="text/html", headers={"Cache-Control": "no-store"})


async def feed(request: web.Request) -> web.Response:
    email = normalise_email(request.query.get("as", ""))
    async with unit_of_work(request.app[CORE].sessions) as session:
        rows = await session.exec(
            select(PlaygroundPost)
            .where(or_(PlaygroundPost.conversation == email, col(PlaygroundPost.conversation).startswith("#")))
            .order_by(col(PlaygroundPost.id).desc())
            .limit(100)
        )
        posts = [
            {
                "id": p.id,
                "conversation": p.conversation,
                "html": p.body.get("html", ""),
                "updated": p.updated_at.isoformat(),
            }
            for p in rows
        ]
        people = [e for e in await session.exec(select(Person.email).order_by(Person.email).limit(200))]
    return web.json_response({"as": email, "posts": posts[::-1], "people": people})


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


async def _update_post(request: web.Request, post_id: Any, actor: Actor, reply: Reply) -> None:
    """A click's reply replaces the clicked message in place, like chat.update in Slack."""
    post_key = parse_id(post_id)
    if reply.message is None or post_key is None:
        return
    async with unit_of_work(request.app[CORE].sessions) as session:
        post = await session.get(PlaygroundPost, post_key)
        # your own DM, or a channel post (anyone in a channel can act on its alerts, as in Slack and Teams)
        if post is not None and (post.conversation == actor.user_id or post.conversation.startswith("#")):
            post.body = {"html": render.message(reply.message), "text": reply.message.text}
            post.updated_at = utcnow()
            session.add(post)


async def action(request: web.Request) -> web.Response:
    data = await _json(request)
    actor = _actor(data)
    event = ButtonClicked(actor=actor, action_id=str(data.get("action_id", "")), value=str(data.get("value", "")))
    reply = await request.app[CORE].on_button(event)
    await _update_post(request, data.get("post_id"), actor, reply)
    return web.json_response(_reply(reply))


async def submit(request: web.Request) -> web.Response:
    data = await _json(request)
    actor = _actor(data)
    values = data.get("values") if isinstance(data.get("values"), dict) else {}
    event = FormSubmitted(
        actor=actor,
        form_id=str(data.get("form_id", "")),
        context=str(data.get("context", "")),
        values={str(k): str(v) for k, v in values.items()},
    )
    reply = await request.app[CORE].on_form(event)
    out = _reply(reply)
    out.pop("message", None)  # the core already updated the prompt in place through the outbox
    return web.json_response(out)


async def command(request: web.Request) -> web.Response:
    data = await _json(request)
    reply = await request.app[CORE].on_command(CommandIssued(actor=_actor(data), text=str(data.get("text", ""))))
    return web.json_response(_reply(reply))


async def interview(request: web.Request) -> web.Response:
    """The playground's interview form: the webhook's intake, without the token (the playground is local)."""
    return await ingest_response(request, await _json(request))


async def sample(request: web.Request) -> web.Response:
    """Load the sample organisation; whoever asked also gets a fresh interview of their own to check in on."""
    data = await _json(request)
    core = request.app[CORE]
    summary = await load_sample(sessions=core.sessions, settings=core.settings, now=core.clock())
    email = normalise_email(str(data.get("as") or ""))
    if "@" in email:
        await core.ingest(interview_for(email, now=core.clock()))
    request.app[KICK]()  # the sample's recent prompts and yours go out now
    return web.json_response(summary)


async def channel_post(request: web.Request) -> web.Response:
    """Post the sync digest (the first declared, else a joint 7-day one) to a playground channel now."""
    data = await _json(request)
    built = await request.app[CORE].digest(None)
    default = built.spec.channel if built.spec.platform == "playground" else PLAYGROUND_CHANNEL
    channel = str(data.get("channel") or default)
    delivery = await request.app[OUTBOX].post_channel(channel=channel, message=built.message)
    return web.json_response({"conversation": delivery.conversation, "id": delivery.message_id})
