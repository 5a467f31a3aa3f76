"""Sending due check-in prompts through each interviewer's platform, exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from bot.batching import Batcher
from bot.checkins import cards
from bot.checkins.answers import Loaded, title_of
from bot.delivery import outcomes
from bot.delivery.lease import Claim, LeaseLost, record, retry_wait
from bot.delivery.outcomes import Finished
from bot.errors import PlatformUnavailable, Undeliverable
from bot.messages import Message
from bot.ports import Delivery, Outbox, Recipient
from bot.settings import Settings
from storage import interviews as repo
from storage import sending
from storage.db import Session, Sessions, unit_of_work
from storage.models import Identity, Person
from storage.sending import Addressee, Known

logger = logging.getLogger(__name__)
CONFIG_WAIT = timedelta(minutes=5)  # a revoked token or missing scope is not fixed in seconds
CONCURRENCY = 96  # sends in flight at once (the rate limit paces them); each is claimed before it is sent


def recipient_for(person: Person | Addressee, identity: Identity | Known | None) -> Recipient:
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
    """Send every due prompt, CONCURRENCY at a time: as one send finishes the next starts, and due prompts are
    read `limit` at a time whenever those read are all started, so a Monday's thousands go out without pauses
    between batches (the platform's rate limit paces them; adapters/slack/pacing.py). Safe to run concurrently,
    in one process or many: each prompt is claimed with a compare-and-set before sending, and the claim is
    renewed while the send is in flight (bot/delivery/lease.py), so it is sent once even if the job overlaps
    itself or a send waits minutes."""
    if not outboxes:
        return 0
    gate = asyncio.Semaphore(CONCURRENCY)
    finish = Batcher(partial(outcomes.write, sessions=sessions, settings=settings, now=now))
    started: set[int] = set()  # each prompt once per run: one that failed waits for its claim to lapse
    running: set[asyncio.Task[int]] = set()
    sent = 0

    async def one(prompt_id: int) -> int:
        try:
            return await _claim_and_send(
                sessions=sessions, settings=settings, outboxes=outboxes, prompt_id=prompt_id, now=now, finish=finish
            )
        except Exception:  # noqa: BLE001 - one prompt's trouble (the database, say) must not stop the others
            logger.exception("prompt %s could not be sent; it is tried again once its claim lapses", prompt_id)
            return 0
        finally:
            gate.release()

    try:
        while True:
            async with unit_of_work(sessions) as session:
                ids = [
                    i for i in await repo.due_prompt_ids(session=session, now=now(), limit=limit) if i not in started
                ]
            if not ids:
                if not running:
                    return sent
                done, _ = await asyncio.wait(running)  # what these leave undone may be due again
                running -= done
                sent += sum(t.result() for t in done)
                continue
            for prompt_id in ids:
                await gate.acquire()
                started.add(prompt_id)
                task = asyncio.create_task(one(prompt_id))
                running.add(task)
            done = {t for t in running if t.done()}
            running -= done
            sent += sum(t.result() for t in done)
    finally:  # stopping: the sends under way are cancelled with the run (each gives its claim back)
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running)


@dataclass(frozen=True, kw_only=True)
class Recipients:
    """A person, and what each platform they are known on knows about them."""

    person: Addressee
    identities: Mapping[str, Known]

    def on(self, platform: str) -> Recipient:
        return recipient_for(self.person, self.identities.get(platform))


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What became of one send: delivered on `platform`, undeliverable everywhere (`reasons`), or to be tried again
    after `retry_in` (an outage)."""

    platform: str = ""
    delivery: Delivery | None = None
    reasons: tuple[str, ...] = ()
    retry_in: timedelta | None = None


async def _claim_and_send(
    *,
    sessions: Sessions,
    settings: Settings,
    outboxes: Mapping[str, Outbox],
    prompt_id: int,
    now: Callable[[], datetime],
    finish: Callable[[Finished], Awaitable[int]],
) -> int:
    claim, lease = uuid.uuid4().hex, settings.delivery_lease
    async with unit_of_work(sessions) as session:  # read, then claimed: the claim is the transaction's one write
        recipients, message = await _compose(session=session, settings=settings, prompt_id=prompt_id, now=now)
        moment = now()
        if not await sending.claim(session=session, prompt_id=prompt_id, claim=claim, now=moment, until=moment + lease):
            return 0

    async def renew(until: datetime) -> bool:
        async with unit_of_work(sessions) as session:
            return await repo.renew_prompt(session=session, prompt_id=prompt_id, claim=claim, until=until)

    held = Claim(renew=renew, lease=lease, now=now, what=f"prompt {prompt_id}")
    try:
        outcome = await held.keep(_deliver(outboxes, recipients, message, prompt_id=prompt_id, lease=lease))
    except LeaseLost as exc:
        logger.warning("%s: this process stopped sending it", exc)
        return 0
    except asyncio.CancelledError:  # the process is stopping: give the claim back so another replica goes on
        with contextlib.suppress(Exception):
            await asyncio.wait_for(_release(sessions, prompt_id, claim, now()), 2)
        raise

    retry_at = now() + outcome.retry_in if outcome.retry_in is not None else None
    finished = Finished(prompt_id=prompt_id, claim=claim, person_id=recipients.person.id or 0,
                        platform=outcome.platform, delivery=outcome.delivery, reasons=outcome.reasons,
                        retry_at=retry_at)  # fmt: skip
    # written with the outcomes of other sends finishing meanwhile (bot/delivery/outcomes.py), tried again while
    # the database is away, the claim renewed meanwhile: a send that happened must not be sent again because its
    # outcome went unwritten
    writing = record(lambda: finish(finished), what=f"the outcome of prompt {prompt_id}",
                     within=2 * lease.total_seconds())  # fmt: skip
    return await held.keep(writing, stop_if_lost=False)


async def _release(sessions: Sessions, prompt_id: int, claim: str, at: datetime) -> None:
    async with unit_of_work(sessions) as session:
        await repo.finish_prompt(session=session, prompt_id=prompt_id, claim=claim, claimed_until=at)


async def _compose(
    *, session: Session, settings: Settings, prompt_id: int, now: Callable[[], datetime]
) -> tuple[Recipients, Message]:
    """The prompt's message, and the person as each platform knows them (plain rows: storage/sending.py)."""
    found = await sending.to_send(session=session, prompt_id=prompt_id)
    assert found is not None  # prompts are never deleted while due
    loaded = Loaded(prompt=None, interview=found.interview, person=found.person)  # type: ignore[arg-type]
    message = cards.prompt_message(
        prompt_id=prompt_id,
        title=title_of(loaded, settings, now()),
        settings=settings,
        first_time=found.person.first_prompted_at is None,
    )
    return Recipients(person=found.person, identities=found.identities), message


async def _deliver(
    outboxes: Mapping[str, Outbox], recipients: Recipients, message: Message, *, prompt_id: int,
    lease: timedelta,
) -> Outcome:  # fmt: skip
    """Try a platform the person is known on first, otherwise each enabled platform in turn."""
    order = sorted(outboxes, key=lambda name: (name not in recipients.identities, list(outboxes).index(name)))
    reasons: list[str] = []
    for platform in order:
        try:
            delivery = await outboxes[platform].send_direct(recipient=recipients.on(platform), message=message)
            return Outcome(platform=platform, delivery=delivery)
        except LeaseLost:  # stopped before its request left (bot/delivery/lease.py)
            raise
        except Undeliverable as exc:
            reasons.append(exc.reason if len(outboxes) == 1 else f"{platform}: {exc.reason}")
        except Exception as exc:  # noqa: BLE001 - an outage must not lose the prompt: release it for a retry
            if isinstance(exc, PlatformUnavailable):  # fairloop's own credentials: wait for an operator, quietly
                logger.warning(
                    "%s refuses fairloop (%s); prompt %s waits %s", platform, exc.reason, prompt_id, CONFIG_WAIT
                )
                return Outcome(retry_in=CONFIG_WAIT)
            logger.exception("sending prompt %s via %s failed; will retry", prompt_id, platform)
            return Outcome(retry_in=retry_wait(lease))
    return Outcome(reasons=tuple(reasons))


async def expire_old(*, sessions: Sessions, settings: Settings, now: datetime) -> int:
    async with unit_of_work(sessions) as session:
        return await repo.expire_prompts(session=session, sent_before=now - settings.prompt_expires)
