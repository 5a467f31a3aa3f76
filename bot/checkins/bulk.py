"""**All practices followed**, clicked by many people at once, recorded in one transaction.

The same rules as `answers.record` with every practice followed (only the prompted interviewer, not for a cancelled
interview, answering again replaces the answer and counts as a change, a prompt someone had said was not theirs
counts again), applied to a batch of clicks with a handful of statements: the prompts, people, interviews and
existing check-ins are read in one query each, and the check-ins, answers, ledger cells and prompt states written
in one each. Clicks on the same prompt in one batch are applied in the order they came.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from bot.checkins.answers import Loaded, recorded
from bot.errors import FairloopError, NotFound, PermissionDenied, UserInputError
from bot.events import ButtonClicked
from bot.ids import parse_id
from bot.messages import Message
from bot.people import resolve_people
from bot.reports import ledger
from bot.settings import Settings
from storage import activity, db
from storage import checkins as repo
from storage import interviews as interviews_repo
from storage.db import Session
from storage.models import CheckIn, Prompt, utcnow

Cell = tuple[date, str, str]


class _Ledger:
    """What the batch adds to the activity ledger, summed per cell, written at the end in two statements."""

    def __init__(self) -> None:
        self.counts: dict[Cell, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.practices: dict[tuple[date, str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, prompt: Prompt, day: date, counts: dict[str, int], practices: dict[str, dict[str, int]]) -> None:
        cell = (day, prompt.team, prompt.role)
        for name, n in counts.items():
            self.counts[cell][name] += n
        for practice, values in practices.items():
            for value, n in values.items():
                self.practices[(*cell, practice)][value] += n


async def record_all(
    *, session: Session, settings: Settings, now: datetime, clicks: Sequence[ButtonClicked]
) -> list[Message | FairloopError]:
    """Record each click as **All practices followed**; for each, the redrawn prompt or why it was refused."""
    ids = [parse_id(c.value) for c in clicks]
    prompts = await interviews_repo.prompts_by_ids(session=session, prompt_ids=[i for i in ids if i])
    people = await resolve_people(
        session=session, actors=[c.actor for c, i in zip(clicks, ids, strict=True) if i in prompts]
    )
    interviews = await interviews_repo.interviews_by_ids(
        session=session, interview_ids={p.interview_id for p in prompts.values()}
    )
    checkins = await repo.checkins_for_prompts(session=session, prompt_ids=prompts)
    given = await repo.answers_for(session=session, checkin_ids=[c.id for c in checkins.values() if c.id])
    everything = {p.key: "yes" for p in settings.practices}
    day = ledger.day_of(now, settings)
    adds, fresh, changed = _Ledger(), [], set()
    out: list[Message | FairloopError] = []
    for click, prompt_id in zip(clicks, ids, strict=True):
        prompt = prompts.get(prompt_id or 0)
        if prompt is None:
            out.append(NotFound("That check-in doesn't exist any more."))
            continue
        person = people.get((click.actor.platform, click.actor.user_id))
        if person is None or person.id != prompt.person_id:
            out.append(PermissionDenied("This check-in belongs to another interviewer, so only they can answer it."))
            continue
        if prompt.state == "cancelled" and prompt.reason != "not my interview":
            out.append(UserInputError("This interview was cancelled, so there's nothing to check in on."))
            continue
        if prompt.state == "cancelled":  # answered from a card shown before "not my interview": theirs after all
            adds.add(prompt, day, {"sent": 1}, {})
        existing = checkins.get(prompt.id or 0)
        if existing is None:
            sent = prompt.sent_at or prompt.due_at
            existing = CheckIn(prompt_id=prompt.id or 0, person_id=prompt.person_id, team=prompt.team,
                               role=prompt.role, kind="all", all_followed=True, note=None, due_at=prompt.due_at,
                               answer_seconds=max(0, int((now - sent).total_seconds())), answered_at=now)  # fmt: skip
            checkins[prompt.id or 0] = existing
            fresh.append(existing)
            adds.add(prompt, day, *ledger.answer_counts(answers=everything, all_followed=True,
                                                         seconds=existing.answer_seconds))  # fmt: skip
        else:
            before = given.get(existing.id or 0, {}) if existing.id else dict(everything)
            adds.add(prompt, day, *ledger.answer_counts(answers=everything, all_followed=True,
                                                         seconds=existing.answer_seconds, before=before,
                                                         was_all_followed=existing.all_followed))  # fmt: skip
            existing.kind, existing.all_followed, existing.note, existing.updated_at = "all", True, None, utcnow()
            if existing.id and given.get(existing.id) != everything:  # answers already all "yes" stay as they are
                changed.add(existing.id)
                given[existing.id] = dict(everything)
        if prompt.state != "answered":
            prompt.state, prompt.reason, prompt.answered_at = "answered", None, now
        interview = interviews[prompt.interview_id]
        loaded = Loaded(prompt=prompt, interview=interview, person=person)
        out.append(recorded(loaded=loaded, settings=settings, now=now, answers=everything, kind="all"))
    await db.save(session, *fresh)  # the new check-ins get their ids; the changed rows are written with them
    answers = {c.id: everything for c in fresh if c.id} | {i: everything for i in changed}
    await repo.replace_answers(session=session, answers=answers)
    await activity.add_many(session=session, counts=adds.counts, practices=adds.practices)
    return out
