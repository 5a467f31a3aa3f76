"""The daily activity ledger: counts added to in the event's own transaction, and summed by slices of days."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import case, delete, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.counts import Activity, ActivityPractice, ActivityReason
from storage.models import Setting

COUNTS = ("sent", "unsent", "undeliverable", "answers", "withdrawals", "edits", "all_followed") + tuple(
    f"t{i}" for i in range(10)
)


def _insert(session: AsyncSession, model: Any) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


async def _add(session: AsyncSession, model: Any, keys: dict[str, Any], counts: Mapping[str, int]) -> None:
    """INSERT the cell or add `counts` to it: one statement, safe when replicas add to the same cell at once."""
    if not any(counts.values()):
        return
    table = model.__table__
    statement = _insert(session, model).values(**keys, **{name: counts.get(name, 0) for name in _columns(model)})
    statement = statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name, n in counts.items() if n},
    )
    await session.exec(statement)  # type: ignore[call-overload]


def _columns(model: Any) -> tuple[str, ...]:
    return {Activity: COUNTS, ActivityPractice: ("yes", "no", "na"), ActivityReason: ("n",)}[model]


async def add(
    *,
    session: AsyncSession,
    day: date,
    team: str,
    role: str,
    counts: Mapping[str, int] | None = None,
    practices: Mapping[str, Mapping[str, int]] | None = None,
    reason: str | None = None,
) -> None:
    """Add to one day's counts for a team × role: `counts` by column, `practices` as {practice: {yes|no|na: n}},
    and one more undeliverable `reason`."""
    keys = {"day": day, "team": team, "role": role}
    await _add(session, Activity, keys, counts or {})
    for practice, values in (practices or {}).items():
        await _add(session, ActivityPractice, {**keys, "practice": practice}, values)
    if reason:
        await _add(session, ActivityReason, {**keys, "reason": reason[:300]}, {"n": 1})


Cell = tuple[date, str, str]  # day, team, role


async def add_many(
    *,
    session: AsyncSession,
    counts: Mapping[Cell, Mapping[str, int]],
    practices: Mapping[tuple[date, str, str, str], Mapping[str, int]],
) -> None:
    """`add` for many cells at once: one statement per table, whatever the number of cells (clicks recorded
    together add to a few cells many times over)."""
    for model, rows in (
        (Activity, [{"day": d, "team": t, "role": r, **_all(Activity, c)} for (d, t, r), c in counts.items()]),
        (
            ActivityPractice,
            [{"day": d, "team": t, "role": r, "practice": p, **_all(ActivityPractice, c)}
             for (d, t, r, p), c in practices.items()],
        ),
    ):  # fmt: skip
        rows = [row for row in rows if any(row[name] for name in _columns(model))]
        if not rows:
            continue
        await (await session.connection()).execute(_upsert(session, model), rows)  # Core: the ORM adds nothing here


_UPSERTS: dict[tuple[str, Any], Any] = {}


def _upsert(session: AsyncSession, model: Any) -> Any:
    """INSERT a cell or add to it, over many rows: built once per dialect and table (building it per batch cost
    more than running it)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    statement = _UPSERTS.get((dialect, model))
    if statement is None:
        table, statement = model.__table__, _insert(session, model)
        keys = ["day", "team", "role"] + (["practice"] if model is ActivityPractice else [])
        statement = _UPSERTS[(dialect, model)] = statement.on_conflict_do_update(
            index_elements=keys, set_={name: table.c[name] + statement.excluded[name] for name in _columns(model)}
        )
    return statement


def _all(model: Any, counts: Mapping[str, int]) -> dict[str, int]:
    return {name: counts.get(name, 0) for name in _columns(model)}


@dataclass(frozen=True, kw_only=True)
class Slice:
    """The summed counts of one team × role over one slice of days (slice i: starts[i] <= day < starts[i-1])."""

    slice: int
    team: str
    role: str
    counts: dict[str, int]


def _slice_of(day_column: Any, starts: Sequence[date]) -> Any:
    return case(*((day_column >= start, i) for i, start in enumerate(starts)), else_=-1)


