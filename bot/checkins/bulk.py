"""**All practices followed**, clicked by many people at once, recorded in one transaction.

The same rules as `answers.record` with every practice followed (only the prompted interviewer, not for a cancelled
interview, answering again replaces the answer and counts as a change, a prompt someone had said was not theirs
counts again), applied to a batch of clicks with a handful of statements: the prompts with their interviews and
check-ins, the people and the answers so far are read in one query each, as plain rows (storage/clicks.py), and the
check-ins, answers, ledger cells and prompt states written in one statement each. Clicks on the same prompt in one
batch are applied in the order they came.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any

from bot.checkins.answers import Loaded, recorded
from bot.errors import FairloopError, NotFound, PermissionDenied, UserInputError
from bot.events import Actor, ButtonClicked
from bot.ids import parse_id
from bot.messages import Message
from bot.people import resolve_people
from bot.reports import ledger
from bot.settings import Settings
from storage import activity
from storage import checkins as repo
from storage import clicks as rows
from storage.db import Session
from storage.models import utcnow
from storage.people import claim_keys

Cell = tuple[date, str, str]


class _Ledger:
    """What the batch adds to the activity ledger, summed per cell, written at the end in two statements."""

    def __init__(self) -> None:
        self.counts: dict[Cell, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.practices: dict[tuple[date, str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, cell: Cell, counts: dict[str, int], practices: dict[str, dict[str, int]]) -> None:
        for name, n in counts.items():
            self.counts[cell][name] += n
        for practice, values in practices.items():
            for value, n in values.items():
                self.practices[(*cell, practice)][value] += n


@dataclass
class _Answer:
    """A prompt's check-in as the batch goes: in the database (`id`) or to be inserted at the end (None)."""

    id: int | None
    all_followed: bool
    seconds: int


async def _people(session: Session, actors: Sequence[Actor]) -> dict[tuple[str, str], Any]:
    """The person behind each actor, as plain rows; anyone new, or whose name changed, through resolve_people."""
    out: dict[tuple[str, str], Any] = {}
    for platform in {a.platform for a in actors}:
        found = await rows.clickers(session=session, platform=platform,
                                      user_ids={a.user_id for a in actors if a.platform == platform})  # fmt: skip
        out.update({(platform, user_id): person for user_id, person in found.items()})
    odd = [a for a in actors if (p := out.get((a.platform, a.user_id))) is None
           or (a.display_name and p.display_name != a.display_name)]  # fmt: skip
    if odd:
        for key, person in (await resolve_people(session=session, actors=odd)).items():
            out[key] = rows.Clicker(person.id, person.display_name, person.timezone) if person else None
    return out


async def record_all(
    *, session: Session, settings: Settings, now: datetime, clicks: Sequence[ButtonClicked]
) -> list[Callable[[], Message] | FairloopError | None]:
    """Record each click as **All practices followed**; for each, how to draw the redrawn prompt (built when it is
    shown: a redraw overtaken by a later one is never built), why it was refused, or None for a request seen
    before (its `delivery` claimed already: a replay, acknowledged and ignored)."""
    claimed = iter(await claim_keys(session=session, keys=[c.delivery for c in clicks if c.delivery], replay=True))
    new = [not c.delivery or next(claimed) for c in clicks]
    done = iter(await _record(session=session, settings=settings, now=now,
                              clicks=[c for c, n in zip(clicks, new, strict=True) if n]))  # fmt: skip
    return [next(done) if n else None for n in new]


async def _record(
    *, session: Session, settings: Settings, now: datetime, clicks: Sequence[ButtonClicked]
) -> list[Callable[[], Message] | FairloopError]:
    ids = [parse_id(c.value) for c in clicks]
    targets = await rows.targets(session=session, prompt_ids=[i for i in ids if i])
    people = await _people(session, [c.actor for c, i in zip(clicks, ids, strict=True) if i in targets])
    answered = {t.id: _Answer(t.checkin_id, bool(t.all_followed), t.answer_seconds or 0)
                for t in targets.values() if t.checkin_id is not None}  # fmt: skip
    given = await repo.answers_for(session=session, checkin_ids=[a.id for a in answered.values() if a.id])
    states = {t.id: (t.state, t.reason) for t in targets.values()}
    everything = {p.key: "yes" for p in settings.practices}
    day = ledger.day_of(now, settings)
    adds, fresh, changed, edited, newly = _Ledger(), {}, set(), set(), set()
    out: list[Message | FairloopError] = []
    for click, prompt_id in zip(clicks, ids, strict=True):
        target = targets.get(prompt_id or 0)
        if target is None:
            out.append(NotFound("That check-in doesn't exist any more."))
            continue
        person = people.get((click.actor.platform, click.actor.user_id))
        if person is None or person.id != target.person_id:
            out.append(PermissionDenied("This check-in belongs to another interviewer, so only they can answer it."))
            continue
        state, reason = states[target.id]
        if state == "cancelled" and reason != "not my interview":
            out.append(UserInputError("This interview was cancelled, so there's nothing to check in on."))
            continue
        cell = (day, target.team, target.role)
        if state == "cancelled":  # answered from a card shown before "not my interview": theirs after all
            adds.add(cell, {"sent": 1}, {})
        existing = answered.get(target.id)
        if existing is None:
            sent = target.sent_at or target.due_at
            existing = answered[target.id] = _Answer(None, True, max(0, int((now - sent).total_seconds())))
            fresh[target.id] = {"prompt_id": target.id, "person_id": target.person_id, "team": target.team,
                                "role": target.role, "kind": "all", "all_followed": True, "note": None,
                                "answer_seconds": existing.seconds, "due_at": target.due_at, "answered_at": now,
                                "updated_at": utcnow()}  # fmt: skip
            adds.add(cell, *ledger.answer_counts(answers=everything, all_followed=True, seconds=existing.seconds))
        else:
            before = given.get(existing.id, {}) if existing.id else dict(everything)
            adds.add(cell, *ledger.answer_counts(answers=everything, all_followed=True, seconds=existing.seconds,
                                                 before=before, was_all_followed=existing.all_followed))  # fmt: skip
            existing.all_followed = True
            if existing.id:
                edited.add(existing.id)
                if given.get(existing.id) != everything:  # answers already all "yes" stay as they are
                    changed.add(existing.id)
                    given[existing.id] = dict(everything)
        if state != "answered":
            states[target.id] = ("answered", None)
            newly.add(target.id)
        loaded = Loaded(prompt=target, interview=target.interview, person=person)  # type: ignore[arg-type]
        out.append(partial(recorded, loaded=loaded, settings=settings, now=now, answers=everything, kind="all"))
    inserted = await rows.insert_checkins(session=session, rows=list(fresh.values()))
    await rows.mark_all_followed(session=session, checkin_ids=edited, at=utcnow())
    await rows.mark_answered(session=session, prompt_ids=newly, at=now)
    answers = {i: everything for i in inserted.values()} | {i: everything for i in changed}
    await repo.replace_answers(session=session, answers=answers)
    await activity.add_many(session=session, counts=adds.counts, practices=adds.practices)
    return out
