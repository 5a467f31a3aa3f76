"""Sending due check-in prompts through each interviewer's platform, exactly once."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from bot.checkins import cards
from bot.checkins.answers import Loaded, title_of
from bot.errors import PlatformUnavailable, Undeliverable
from bot.ports import Delivery, Outbox, Recipient
from bot.settings import Settings
from storage import db
from storage import interviews as repo
from storage.db import Sessions, unit_of_work
from storage.models import Identity, Person
from storage.people import get_person, identities_of, save_identity

logger = logging.getLogger(__name__)
CLAIM_FOR = timedelta(minutes=2)
OUTAGE_WAIT = timedelta(seconds=30)  # a platform hiccup: try again soon
CONFIG_WAIT = timedelta(minutes=5)  # a revoked token or missing scope is not fixed in seconds
CONCURRENCY = 8  # sends in flight at once; each prompt is still claimed before it is sent


def recipient_for(person: Person, identity: Identity | None) -> Recipient:
    """A person as an outbox sees them, with what we cached about them on its platform."""
    return Recipient(
        person_id=person.id or 0,
        email=person.email,
        platform_user_id=identity.user_id if identity else None,
        address=identity.address if identity else {},
    )


async def dispatch_due(
    *,
    sessions: Sessions,
    settings: Settings,
    outboxes: Mapping[str, Outbox],
    now: Callable[[], datetime],
    limit: int = 200,
) -> int:
    """Send up to `limit` due prompts. Safe to run concurrently, in one process or many: each prompt is
    claimed with a compare-and-set before sending, so it is sent once even if the job overlaps itself."""
    if not outboxes:
        return 0
    async with unit_of_work(sessions) as session:
        ids = await repo.due_prompt_ids(session=session, now=now(), limit=limit)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(prompt_id: int) -> int:
        async with gate:
            return await _claim_and_send(
                sessions=sessions, settings=settings, outboxes=outboxes, prompt_id=prompt_id, now=now
            )

    return sum(await asyncio.gather(*(one(i) for i in ids)))


async def _claim_and_send(
    *,
    sessions: Sessions,
    settings: Settings,
    outboxes: Mapping[str, Outbox],
    prompt_id: int,
    now: Callable[[], datetime],
) -> int:
    claim = uuid.uuid4().hex
    async with unit_of_work(sessions) as session:
        moment = now()
        if not await repo.claim_prompt(
            session=session, prompt_id=prompt_id, claim=claim, now=moment, until=moment + CLAIM_FOR
        ):
            return 0
    return await _send_one(
        sessions=sessions, settings=settings, outboxes=outboxes, prompt_id=prompt_id, claim=claim, now=now
    )


async def _send_one(
    *,
    sessions: Sessions,
    settings: Settings,
    outboxes: Mapping[str, Outbox],
    prompt_id: int,
    claim: str,
    now: Callable[[], datetime],
) -> int:
    async with unit_of_work(sessions) as session:
        prompt = await repo.get_prompt(session=session, prompt_id=prompt_id)
        assert prompt is not None
        interview = await repo.get_interview(session=session, interview_id=prompt.interview_id)
        person = await get_person(session=session, person_id=prompt.person_id)
        assert interview is not None and person is not None
        identities = {i.platform: i for i in await identities_of(session=session, person_id=person.id or 0)}
        loaded = Loaded(prompt=prompt, interview=interview, person=person)
        message = cards.prompt_message(
            prompt_id=prompt_id,
            title=title_of(loaded, settings, now()),
            settings=settings,
            first_time=person.first_prompted_at is None,
        )
    # a platform the person is known on goes first; otherwise each enabled platform in turn
    order = sorted(outboxes, key=lambda name: (name not in identities, list(outboxes).index(name)))
    reasons: list[str] = []
    delivery: Delivery | None = None
    platform = ""
    for platform in order:
        try:
            delivery = await outboxes[platform].send_direct(
                recipient=recipient_for(person, identities.get(platform)), message=message
            )
            break
        except Undeliverable as exc:
            reasons.append(exc.reason if len(outboxes) == 1 else f"{platform}: {exc.reason}")
        except Exception as exc:  # noqa: BLE001 - an outage must not lose the prompt: release it for a retry
            if isinstance(exc, PlatformUnavailable):  # fairloop's own credentials: wait for an operator, quietly
                logger.warning(
                    "%s refuses fairloop (%s); prompt %s waits %s", platform, exc.reason, prompt_id, CONFIG_WAIT
                )
                wait = CONFIG_WAIT
            else:
                logger.exception("sending prompt %s via %s failed; will retry", prompt_id, platform)
                wait = OUTAGE_WAIT
            async with unit_of_work(sessions) as session:
                await repo.finish_prompt(session=session, prompt_id=prompt_id, claim=claim, claimed_until=now() + wait)
            return 0
    async with unit_of_work(sessions) as session:
        if delivery is None:
            reason = "; ".join(reasons)[:300]
            await repo.finish_prompt(
                session=session, prompt_id=prompt_id, claim=claim, state="undeliverable", reason=reason
            )
            logger.info("prompt %s undeliverable: %s", prompt_id, reason)
            return 0
        moment = now()
        await repo.finish_prompt(
            session=session,
            prompt_id=prompt_id,
            claim=claim,
            state="sent",
            sent_at=moment,
            platform=platform,
            conversation=delivery.conversation,
            message_id=delivery.message_id,
        )
        person = await get_person(session=session, person_id=prompt.person_id)
        assert person is not None
        if person.first_prompted_at is None or (delivery.timezone and person.timezone != delivery.timezone):
            person.first_prompted_at = person.first_prompted_at or moment
            person.timezone = delivery.timezone or person.timezone
            await db.save(session, person)
        if delivery.user_id:
            await save_identity(
                session=session,
                person_id=person.id or 0,
                platform=platform,
                user_id=delivery.user_id,
                address=delivery.address,
            )
    return 1


async def expire_old(*, sessions: Sessions, settings: Settings, now: datetime) -> int:
    async with unit_of_work(sessions) as session:
        return await repo.expire_prompts(session=session, sent_before=now - settings.prompt_expires)
