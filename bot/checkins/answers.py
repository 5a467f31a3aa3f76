"""Recording check-in answers: one per prompt, only by the prompted interviewer, editable."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.checkins import cards
from bot.errors import NotFound, PermissionDenied, UserInputError
from bot.events import Actor
from bot.ids import parse_id
from bot.messages import Form, Message
from bot.people import resolve_person
from bot.reports import ledger
from bot.settings import Practice, Settings
from bot.text import Text, bold, italic, text, user
from storage import checkins as repo
from storage import db
from storage import interviews as interviews_repo
from storage.db import Session
from storage.models import CheckIn, Concern, Interview, Person, Prompt

ANSWER_VALUES = ("yes", "no", "na")
MAX_NOTE = 2000


@dataclass(frozen=True, kw_only=True)
class Loaded:
    prompt: Prompt
    interview: Interview
    person: Person


async def load_for(*, session: Session, actor: Actor, prompt_value: str) -> Loaded:
    """Load a prompt for the actor; refuse anyone but the prompted interviewer."""
    prompt_id = parse_id(prompt_value)
    prompt = await interviews_repo.get_prompt(session=session, prompt_id=prompt_id) if prompt_id else None
    if prompt is None:
        raise NotFound("That check-in doesn't exist any more.")
    person = await resolve_person(session=session, actor=actor)
    if person is None or person.id != prompt.person_id:
        raise PermissionDenied("This check-in belongs to another interviewer, so only they can answer it.")
    interview = await interviews_repo.get_interview(session=session, interview_id=prompt.interview_id)
    assert interview is not None
    return Loaded(prompt=prompt, interview=interview, person=person)


def zone_of(person: Person, settings: Settings) -> ZoneInfo:
    """The person's own timezone when their platform told us a valid one, else FAIRLOOP_TIMEZONE."""
    return zone_named(person.timezone, settings)


def zone_named(name: str | None, settings: Settings) -> ZoneInfo:
    if name:
        with contextlib.suppress(KeyError, ValueError):
            return ZoneInfo(name)
    return settings.zone


def title_of(loaded: Loaded, settings: Settings, now: datetime) -> Text:
    iv = loaded.interview
    return cards.headline(
        role=iv.role,
        stage=iv.stage,
        team=iv.team,
        starts=iv.starts_at,
        ends=iv.ends_at,
        zone=zone_of(loaded.person, settings),
        now=now,
    )


def _thanks(person: Person) -> Text:
    name = (person.display_name or "").split(" ")[0]
    return text("thank you", ", " if name else "", user(name), ".")


async def record(
    *,
    session: Session,
    loaded: Loaded,
    settings: Settings,
    now: datetime,
    kind: str,
    answers: dict[str, str],
    note: str | None = None,
) -> Message:
    """Save (or replace) the check-in and return the updated message."""
    prompt = loaded.prompt
    if prompt.state == "cancelled" and prompt.reason != "not my interview":
        raise UserInputError("This interview was cancelled, so there's nothing to check in on.")
    full = {p.key: answers.get(p.key, "na") for p in settings.practices}
    all_followed = all(v in ("yes", "na") for v in full.values())
    sent = prompt.sent_at or prompt.due_at
    existing = await repo.checkin_for_prompt(session=session, prompt_id=prompt.id or 0)
    before = await repo.answers_of(session=session, checkin_id=existing.id or 0) if existing else None
    was_all_followed = existing.all_followed if existing else None  # read now: saving changes that row
    if prompt.state == "cancelled":  # answered from a card shown before "not my interview": it is theirs after all
        await ledger.resent(session=session, prompt=prompt, day=ledger.day_of(now, settings))
    row = CheckIn(
        prompt_id=prompt.id or 0,
        person_id=prompt.person_id,
        team=prompt.team,
        role=prompt.role,
        kind=kind,
        all_followed=all_followed,
        note=note or None,
        due_at=prompt.due_at,
        answer_seconds=max(0, int((now - sent).total_seconds())),
        answered_at=now,
    )
    await repo.save_checkin(session=session, checkin=row, answers=full)
    await ledger.answered(
        session=session,
        prompt=prompt,
        day=ledger.day_of(now, settings),
        answers=full,
        all_followed=all_followed,
        seconds=row.answer_seconds,
        before=before,
        was_all_followed=was_all_followed,
    )
    if prompt.state != "answered":
        prompt.state, prompt.reason, prompt.answered_at = "answered", None, now
        await db.save(session, prompt)
    return recorded(loaded=loaded, settings=settings, now=now, answers=full, kind=kind)


