"""Attributed concerns: an alert in the DEI channel at once, acknowledged (and owned) and resolved there."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cards import headline
from bot.config import PLAYGROUND_CHANNEL, Alerts
from bot.errors import NotFound
from bot.events import Actor
from bot.ids import parse_id
from bot.messages import Actions, Button, Context, Fields, Header, Message, Section
from bot.ports import Outbox
from bot.settings import Settings
from storage import reports
from storage.interviews import get_prompt
from storage.models import Concern, Interview, Person

logger = logging.getLogger(__name__)

ACK, RESOLVE = "concern.ack", "concern.resolve"
ONLY_ADMINS = "Only fairloop admins (the DEI team, listed in fairloop.toml) can pick up or resolve concerns."
STATUS = {"open": "open — waiting for someone to pick it up", "acknowledged": "acknowledged", "resolved": "resolved ✓"}


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
    """Admins pick concerns up; in a local trial with no admins at all, anyone in the playground may."""
    if settings.is_admin(actor.user_id, actor.email):
        return True
    return not settings.admins and actor.platform == "playground"


def who(actor: Actor) -> str:
    return actor.display_name or actor.email or actor.user_id


async def alert_message(*, session: AsyncSession, concern: Concern, title: str) -> Message:
    reporter = await session.get(Person, concern.reporter_id) if concern.reporter_id else None
    name = (reporter.display_name or reporter.email) if reporter else "someone (anonymous)"
    quoted = f"“{concern.text.strip()}”"  # plain quotation marks read the same on every platform
    blocks: list = [
        Header(text=f"Concern raised · {concern.team or 'no team'}"),
        Section(text=f"{title}\n{quoted}"),
        Fields(items=(("Raised by", name), ("Status", STATUS.get(concern.status, concern.status)))),
    ]
    if concern.owner:
        blocks.append(Context(text=f"Owner: {concern.owner}"))
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
    return Message(
        text=f"Concern raised ({concern.team or 'no team'}) by {name}: {concern.text[:200]}", blocks=tuple(blocks)
    )


async def act(*, session: AsyncSession, action_id: str, value: str, actor: Actor, now: datetime) -> Concern:
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
    session.add(concern)
    return concern


async def post_alert(*, settings: Settings, outboxes: Mapping[str, Outbox], alert: Message) -> None:
    """Attributed concerns reach the DEI channel at once; without one they wait for the next digest."""
    target = channel_for(settings)
    if target is None and "playground" in outboxes:  # trying it out locally: the playground's channel
        target = Alerts(platform="playground", channel=PLAYGROUND_CHANNEL)
    outbox = outboxes.get(target.platform) if target else None
    if target is None or outbox is None:
        logger.info("concern stored; no alert channel is connected, so it waits for the next digest")
        return
    try:
        await outbox.post_channel(channel=target.channel, message=alert)
    except Exception:  # noqa: BLE001 - the concern is stored and stays in digests until resolved
        logger.warning("could not post the concern alert to %s %s", target.platform, target.channel, exc_info=True)


async def title_for(*, session: AsyncSession, prompt_id: int | None, settings: Settings, now: datetime) -> str:
    """The interview line of the alert (role, stage, time), or "" once retention has unlinked the prompt."""
    prompt = await get_prompt(session=session, prompt_id=prompt_id) if prompt_id else None
    interview = await session.get(Interview, prompt.interview_id) if prompt else None
    if interview is None:
        return ""
    return headline(
        role=interview.role,
        stage=interview.stage,
        starts=interview.starts_at,
        ends=interview.ends_at,
        zone=settings.zone,
        now=now,
    )
