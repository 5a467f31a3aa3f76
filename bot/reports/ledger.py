"""What counts where: every event that a figure is made of adds to the day it happened on, in its own transaction.

A day is a day in FAIRLOOP_TIMEZONE. A prompt counts on the day it was sent, an answer on the day it was given,
a change of answer on the day it was changed. So a day that is over never changes again, and neither does any
figure for whole days that are over.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from bot.settings import Settings
from storage import activity, backfill
from storage.db import Session, Sessions, unit_of_work
from storage.models import Prompt

# upper bounds (seconds) of the time-to-answer buckets t0..t9; the last is everything longer
BUCKETS = (900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 345600)
BUCKET_NAMES = ("under 15m", "15–30m", "30m–1h", "1–2h", "2–4h", "4–8h", "8h–1d", "1–2d", "2–4d", "over 4d")


def day_of(moment: datetime, settings: Settings) -> date:
    return moment.astimezone(settings.zone).date()


def bucket(seconds: int) -> str:
    return f"t{next((i for i, edge in enumerate(BUCKETS) if seconds < edge), len(BUCKETS))}"


def _practices(answers: Mapping[str, str] | None, sign: int) -> dict[str, dict[str, int]]:
    return {key: {value: sign} for key, value in (answers or {}).items() if value in ("yes", "no", "na")}


def _merge(a: dict[str, dict[str, int]], b: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    out = {k: dict(v) for k, v in a.items()}
    for key, values in b.items():
        for value, n in values.items():
            out.setdefault(key, {})[value] = out.get(key, {}).get(value, 0) + n
    return {k: {v: n for v, n in values.items() if n} for k, values in out.items()}


async def _add(session: Session, prompt: Prompt, day: date, **kw: object) -> None:
    await activity.add(session=session, day=day, team=prompt.team, role=prompt.role, **kw)  # type: ignore[arg-type]


async def sent(*, session: Session, prompt: Prompt, day: date) -> None:
    await _add(session, prompt, day, counts={"sent": 1})


async def undeliverable(*, session: Session, prompt: Prompt, day: date, reason: str) -> None:
    await undeliverable_in(session=session, day=day, team=prompt.team, role=prompt.role, reason=reason)


async def undeliverable_in(*, session: Session, day: date, team: str, role: str, reason: str) -> None:
    await activity.add(session=session, day=day, team=team, role=role, counts={"undeliverable": 1}, reason=reason)


async def sent_in_bulk(*, session: Session, cells: Mapping[tuple[date, str, str], int]) -> None:
    """Prompts delivered, counted per day × team × role (the sends of a batch, written together)."""
    await activity.add_many(session=session, counts={cell: {"sent": n} for cell, n in cells.items()}, practices={})


async def answered(
    *,
    session: Session,
    prompt: Prompt,
    day: date,
    answers: Mapping[str, str],
    all_followed: bool,
    seconds: int,
    before: Mapping[str, str] | None = None,
    was_all_followed: bool | None = None,
) -> None:
    """A first answer (`before` is None) or a changed one (what it was is taken away, what it is now added)."""
    counts, practices = answer_counts(
        answers=answers, all_followed=all_followed, seconds=seconds, before=before, was_all_followed=was_all_followed
    )
    await _add(session, prompt, day, counts=counts, practices=practices)


def answer_counts(
    *,
    answers: Mapping[str, str],
    all_followed: bool,
    seconds: int,
    before: Mapping[str, str] | None = None,
    was_all_followed: bool | None = None,
) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """What an answer adds to its day: (counts by column, {practice: {yes|no|na: n}}), for `answered` and for
    answers recorded in bulk alike."""
    if before is None:
        return {"answers": 1, "all_followed": int(all_followed), bucket(seconds): 1}, _practices(answers, 1)
    counts = {"edits": 1, "all_followed": int(all_followed) - int(bool(was_all_followed))}
    return counts, _merge(_practices(before, -1), _practices(answers, 1))


async def withdrawn(
    *,
    session: Session,
    prompt: Prompt,
    day: date,
    answers: Mapping[str, str] | None,
    all_followed: bool,
    seconds: int,
) -> None:
    """'Not my interview': the delivered prompt no longer counts, nor its answer if it had one."""
    counts = {"unsent": 1}
    if answers is not None:
        counts |= {"withdrawals": 1, "all_followed": -int(all_followed), bucket(seconds): -1}
    await _add(session, prompt, day, counts=counts, practices=_practices(answers, -1))


async def resent(*, session: Session, prompt: Prompt, day: date) -> None:
    """A prompt someone had said was not theirs is theirs after all: it counts as delivered again."""
    await _add(session, prompt, day, counts={"sent": 1})


async def rebuild(*, sessions: Sessions, settings: Settings) -> int:
    """Count everything again from the raw rows (a check-in on the day it was answered, with its answers now):
    for data loaded in bulk, like the sample organisation. Returns the number of cells written."""
    async with unit_of_work(sessions) as session:
        return await backfill.rebuild(session=session, day_of=lambda m: day_of(m, settings), bucket_of=bucket)


async def start(*, sessions: Sessions, settings: Settings) -> bool:
    """On a database from before the ledger, count what is there once; True when it did."""
    async with unit_of_work(sessions) as session:
        if not await activity.is_empty(session=session) or not await backfill.has_raw(session=session):
            return False
    await rebuild(sessions=sessions, settings=settings)
    return True
