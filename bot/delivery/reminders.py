"""One reminder per unanswered prompt, on the next working morning in the interviewer's own timezone."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.checkins import cards
from bot.checkins.answers import Loaded, title_of, zone_of
from bot.delivery.prompts import recipient_for
from bot.ports import Outbox
from bot.settings import Settings
from bot.text import code, italic, text
from storage import db
from storage import interviews as repo
from storage.db import Sessions, unit_of_work
from storage.people import get_person, identities_of

logger = logging.getLogger(__name__)
MORNING = range(9, 12)  # local hours in which a reminder may arrive


def working_morning(moment: datetime, zone: ZoneInfo) -> bool:
    local = moment.astimezone(zone)
    return local.weekday() < 5 and local.hour in MORNING


def next_morning(moment: datetime, zone: ZoneInfo) -> datetime:
    """09:00 local on the next working day after `moment` (Monday after a Friday)."""
    day = moment.astimezone(zone).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(MORNING.start), tzinfo=zone)


async def send_reminders(
    *, sessions: Sessions, settings: Settings, outboxes: Mapping[str, Outbox], now: Callable[[], datetime]
) -> int:
    """Remind about prompts unanswered for FAIRLOOP_REMINDER_AFTER; never twice, never to someone who opted out."""
    moment = now()
    async with unit_of_work(sessions) as session:
        ids = await repo.reminder_candidates(session=session, sent_before=moment - settings.reminder_after)
        snoozed = await repo.snoozed_due(session=session, now=moment)
    sent = 0
    for prompt_id, asked_later in [(i, False) for i in ids] + [(i, True) for i in snoozed]:
        async with unit_of_work(sessions) as session:
            prompt = await repo.get_prompt(session=session, prompt_id=prompt_id)
            person = await get_person(session=session, person_id=prompt.person_id) if prompt else None
            outbox = outboxes.get(prompt.platform or "") if prompt else None
            if prompt is None or person is None or outbox is None:
                continue
            if asked_later:  # the one they asked for with "Remind me later": due now, whatever the hour
                if not await repo.claim_snoozed(session=session, prompt_id=prompt_id, now=moment):
                    continue
            elif (
                not person.reminders
                or not working_morning(moment, zone_of(person, settings))
                or not await repo.claim_reminder(session=session, prompt_id=prompt_id, now=moment)
            ):
                continue
            interview = await repo.get_interview(session=session, interview_id=prompt.interview_id)
            assert interview is not None
            loaded = Loaded(prompt=prompt, interview=interview, person=person)
            message = cards.prompt_message(
                prompt_id=prompt_id,
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
            ident = next(
                (
                    i
                    for i in await identities_of(session=session, person_id=person.id or 0)
                    if i.platform == prompt.platform
                ),
                None,
            )
            recipient = recipient_for(person, ident)
        try:
            delivery = await outbox.send_direct(recipient=recipient, message=message)
        except Exception:  # noqa: BLE001 - a missed reminder is not retried: one nudge at most, by design
            logger.warning("reminder for prompt %s could not be sent", prompt_id, exc_info=True)
            continue
        async with unit_of_work(sessions) as session:
            prompt = await repo.get_prompt(session=session, prompt_id=prompt_id)
            if prompt is not None:  # answers now redraw the reminder, the latest copy of the question
                prompt.conversation, prompt.message_id = delivery.conversation, delivery.message_id
                await db.save(session, prompt)
        sent += 1
    return sent
