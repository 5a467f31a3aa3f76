"""Interactions: buttons, forms and commands from people on any platform, each answered with a Reply."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar

from bot import concerns
from bot.batching import Batcher
from bot.checkins import answers, bulk, cards
from bot.clock import Clock
from bot.delivery.mornings import next_morning
from bot.delivery.service import Delivery
from bot.errors import FairloopError, PermissionDenied, UserInputError
from bot.events import ButtonClicked, CommandIssued, FormSubmitted
from bot.feedback import anonymous
from bot.feedback.service import Feedback
from bot.interactions import admin, commands
from bot.people import resolve_person
from bot.replies import Reply, notice
from bot.reports.format import as_message
from bot.reports.home import REMINDERS_OFF, REMINDERS_ON
from bot.reports.service import Reports
from bot.settings import Settings
from storage import db
from storage.db import Conflict, Session, Sessions, unit_of_work
from storage.people import claim_keys

logger = logging.getLogger(__name__)
After = tuple[Callable[[], Awaitable[None]], ...]
E = TypeVar("E")
MAX_CONCERN = 3000


class Interactions:
    def __init__(
        self,
        *,
        sessions: Sessions,
        settings: Settings,
        clock: Clock,
        reports: Reports,
        delivery: Delivery,
        feedback: Feedback,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._reports = reports
        self._delivery = delivery
        self._feedback = feedback
        self._all_followed = Batcher(self._record_all_followed)

    # ---- buttons ----
    async def on_button(self, event: ButtonClicked, *, defer: bool = False, lazy: bool = False) -> Reply:
        """Record a click. Redrawing the prompt elsewhere than where it was clicked runs before this returns, or
        with `defer` comes back in `Reply.after`, for the adapter to run once it has acknowledged the click. With
        `lazy`, the message that replaces the clicked one may come as `Reply.draw`, to build when it is shown."""
        try:
            if event.action_id == cards.ALL:  # the one-click answer: recorded with whoever else clicked meanwhile
                reply = await self._all_followed(event)
            else:
                reply = await _retry_once(self._button, event)
        except FairloopError as exc:
            return Reply(notice=notice(exc.text))
        if reply.draw is not None and not (lazy and event.in_place):
            reply = replace(reply, message=reply.draw(), draw=None)
        if not event.in_place and reply.message is not None and event.action_id.startswith("checkin."):
            redraw = partial(self._delivery.redraw, prompt_value=event.value, message=reply.message)
            if defer:
                return replace(reply, after=(redraw,))
            await redraw()
        return reply

    async def _record_all_followed(self, events: Sequence[ButtonClicked]) -> list[Reply | FairloopError]:
        """**All practices followed** for a batch of clicks, in one transaction (bot/checkins/bulk.py). If the
        transaction fails as a whole (another replica recorded one of these prompts a moment ago), each click is
        recorded on its own, as any other button is."""
        try:
            async with unit_of_work(self._sessions) as session:
                done = await bulk.record_all(session=session, settings=self._settings, now=self._clock(), clicks=events)
        except Exception:  # noqa: BLE001 - the clicks are not lost: each is tried again alone, below
            logger.info("recording %d click(s) together failed; recording each alone", len(events), exc_info=True)
            return [await self._alone(e) for e in events]
        return [Reply() if m is None else m if isinstance(m, FairloopError) else Reply(draw=m) for m in done]

    async def _alone(self, event: ButtonClicked) -> Reply | FairloopError:
        try:
            return await _retry_once(self._button, event)
        except FairloopError as exc:
            return exc

    async def _button(self, event: ButtonClicked) -> Reply:
        if event.action_id in (REMINDERS_OFF, REMINDERS_ON):
            async with unit_of_work(self._sessions) as session:
                if await _replayed(session, event):
                    return Reply()
                person = await resolve_person(session=session, actor=event.actor)
                if person is None:
                    raise UserInputError("I don't know you yet: you'll appear after your first check-in.")
                person.reminders = event.action_id == REMINDERS_ON
                await db.save(session, person)
            return Reply(message=await self._reports.me(person))
        now, s = self._clock(), self._settings
        async with unit_of_work(self._sessions) as session:
            if await _replayed(session, event):
                return Reply()
            if event.action_id in (concerns.ACK, concerns.RESOLVE):
                if not concerns.may_handle(s, event.actor):
                    raise PermissionDenied(concerns.ONLY_ADMINS)
                concern = await concerns.act(
                    session=session, action_id=event.action_id, value=event.value, actor=event.actor, now=now
                )
                title = await concerns.title_for(session=session, prompt_id=concern.prompt_id, settings=s, now=now)
                return Reply(message=await concerns.alert_message(session=session, concern=concern, title=title))
            loaded = await answers.load_for(session=session, actor=event.actor, prompt_value=event.value)
            match event.action_id:
                case cards.ALL:
                    everything = {p.key: "yes" for p in s.practices}
                    message = await answers.record(
                        session=session, loaded=loaded, settings=s, now=now, kind="all", answers=everything
                    )
                    return Reply(message=message)
                case cards.DETAIL:
                    return Reply(form=await answers.detail_form(session=session, loaded=loaded, settings=s, now=now))
                case cards.CONCERN:
                    title = answers.title_of(loaded, s, now)
                    return Reply(form=cards.concern_form(prompt_id=loaded.prompt.id or 0, title=title))
                case cards.NOT_MINE:
                    return Reply(message=await answers.not_mine(session=session, loaded=loaded, settings=s, now=now))
                case cards.LATER:
                    when = next_morning(now, answers.zone_of(loaded.person, s))
                    message = await answers.snooze(session=session, loaded=loaded, settings=s, now=now, when=when)
                    return Reply(message=message)
                case cards.CHANGE:
                    return Reply(message=await answers.reopen(session=session, loaded=loaded, settings=s, now=now))
        raise UserInputError("That button isn't something I know how to handle.")

    # ---- forms ----
    async def on_form(self, event: FormSubmitted, *, defer: bool = False) -> Reply:
        """Validate and record a form. The slow follow-ups (redrawing the prompt in place, alerting the DEI
        channel) run before this returns, or with `defer` come back in `Reply.after` for the adapter to run
        once it has answered the platform (Slack closes a modal only if answered within 3 s)."""
        try:
            reply, after = await _retry_once(self._form, event)
        except FairloopError as exc:
            return Reply(notice=notice(exc.text))
        if defer:
            return replace(reply, after=after)
        for work in after:
            await work()
        return reply

    async def _form(self, event: FormSubmitted) -> tuple[Reply, After]:
        if event.form_id == anonymous.FORM_ID:  # never touches the actor: nothing about the sender is kept
            return await self._feedback.submit_anonymous(event.values), ()
        if event.form_id == cards.DETAIL:
            return await self._detail(event)
        if event.form_id == cards.CONCERN:
            return await self._concern(event)
        raise UserInputError("That form isn't something I know how to handle.")

    async def _detail(self, event: FormSubmitted) -> tuple[Reply, After]:
        now, s = self._clock(), self._settings
        async with unit_of_work(self._sessions) as session:
            loaded = await answers.load_for(session=session, actor=event.actor, prompt_value=event.context)
            given, errors = answers.validate_detail(event.values, s)
            if errors:  # the form comes back with what was entered, for platforms that redraw it
                entered = {**given, "note": event.values.get("note") or ""}
                form = await answers.detail_form(session=session, loaded=loaded, settings=s, now=now, initial=entered)
                return Reply(errors=errors, form=form), ()
            note = (event.values.get("note") or "").strip()
            updated = await answers.record(
                session=session, loaded=loaded, settings=s, now=now, kind="detail", answers=given, note=note
            )
        redraw = partial(self._delivery.redraw, prompt_value=event.context, message=updated)
        thanks = notice("Recorded — thank you. Your note stays private to you.")
        return Reply(notice=thanks, message=updated), (redraw,)

    async def _concern(self, event: FormSubmitted) -> tuple[Reply, After]:
        now, s = self._clock(), self._settings
        async with unit_of_work(self._sessions) as session:
            loaded = await answers.load_for(session=session, actor=event.actor, prompt_value=event.context)
            said = (event.values.get("text") or "").strip()
            problem = "Tell us briefly what happened." if not said else ""
            if len(said) > MAX_CONCERN:
                problem = "Keep it under 3,000 characters."
            title = answers.title_of(loaded, s, now)
            if problem:
                form = cards.concern_form(prompt_id=loaded.prompt.id or 0, title=title, text_so_far=said[:MAX_CONCERN])
                return Reply(errors={"text": problem}, form=form), ()
            concern = await answers.raise_concern(session=session, loaded=loaded, text=said, now=now)
            alert = await concerns.alert_message(session=session, concern=concern, title=title)
        thanks = notice("Thank you for speaking up. The DEI team will follow up with you.")
        return Reply(notice=thanks), (partial(self._delivery.post_alert, alert),)

    # ---- commands ----
    async def on_command(self, event: CommandIssued) -> Reply:
        """The private answer to `help`, `why`, `stats`, `me`, `feedback`, `goals` and the admin commands."""
        try:
            return await self._command(event)
        except FairloopError as exc:
            return Reply(message=notice(exc.text))

    async def _command(self, event: CommandIssued) -> Reply:
        words = event.text.strip().split()
        sub = words[0].lower().lstrip("/") if words else "help"
        match sub:
            case "help":
                return Reply(message=commands.help_message())
            case "why":
                return Reply(message=commands.why_message(self._settings))
            case "stats":
                query = commands.parse_stats(words[1:])
                result = await self._reports.stats(period=query.period, team=query.team, role=query.role)
                return Reply(message=as_message(result, self._settings))
            case "me":
                async with unit_of_work(self._sessions) as session:
                    person = await resolve_person(session=session, actor=event.actor)
                if person is None:
                    return Reply(
                        message=notice("I don't have a record for you yet — it starts with your first check-in.")
                    )
                return Reply(message=await self._reports.me(person))
            case "feedback":
                return Reply(form=self._feedback.anonymous_form())
            case "goals":
                return Reply(message=await self._reports.goals())
            case _ if sub in commands.ADMIN_ONLY:
                return await admin.handle(
                    sub=sub, args=words[1:], actor=event.actor, settings=self._settings, sessions=self._sessions,
                    delivery=self._delivery,
                )  # fmt: skip
        return Reply(message=commands.help_message(unknown=sub))


async def _replayed(session: Session, event: ButtonClicked) -> bool:
    """Whether the click's request was seen before (claimed here otherwise, in the transaction that records it)."""
    return bool(event.delivery) and not (await claim_keys(session=session, keys=[event.delivery], replay=True))[0]


async def _retry_once(fn: Callable[[E], Awaitable[Any]], event: E) -> Any:
    """Two simultaneous clicks can race to insert the same check-in; the loser retries as an update."""
    try:
        return await fn(event)
    except Conflict:
        logger.info("a simultaneous answer to the same check-in won; this one is applied as an update")
        return await fn(event)