def recorded(*, loaded: Loaded, settings: Settings, now: datetime, answers: dict[str, str], kind: str) -> Message:
    if kind == "all":
        what = "Recorded: all practices followed"
    else:
        followed = sum(1 for v in answers.values() if v == "yes")
        applicable = sum(1 for v in answers.values() if v != "na")
        what = f"Recorded: {followed} of {applicable} practices followed"
    missed: tuple[Practice, ...] = tuple(p for p in settings.practices if answers.get(p.key) == "no")
    return cards.recorded_message(
        prompt_id=loaded.prompt.id or 0,
        title=title_of(loaded, settings, now),
        summary=text("✅ ", bold(what), " — ", _thanks(loaded.person)),
        tips=missed,
        settings=settings,
    )


async def not_mine(*, session: Session, loaded: Loaded, settings: Settings, now: datetime) -> Message:
    """Not the interviewer's interview: drop any answer and leave the prompt out of the figures."""
    prompt = loaded.prompt
    if prompt.state in ("sent", "answered", "expired"):  # delivered, so it counted: it no longer does
        existing = await repo.checkin_for_prompt(session=session, prompt_id=prompt.id or 0)
        given = await repo.answers_of(session=session, checkin_id=existing.id or 0) if existing else None
        await ledger.withdrawn(
            session=session,
            prompt=prompt,
            day=ledger.day_of(now, settings),
            answers=given,
            all_followed=bool(existing and existing.all_followed),
            seconds=existing.answer_seconds if existing else 0,
        )
    await repo.delete_checkin(session=session, prompt_id=prompt.id or 0)
    prompt.state, prompt.reason, prompt.answered_at = "cancelled", "not my interview", None
    await db.save(session, prompt)
    return cards.recorded_message(
        prompt_id=prompt.id or 0,
        title=title_of(loaded, settings, now),
        summary=text(
            "Noted: ", bold("not your interview"), " — it won't count towards anything. Thanks for telling us."
        ),
        tips=(),
        settings=settings,
    )


async def reopen(*, session: Session, loaded: Loaded, settings: Settings, now: datetime) -> Message:
    """Show the question again; the recorded answer stays until a new one replaces it."""
    prompt = loaded.prompt
    existing = await repo.checkin_for_prompt(session=session, prompt_id=prompt.id or 0)
    status = italic("Your current answer stays recorded until you pick a new one.") if existing else text()
    if prompt.state == "cancelled" and prompt.reason == "not my interview":
        prompt.state, prompt.reason = "sent", None
        await db.save(session, prompt)
        await ledger.resent(session=session, prompt=prompt, day=ledger.day_of(now, settings))
    return cards.prompt_message(
        prompt_id=prompt.id or 0, title=title_of(loaded, settings, now), settings=settings, status=status
    )


async def detail_form(
    *, session: Session, loaded: Loaded, settings: Settings, now: datetime, initial: dict[str, str] | None = None
) -> Form:
    """The detailed form, filled in with the recorded answer (or with `initial`, what was just entered)."""
    existing = await repo.checkin_for_prompt(session=session, prompt_id=loaded.prompt.id or 0)
    note = (existing.note or "") if existing else ""
    if initial is None:
        initial = await repo.answers_of(session=session, checkin_id=existing.id) if existing and existing.id else {}
    else:
        note = initial.get("note", "")[:MAX_NOTE]
    return cards.detail_form(
        prompt_id=loaded.prompt.id or 0,
        title=title_of(loaded, settings, now),
        settings=settings,
        initial=initial,
        note=note,
    )


def validate_detail(values: dict[str, str], settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """-> (answers, errors). Every practice needs yes/no/n.a.; the note is optional and bounded."""
    answers: dict[str, str] = {}
    errors: dict[str, str] = {}
    for p in settings.practices:
        value = (values.get(p.key) or "").strip().lower()
        if value not in ANSWER_VALUES:
            errors[p.key] = "Pick yes, no or not applicable."
        else:
            answers[p.key] = value
    if len(values.get("note") or "") > MAX_NOTE:
        errors["note"] = "Keep the note under 2,000 characters."
    return answers, errors


async def raise_concern(*, session: Session, loaded: Loaded, text: str, now: datetime) -> Concern:
    concern = Concern(
        prompt_id=loaded.prompt.id,
        reporter_id=loaded.person.id,
        team=loaded.prompt.team,
        role=loaded.prompt.role,
        text=text,
        created_at=now,
        updated_at=now,
    )
    await db.save(session, concern)
    return concern


async def snooze(*, session: Session, loaded: Loaded, settings: Settings, now: datetime, when: datetime) -> Message:
    """ "Remind me later" on the reminder: one more, at `when`; the card says so and keeps its answers."""
    prompt = loaded.prompt
    if prompt.state != "sent":
        raise UserInputError("This check-in is already settled, so there's nothing to remind you about.")
    prompt.snoozed_until = when
    await db.save(session, prompt)
    return cards.prompt_message(
        prompt_id=prompt.id or 0,
        title=title_of(loaded, settings, now),
        settings=settings,
        reminder=True,
        status=italic(f"Okay — I'll bring this back on {when:%A at %H:%M}, once. Or answer now whenever it suits you."),
    )
