"""What became of many sends, written at once (group commit): the prompts' outcomes, their ledger counts, the people
first prompted and the platform identities learnt, in one transaction and a handful of statements.

The same rules as one send at a time: an outcome is written only while its claim is still held (the token is let
go in the same statement that checks it), a delivered prompt counts on the day it was sent and gets its one reminder
planned, the person's first prompt and timezone are kept, and the identity the platform reported is saved.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.checkins.answers import zone_named
from bot.delivery.mornings import first_morning
from bot.ports import Delivery
from bot.reports import ledger
from bot.settings import Settings
from storage import deliveries
from storage.db import Sessions, unit_of_work
from storage.people import people_by_ids

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Finished:
    """One send's outcome, to be written with its claim token: delivered on `platform` (`delivery`), undeliverable
    (`reasons`), or to be tried again at `retry_at`."""

    prompt_id: int
    claim: str
    person_id: int
    platform: str = ""
    delivery: Delivery | None = None
    reasons: tuple[str, ...] = ()
    retry_at: datetime | None = None


async def write(
    finished: Sequence[Finished], *, sessions: Sessions, settings: Settings, now: Callable[[], datetime]
) -> list[int]:
    """Write each outcome; for each, 1 if it was a delivery recorded here, else 0."""
    moment = now()
    day = ledger.day_of(moment, settings)
    async with unit_of_work(sessions) as session:  # read first: on SQLite the first write takes the lock
        people = await people_by_ids(session=session, person_ids={f.person_id for f in finished if f.delivery})
        ours = await deliveries.let_go(session=session, claims=[(f.prompt_id, f.claim) for f in finished])
        rows: dict[str, list[dict[str, Any]]] = {"sent": [], "undeliverable": [], "later": []}
        cells: dict[tuple[date, str, str], int] = defaultdict(int)
        prompted: dict[int, dict[str, Any]] = {}
        identities: list[dict[str, Any]] = []
        out = []
        for f in finished:
            if f.prompt_id not in ours:  # another replica's claim: its outcome stands, this one is not written
                if f.delivery is not None:
                    logger.warning("prompt %s was delivered on a claim no longer ours; its outcome is not recorded",
                                   f.prompt_id)  # fmt: skip
                out.append(0)
                continue
            team, role, person_id = ours[f.prompt_id]
            if f.retry_at is not None:
                rows["later"].append({"id": f.prompt_id, "until": f.retry_at})
            elif f.delivery is None:
                reason = "; ".join(f.reasons)[:300]
                rows["undeliverable"].append({"id": f.prompt_id, "reason": reason})
                await ledger.undeliverable_in(session=session, day=day, team=team, role=role, reason=reason)
                logger.info("prompt %s undeliverable: %s", f.prompt_id, reason)
            else:
                person = people[person_id]
                timezone = f.delivery.timezone or prompted.get(person_id, {}).get("timezone") or person.timezone
                prompted[person_id] = {"id": person_id, "at": moment, "timezone": timezone}
                zone = zone_named(timezone, settings)
                rows["sent"].append({"id": f.prompt_id, "at": moment, "platform": f.platform,
                                     "conversation": f.delivery.conversation, "message_id": f.delivery.message_id,
                                     "remind_at": first_morning(moment + settings.reminder_after, zone)})  # fmt: skip
                cells[(day, team, role)] += 1
                if f.delivery.user_id:
                    identities.append({"person_id": person_id, "platform": f.platform,
                                       "user_id": f.delivery.user_id, "address": f.delivery.address})  # fmt: skip
            out.append(int(f.retry_at is None and f.delivery is not None))
        await deliveries.settle_sends(session=session, **rows)
        await ledger.sent_in_bulk(session=session, cells=cells)
        await deliveries.first_prompted(session=session, people=list(prompted.values()))
        await deliveries.save_identities(session=session, identities=identities)
    return out