async def slices(*, session: AsyncSession, starts: Sequence[date], end: date) -> list[Slice]:
    """Counts per (slice, team, role) for days in [starts[-1], end); `starts` are descending slice starts."""
    which = _slice_of(col(Activity.day), starts)
    stmt = (
        select(which, Activity.team, Activity.role, *(func.sum(getattr(Activity, c)) for c in COUNTS))
        .where(col(Activity.day) >= starts[-1], col(Activity.day) < end)
        .group_by(which, Activity.team, Activity.role)
    )
    return [
        Slice(slice=int(row[0]), team=row[1], role=row[2], counts=dict(zip(COUNTS, map(int, row[3:]), strict=True)))
        for row in await session.exec(stmt)  # type: ignore[call-overload]
    ]


async def practice_slices(
    *, session: AsyncSession, starts: Sequence[date], end: date
) -> list[tuple[int, str, str, str, int, int, int]]:
    """(slice, team, role, practice, yes, no, na) summed over each slice."""
    which = _slice_of(col(ActivityPractice.day), starts)
    stmt = (
        select(
            which,
            ActivityPractice.team,
            ActivityPractice.role,
            ActivityPractice.practice,
            func.sum(ActivityPractice.yes),
            func.sum(ActivityPractice.no),
            func.sum(ActivityPractice.na),
        )
        .where(col(ActivityPractice.day) >= starts[-1], col(ActivityPractice.day) < end)
        .group_by(which, ActivityPractice.team, ActivityPractice.role, ActivityPractice.practice)
    )
    return [(int(s), t, r, p, int(y), int(n), int(na)) for s, t, r, p, y, n, na in await session.exec(stmt)]  # type: ignore[call-overload]


async def reason_slices(
    *, session: AsyncSession, starts: Sequence[date], end: date
) -> list[tuple[int, str, str, str, int]]:
    """(slice, team, role, reason, n) summed over each slice."""
    which = _slice_of(col(ActivityReason.day), starts)
    stmt = (
        select(which, ActivityReason.team, ActivityReason.role, ActivityReason.reason, func.sum(ActivityReason.n))
        .where(col(ActivityReason.day) >= starts[-1], col(ActivityReason.day) < end)
        .group_by(which, ActivityReason.team, ActivityReason.role, ActivityReason.reason)
    )
    return [(int(s), t, r, why, int(n)) for s, t, r, why, n in await session.exec(stmt)]  # type: ignore[call-overload]


async def is_empty(*, session: AsyncSession) -> bool:
    return (await session.exec(select(func.count()).select_from(Activity))).one() == 0


GENERATION = "activity.generation"


async def mark(*, session: AsyncSession, before: date) -> tuple[int, int, int, int]:
    """Something that changes whenever any count for a day before `before` does: (generation, rows, last id,
    all counts). The generation moves whenever days are rewritten wholesale (a rebuild, a purge)."""
    total = sum(getattr(Activity, c) for c in ("sent", "unsent", "undeliverable", "answers", "withdrawals", "edits"))
    row = (
        await session.exec(
            select(func.count(), func.max(Activity.id), func.sum(total)).where(col(Activity.day) < before)  # type: ignore[arg-type]
        )
    ).one()
    generation = await session.get(Setting, GENERATION)
    return int(generation.value) if generation else 0, int(row[0]), int(row[1] or 0), int(row[2] or 0)


async def rewritten(*, session: AsyncSession) -> None:
    """Say that days were rewritten wholesale, so anything worked out from them is worked out again."""
    row = await session.get(Setting, GENERATION) or Setting(key=GENERATION, value="0")
    row.value = str(int(row.value) + 1)
    session.add(row)
    await session.flush()


async def clear(*, session: AsyncSession) -> None:
    """Forget every count (before a rebuild, or a test's fresh start)."""
    for model in (Activity, ActivityPractice, ActivityReason):
        await session.exec(delete(model))  # type: ignore[call-overload]
    await rewritten(session=session)
