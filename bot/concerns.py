"""Attributed concerns: an alert in the DEI channel at once, acknowledged (and owned) and resolved there."""

from __future__ import annotations

from datetime import datetime

from bot.checkins.cards import headline
from bot.config import Alerts
from bot.errors import NotFound
from bot.events import Actor
from bot.ids import parse_id
from bot.messages import Actions, Button, Context, Fields, Header, Message, Section
from bot.settings import Settings
from bot.text import Text, text, user
from storage import db, reports
from storage.db import Session
from storage.interviews import get_interview, get_prompt
from storage.models import Concern
from storage.people import get_person

ACK, RESOLVE = "concern.ack", "concern.resolve"
ONLY_ADMINS = "Only fairloop admins (the DEI team, listed in fairloop.toml) can pick up or resolve concerns."
STATUS = {"open": "open — waiting for someone to pick it up", "acknowledged": "acknowledged", "resolved": "resolved ✓"}
MAY_HANDLE = "concerns"  # an Actor grant: the adapter vouches this person may act as the DEI team


def channel_for(settings: Settings) -> Alerts | None:
    """[alerts] in fairloop.toml, else the first DEI (or joint) digest's channel."""
    if settings.alerts is not None:
        return settings.alerts
    for audience in ("dei", "joint"):
        digest = next((d for d in settings.digests if d.audience == audience), None)
        if digest is not None:
            return Alerts(platform=digest.platform, channel=digest.channel)
    return None


def may_handle(settings: Settings, actor: Actor) -> bool:
    """Admins pick concerns up, and whoever their platform vouches for (see MAY_HANDLE)."""
    return settings.is_admin(actor.user_id, actor.email) or MAY_HANDLE in actor.grants


def who(actor: Actor) -> str:
    return actor.display_name or actor.email or actor.user_id


async def alert_message(*, session: Session, concern: Concern, title: Text) -> Message:
    reporter = await get_person(session=session, person_id=concern.reporter_id) if concern.reporter_id else None
    name = user(reporter.display_name or reporter.email) if reporter else text("someone (anonymous)")
    team = user(concern.team) if concern.team else text("no team")
    quoted = text("“", user(concern.text.strip()), "”")  # plain quotation marks read the same on every platform
    blocks: list = [
        Header(text=text("Concern raised · ", team)),
        Section(text=text(title, "\n", quoted)),
        Fields(items=(("Raised by", name), ("Status", STATUS.get(concern.status, concern.status)))),
    ]
    if concern.owner:
        blocks.append(Context(text=text("Owner: ", user(concern.owner))))
    buttons = []
    if concern.status == "open":
        buttons.append(Button(label="Acknowledge", action_id=ACK, value=str(concern.id), style="primary"))
    if concern.status != "resolved":
        buttons.append(Button(label="Resolve", action_id=RESOLVE, value=str(concern.id)))
    else:
        buttons.append(Button(label="Reopen", action_id=ACK, value=str(concern.id)))
    blocks += [
        Actions(buttons=tuple(buttons)),
        Context(text="Whoever acknowledges owns it; it stays in the digest until it is resolved."),
    ]
    fallback = text("Concern raised (", team, ") by ", name, ": ", user(concern.text[:200]))
    return Message(text=fallback, blocks=tuple(blocks))


async def act(*, session: Session, action_id: str, value: str, actor: Actor, now: datetime) -> Concern:
    """Acknowledge (taking ownership; also reopens a resolved one) or resolve a concern."""
    concern_id = parse_id(value)
    concern = await reports.get_concern(session=session, concern_id=concern_id) if concern_id else None
    if concern is None:
        raise NotFound("That concern doesn't exist any more.")
    if action_id == ACK:
        concern.status, concern.owner = "acknowledged", who(actor)
    else:
        concern.status = "resolved"
        concern.owner = concern.owner or who(actor)
    concern.updated_at = now
    await db.save(session, concern)
    return concern


async def title_for(*, session: Session, prompt_id: int | None, settings: Settings, now: datetime) -> Text:
    """The interview line of the alert (role, stage, team, time), or nothing once retention has unlinked the prompt."""
    prompt = await get_prompt(session=session, prompt_id=prompt_id) if prompt_id else None
    interview = await get_interview(session=session, interview_id=prompt.interview_id) if prompt else None
    if interview is None:
        return text()
    return headline(
        role=interview.role,
        stage=interview.stage,
        team=interview.team,
        starts=interview.starts_at,
        ends=interview.ends_at,
        zone=settings.zone,
        now=now,
    )
