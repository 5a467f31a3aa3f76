"""The core's one entry point for adapters and jobs: events in, replies out, prompts dispatched."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from bot import (
    anonymous,
    cards,
    chat,
    checkins,
    commands,
    concerns,
    digests,
    dispatch,
    feedback,
    intake,
    reminders,
    retention,
    stats,
    trend,
)
from bot.config import Digest
from bot.errors import FairloopError, PermissionDenied, UserInputError
from bot.events import Actor, ButtonClicked, CommandIssued, FormSubmitted
from bot.home import home_message
from bot.ids import parse_id
from bot.messages import Context, Form, Message
from bot.ports import Outbox
from bot.replies import Reply, notice
from bot.settings import Settings
from bot.tokens import Signer
from storage import reports
from storage.db import Sessions, unit_of_work
from storage.interviews import get_prompt
from storage.models import Interview, Prompt, utcnow
from storage.people import claim_key, get_channel, get_or_create_person, release_key, save_channel, save_identity

logger = logging.getLogger(__name__)


class Core:
    def __init__(
        self, *, settings: Settings, sessions: Sessions, signer: Signer, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.signer = signer
        self.clock = clock
        self.outboxes: dict[str, Outbox] = {}

    # ---- events from people ----
    async def on_button(self, event: ButtonClicked) -> Reply:
        try:
            reply = await self._retry_once(self._button, event)
        except FairloopError as exc:
            return Reply(notice=notice(str(exc)))
        if not event.in_place and reply.message is not None and event.action_id.startswith("checkin."):
            await self.redraw(prompt_value=event.value, message=reply.message)
        return reply

    async def _button(self, event: ButtonClicked) -> Reply:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            if event.action_id in (commands.REMINDERS_OFF, commands.REMINDERS_ON):
                person = await checkins.resolve_person(session=session, actor=event.actor)
                if person is None:
                    raise UserInputError("I don't know you yet: you'll appear after your first check-in.")
                person.reminders = event.action_id == commands.REMINDERS_ON
                session.add(person)
                return Reply(
                    message=await commands.me_message(session=session, person=person, settings=self.settings, now=now)
                )
            if event.action_id in (concerns.ACK, concerns.RESOLVE):
                if not concerns.may_handle(self.settings, event.actor):
                    raise PermissionDenied(concerns.ONLY_ADMINS)
                concern = await concerns.act(
                    session=session, action_id=event.action_id, value=event.value, actor=event.actor, now=now
                )
                title = await concerns.title_for(
                    session=session, prompt_id=concern.prompt_id, settings=self.settings, now=now
                )
                return Reply(message=await concerns.alert_message(session=session, concern=concern, title=title))
            loaded = await checkins.load_for(session=session, actor=event.actor, prompt_value=event.value)
            s = self.settings
            match event.action_id:
                case cards.ALL:
                    answers = {p.key: "yes" for p in s.practices}
                    msg = await checkins.record(
                        session=session, loaded=loaded, settings=s, now=now, kind="all", answers=answers
                    )
                    return Reply(message=msg)
                case cards.DETAIL:
                    return Reply(form=await checkins.detail_form(session=session, loaded=loaded, settings=s, now=now))
                case cards.CONCERN:
                    title = checkins.title_of(loaded, s, now).replace("*", "")
                    return Reply(form=cards.concern_form(prompt_id=loaded.prompt.id or 0, title=title))
                case cards.NOT_MINE:
                    return Reply(message=await checkins.not_mine(session=session, loaded=loaded, settings=s, now=now))
                case cards.LATER:
                    zone = reminders.zone_of(loaded.person, s)
                    when = reminders.next_morning(now, zone)
                    return Reply(
                        message=await checkins.snooze(session=session, loaded=loaded, settings=s, now=now, when=when)
                    )
                case cards.CHANGE:
                    return Reply(message=await checkins.reopen(session=session, loaded=loaded, settings=s, now=now))
        raise UserInputError("That button isn't something I know how to handle.")

    async def on_form(self, event: FormSubmitted, *, defer: bool = False) -> Reply:
        """Validate and record a form. The slow follow-ups (redrawing the prompt in place, alerting the DEI
        channel) run before this returns, or with `defer` come back in `Reply.after` for the adapter to run
        once it has answered the platform (Slack closes a modal only if answered within 3 s)."""
        try:
            reply, after = await self._retry_once(self._form, event)
        except FairloopError as exc:
            return Reply(notice=notice(str(exc)))
        if defer:
            return replace(reply, after=after)
        for work in after:
            await work()
        return reply

    async def redraw(self, *, prompt_value: str, message: Message) -> None:
        """Put `message` in place of the delivered prompt `prompt_value` (after a form, or a click elsewhere)."""
        prompt_id = parse_id(prompt_value)
        if prompt_id is None:
            return
        async with unit_of_work(self.sessions) as session:
            prompt = await get_prompt(session=session, prompt_id=prompt_id)
        if prompt is not None:
            await self._update_delivered(prompt, message)

    async def _form(self, event: FormSubmitted) -> tuple[Reply, tuple[Callable[[], Awaitable[None]], ...]]:
        now = self.clock()
        if event.form_id == anonymous.FORM_ID:  # never touches the actor: nothing about the sender is kept
            return await anonymous.submit(sessions=self.sessions, values=event.values, day=self.today()), ()
        updated: Message | None = None
        alert: Message | None = None
        async with unit_of_work(self.sessions) as session:
            loaded = await checkins.load_for(session=session, actor=event.actor, prompt_value=event.context)
            if event.form_id == cards.DETAIL:
                answers, errors = checkins.validate_detail(event.values, self.settings)
                if errors:  # the form comes back with what was entered, for platforms that redraw it
                    title = checkins.title_of(loaded, self.settings, now).replace("*", "")
                    form = cards.detail_form(
                        prompt_id=loaded.prompt.id or 0,
                        title=title,
                        settings=self.settings,
                        initial=answers,
                        note=(event.values.get("note") or "")[:2000],
                    )
                    return Reply(errors=errors, form=form), ()
                note = (event.values.get("note") or "").strip()
                updated = await checkins.record(
                    session=session,
                    loaded=loaded,
                    settings=self.settings,
                    now=now,
                    kind="detail",
                    answers=answers,
                    note=note,
                )
                thanks = notice("Recorded — thank you. Your note stays private to you.")
            elif event.form_id == cards.CONCERN:
                text = (event.values.get("text") or "").strip()
                problem = (
                    "Tell us briefly what happened."
                    if not text
                    else "Keep it under 3,000 characters."
                    if len(text) > 3000
                    else ""
                )
                if problem:
                    title = checkins.title_of(loaded, self.settings, now).replace("*", "")
                    form = cards.concern_form(prompt_id=loaded.prompt.id or 0, title=title)
                    return Reply(errors={"text": problem}, form=form), ()
                concern = await checkins.raise_concern(session=session, loaded=loaded, text=text, now=now)
                title = checkins.title_of(loaded, self.settings, now)
                alert = await concerns.alert_message(session=session, concern=concern, title=title)
                thanks = notice("Thank you for speaking up. The DEI team will follow up with you.")
            else:
                raise UserInputError("That form isn't something I know how to handle.")
        after: list[Callable[[], Awaitable[None]]] = []
        if updated is not None:
            after.append(partial(self.redraw, prompt_value=event.context, message=updated))
        if alert is not None:
            after.append(partial(self._post_alert, alert))
        return Reply(notice=thanks, message=updated), tuple(after)

    async def _post_alert(self, alert: Message) -> None:
        await concerns.post_alert(settings=self.settings, outboxes=self.outboxes, alert=alert)

    def today(self) -> date:
        return self.clock().astimezone(self.settings.zone).date()

    async def _update_delivered(self, prompt: Prompt, message: Message) -> None:
        """Redraw the prompt's own message where it was delivered (after a form, or a click elsewhere)."""
        outbox = self.outboxes.get(prompt.platform or "")
        if outbox is None or not (prompt.conversation and prompt.message_id):
            return
        try:
            await outbox.update(conversation=prompt.conversation, message_id=prompt.message_id, message=message)
        except Exception:  # noqa: BLE001 - the answer is recorded; a stale card is not worth an error
            logger.warning("could not update prompt %s in place", prompt.id, exc_info=True)

    async def on_command(self, event: CommandIssued) -> Reply:
        try:
            return await chat.answer(core=self, event=event)
        except FairloopError as exc:
            return Reply(message=notice(str(exc)))

    async def digest(self, name: str | None, *, now: datetime | None = None) -> digests.Built:
        """A declared digest (or, with no name and none declared, a joint 7-day one) as it would post now."""
        return await digests.prepare(
            sessions=self.sessions, settings=self.settings, signer=self.signer, name=name, now=now or self.clock()
        )

    async def gauges(self) -> dict[str, dict[str, int]]:
        async with unit_of_work(self.sessions) as session:
            return await reports.gauges(session=session)

    async def trend(self, *, end: datetime) -> list[trend.Point]:
        async with unit_of_work(self.sessions) as session:
            return await trend.weekly(session=session, end=end, k=self.settings.min_group_size)

    async def send_digest(self, name: str | None) -> Digest:
        """Post a digest to its channel now."""
        built = await self.digest(name)
        outbox = self.outboxes.get(built.spec.platform)
        if outbox is None:
            raise UserInputError(
                f"The digest {built.spec.name!r} posts to {built.spec.platform}, which isn't connected here."
            )
        await outbox.post_channel(channel=built.spec.channel, message=built.message)
        logger.info("digest %s sent to %s %s", built.spec.name, built.spec.platform, built.spec.channel)
        return built.spec

    async def send_scheduled_digest(self, name: str, *, due: datetime) -> bool:
        """Post the digest for its scheduled time `due` unless that time is claimed already (by this process,
        another replica, or the hour repeated when clocks go back). A failed post gives the claim back."""
        spec = self.settings.digest(name)
        if spec is None:
            return False
        key = f"digest:{spec.name}:{due.astimezone(ZoneInfo(spec.timezone)).replace(tzinfo=None).isoformat()}"
        if not await self.first_time(key):
            return False
        try:
            await self.send_digest(name)
        except Exception:
            async with unit_of_work(self.sessions) as session:
                await release_key(session=session, key=key)
            raise
        return True

    async def home(self, actor: Actor) -> Message:
        async with unit_of_work(self.sessions) as session:
            return await home_message(session=session, actor=actor, settings=self.settings, now=self.clock())

    # ---- identities and channels (adapters call these) ----
    async def remember_person(self, actor: Actor, address: Mapping[str, Any]) -> None:
        async with unit_of_work(self.sessions) as session:
            if actor.email:
                person = await get_or_create_person(session=session, email=actor.email)
            else:
                person = await checkins.resolve_person(session=session, actor=actor)
                if person is None:
                    return
            if actor.display_name:
                person.display_name = actor.display_name
            if actor.timezone:
                person.timezone = actor.timezone
            session.add(person)
            await save_identity(
                session=session,
                person_id=person.id or 0,
                platform=actor.platform,
                user_id=actor.user_id,
                address=address,
            )

    async def remember_channel(self, *, platform: str, name: str, address: Mapping[str, Any]) -> None:
        async with unit_of_work(self.sessions) as session:
            await save_channel(session=session, platform=platform, name=name, address=address)

    async def channel_address(self, platform: str, name: str) -> Mapping[str, Any] | None:
        """The address stored for a channel registered under `name` (None when there is none)."""
        async with unit_of_work(self.sessions) as session:
            channel = await get_channel(session=session, platform=platform, name=name)
            return dict(channel.address) if channel is not None else None

    async def first_time(self, key: str) -> bool:
        async with unit_of_work(self.sessions) as session:
            return await claim_key(session=session, key=key)

    # ---- intake, stats, jobs ----
    async def ingest(self, data: Any) -> list[dict[str, Any]]:
        items = intake.validate_batch(data)
        return await self.ingest_valid(items)

    async def ingest_valid(self, items: list[intake.InterviewIn], *, describe: bool = True) -> list[dict[str, Any]]:
        """Upsert validated interviews; with `describe`, answer in the webhook's shape."""
        async with unit_of_work(self.sessions) as session:
            ids = await intake.upsert_interviews(session=session, items=items, prompt_delay=self.settings.prompt_delay)
            if not describe:
                return [{"id": i} for i in ids]
            return await intake.describe_many(session=session, interview_ids=ids, feedback_url=self.feedback_url)

    def feedback_url(self, interview: Interview | int) -> str:
        """The candidate's feedback link; for an interview it is stable and its 30 days run from the end."""
        if isinstance(interview, int):
            return f"{self.settings.base_url}/f/{self.signer.feedback_token(interview)}"
        token = self.signer.feedback_token(interview.id or 0, issued_at=interview.ends_at)
        return f"{self.settings.base_url}/f/{token}"

    # ---- candidate feedback (the emailed link) ----
    async def candidate_form(self, token: str) -> Form:
        """The form behind a feedback link; raises NotFound (expired/invalid) or feedback.AlreadyUsed."""
        return await feedback.candidate_form(sessions=self.sessions, signer=self.signer, token=token)

    async def submit_candidate(self, token: str, values: Mapping[str, str]) -> Reply:
        """Store an answer once per link: Reply.errors with the form as entered, or Reply.notice to thank."""
        day = self.clock().astimezone(self.settings.zone).date()
        return await feedback.submit_candidate(
            sessions=self.sessions, signer=self.signer, token=token, values=values, day=day
        )

    async def stats(self, *, period: str = "30d", team: str | None = None, role: str | None = None) -> stats.Stats:
        async with unit_of_work(self.sessions) as session:
            return await stats.compute(
                session=session, settings=self.settings, now=self.clock(), period=period, team=team, role=role
            )

    async def dispatch_due(self, limit: int = 200) -> int:
        return await dispatch.dispatch_due(
            sessions=self.sessions, settings=self.settings, outboxes=self.outboxes, now=self.clock, limit=limit
        )

    async def send_reminders(self) -> int:
        return await reminders.send_reminders(
            sessions=self.sessions, settings=self.settings, outboxes=self.outboxes, now=self.clock
        )

    async def purge(self, *, daily: bool = False) -> dict[str, int]:
        return await retention.purge(sessions=self.sessions, settings=self.settings, now=self.clock(), daily=daily)

    async def expire_old(self) -> int:
        return await dispatch.expire_old(sessions=self.sessions, settings=self.settings, now=self.clock())

    async def _retry_once(self, fn: Callable[[Any], Any], event: Any) -> Any:
        """Two simultaneous clicks can race to insert the same check-in; the loser retries as an update."""
        try:
            return await fn(event)
        except IntegrityError:
            return await fn(event)


__all__ = ["Core", "Context"]
