"""One reminder per unanswered prompt, on the first working morning after FAIRLOOP_REMINDER_AFTER in the
interviewer's own timezone, and the one more they may ask for with "Remind me later".

Each reminder is claimed and sent under a lease like a prompt (bot/delivery/lease.py). One that will never be sent
is settled for good, so it leaves the list of due reminders and cannot crowd out anyone else's: `opted_out` (the
person had reminders off when it fell due), `missed` (no working morning is left before the prompt expires),
`undeliverable`. One whose morning passed unsent (fairloop was down) is planned for the next working morning.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

from bot.checkins import cards
from bot.checkins.answers import Loaded, title_of, zone_of
from bot.delivery.lease import Claim, LeaseLost, record, retry_wait
from bot.delivery.mornings import first_morning, next_morning, working_morning
from bot.delivery.prompts import CONCURRENCY, recipient_for
from bot.errors import Undeliverable
from bot.messages import Message
from bot.ports import Delivery, Outbox, Recipient
from bot.settings import Settings
from bot.text import code, italic, text
from storage import deliveries
from storage import interviews as repo
from storage.db import Session, Sessions, unit_of_work
from storage.people import get_person, identities_of

logger = logging.getLogger(__name__)
BATCH = 500


async def send_reminders(
    *, sessions: Sessions, settings: Settings, outboxes: Mapping[str, Outbox], now: Callable[[], datetime]
) -> int:
    """Send (or settle) every due reminder, a batch at a time; never twice, never to someone who opted out."""
    await _plan(sessions=sessions, settings=settings)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(prompt_id: int, asked_later: bool) -> int:
        async with gate:
            try:
                return await _remind(sessions, settings, outboxes, now, prompt_id, asked_later=asked_later)
            except Exception:  # noqa: BLE001 - one reminder's trouble must not stop the others
                logger.exception("reminder for prompt %s failed; it is tried again once its claim lapses", prompt_id)
                return 0

    sent = 0
    for _ in range(20):  # at most 10,000 a run; the rest at the next
        async with unit_of_work(sessions) as session:
            due = await deliveries.reminders_due(session=session, now=now(), limit=BATCH)
            snoozed = await deliveries.snoozed_due(session=session, now=now(), limit=BATCH)
        runs = [(i, False) for i in due] + [(i, True) for i in snoozed]
        sent += sum(await asyncio.gather(*(one(i, later) for i, later in runs)))
        if len(due) < BATCH and len(snoozed) < BATCH:
            break
    return sent


async def _plan(*, sessions: Sessions, settings: Settings) -> None:
    """Prompts sent before reminders had a morning of their own get one now, from when they were sent."""
    for _ in range(20):
        async with unit_of_work(sessions) as session:
            unplanned = await deliveries.unplanned_reminders(session=session, limit=BATCH)
            for prompt_id, person_id, sent_at in unplanned:
                person = await get_person(session=session, person_id=person_id)
                zone = zone_of(person, settings) if person is not None else settings.zone
                when = first_morning(sent_at + settings.reminder_after, zone)
                await deliveries.plan_reminder(session=session, prompt_id=prompt_id, remind_at=when)
        if len(unplanned) < BATCH:
            return


async def _remind(
    sessions: Sessions, settings: Settings, outboxes: Mapping[str, Outbox], now: Callable[[], datetime],
    prompt_id: int, *, asked_later: bool,
) -> int:  # fmt: skip
    claim, lease, moment = uuid.uuid4().hex, settings.delivery_lease, now()
    take = deliveries.claim_snoozed if asked_later else deliveries.claim_reminder
    async with unit_of_work(sessions) as session:
        if not await take(session=session, prompt_id=prompt_id, claim=claim, now=moment, until=moment + lease):
            return 0
        prompt = await repo.get_prompt(session=session, prompt_id=prompt_id)
        person = await get_person(session=session, person_id=prompt.person_id) if prompt else None
        assert prompt is not None and person is not None
        interview = await repo.get_interview(session=session, interview_id=prompt.interview_id)
        assert interview is not None
        identity = next((i for i in await identities_of(session=session, person_id=person.id or 0)
                         if i.platform == prompt.platform), None)  # fmt: skip
        zone = zone_of(person, settings)
        message = _message(Loaded(prompt=prompt, interview=interview, person=person), settings, moment, asked_later)
        recipient = recipient_for(person, identity)
        outbox = outboxes.get(prompt.platform or "")
        if not asked_later and not person.reminders:
            await _settle(session, prompt_id, claim, reminder="opted_out")
            return 0
        if not asked_later and not working_morning(moment, zone):  # its morning passed unsent (we were down, say)
            later = next_morning(moment, zone)
            expires = (prompt.sent_at or moment) + settings.prompt_expires
            await _settle(
                session, prompt_id, claim, **({"reminder": "missed"} if later >= expires else {"remind_at": later})
            )
            return 0
    if outbox is None:  # its platform is not served here: another replica may serve it
        await _let_go(sessions, prompt_id, claim, moment + retry_wait(lease))
        return 0

    async def renew(until: datetime) -> bool:
        async with unit_of_work(sessions) as session:
            return await repo.renew_prompt(session=session, prompt_id=prompt_id, claim=claim, until=until,
                                           while_state="sent")  # fmt: skip

    held = Claim(renew=renew, lease=lease, now=now, what=f"the reminder for prompt {prompt_id}")
    try:
        outcome = await held.keep(_send(outbox, recipient, message))
    except LeaseLost as exc:
        logger.warning("%s: this process stopped sending it", exc)
        return 0
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(_let_go(sessions, prompt_id, claim, now()), 2)
        raise
    if isinstance(outcome, Exception):  # a platform outage: tried again after a while, within its morning
        await _let_go(sessions, prompt_id, claim, now() + retry_wait(lease))
        return 0
    if outcome is None:
        values: dict[str, object] = {"snoozed_until": None} if asked_later else {"reminder": "undeliverable"}
    else:  # answers now redraw the reminder, the latest copy of the question
        done = {"snoozed_until": None} if asked_later else {"reminder": "sent", "reminded_at": now()}
        values = {"conversation": outcome.conversation, "message_id": outcome.message_id, **done}
    writing = record(_write(sessions, prompt_id, claim, **values), what=f"the reminder for prompt {prompt_id}",
                     within=2 * lease.total_seconds())  # fmt: skip
    await held.keep(writing, stop_if_lost=False)
    return int(outcome is not None)


async def _send(outbox: Outbox, recipient: Recipient, message: Message) -> Delivery | Exception | None:
    """The delivery; None when the person cannot be reached; the error of an outage."""
    try:
        return await outbox.send_direct(recipient=recipient, message=message)
    except LeaseLost:  # stopped before its request left (bot/delivery/lease.py)
        raise
    except Undeliverable as exc:
        logger.info("reminder undeliverable: %s", exc.reason)
        return None
    except Exception as exc:  # noqa: BLE001 - an outage: tried again later
        logger.warning("a reminder could not be sent; it is tried again", exc_info=True)
        return exc


def _write(sessions: Sessions, prompt_id: int, claim: str, **values: object) -> Callable[[], Awaitable[bool]]:
    async def write() -> bool:
        async with unit_of_work(sessions) as session:
            return await repo.finish_prompt(session=session, prompt_id=prompt_id, claim=claim, while_state="sent",
                                            **values)  # fmt: skip

    return write


async def _settle(session: Session, prompt_id: int, claim: str, **values: object) -> None:
    """Settle the reminder for good (`reminder=`), or plan it for another morning (`remind_at=`)."""
    await repo.finish_prompt(session=session, prompt_id=prompt_id, claim=claim, while_state="sent", **values)
    logger.info("reminder for prompt %s: %s", prompt_id, values)


async def _let_go(sessions: Sessions, prompt_id: int, claim: str, at: datetime) -> None:
    async with unit_of_work(sessions) as session:
        await repo.finish_prompt(session=session, prompt_id=prompt_id, claim=claim, while_state="sent",
                                 claimed_until=at)  # fmt: skip


def _message(loaded: Loaded, settings: Settings, moment: datetime, asked_later: bool) -> Message:
    return cards.prompt_message(
        prompt_id=loaded.prompt.id or 0,
        title=title_of(loaded, settings, moment),
        settings=settings,
        reminder=True,
        later=not asked_later,
        status=italic("As you asked: here it is again. This is the last reminder.")
        if asked_later
        else italic(
            text("One gentle reminder — we won't ask again. Turn reminders off any time with ", code("me"), ".")
        ),
    )
