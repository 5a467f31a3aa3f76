"""Reports: the one service that publishes figures — stats, digests, goals, trend charts, exports, home and gauges —
each read from the disclosure gate's table for today."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from bot.clock import Clock
from bot.config import Digest
from bot.errors import NotFound, UserInputError
from bot.events import Actor
from bot.messages import Message
from bot.reports import digests, export, gate, goals, home, stats, trend, windows
from bot.reports.gate import Table
from bot.settings import Settings
from bot.tokens import Signer
from storage import activity, reports
from storage import stats as q
from storage.db import Sessions, unit_of_work
from storage.models import Person


class Reports:
    def __init__(self, *, sessions: Sessions, settings: Settings, clock: Clock, signer: Signer) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._signer = signer
        self._tables: dict[date, tuple[tuple[int, int, int], Table]] = {}  # worked out once a day, not per question

    def today(self, now: datetime | None = None) -> date:
        return windows.today(now or self._clock(), self._settings.zone)

    async def table(self, *, end: date | None = None) -> Table:
        """What the gate publishes on the day `end` (today): every figure of every window that ends there.

        The days before `end` are over, so the table is worked out once and kept while their counts stay the
        same (they change only when the ledger is rebuilt, or a purge removes old days)."""
        end = end or self.today()
        async with unit_of_work(self._sessions) as session:
            mark = await activity.mark(session=session, before=end)
            cached = self._tables.get(end)
            if cached is not None and cached[0] == mark:
                return cached[1]
            table = await gate.table(session=session, settings=self._settings, end=end)
        self._tables = {**{day: kept for day, kept in self._tables.items() if day >= end}, end: (mark, table)}
        return table

    async def stats(self, *, period: str = "30d", team: str | None = None, role: str | None = None) -> stats.Stats:
        if period not in windows.PERIODS:
            raise UserInputError(f"I don't know the period {period!r}; try 7d, 30d, 90d or quarter.")
        table = await self.table()
        team = await self._name("team", team, table.teams)
        role = await self._name("role", role, table.roles)
        return stats.compute(table=table, settings=self._settings, period=period, team=team, role=role)

    async def _name(self, column: Literal["team", "role"], wanted: str | None, counted: tuple[str, ...]) -> str | None:
        """The name as stored, whatever the case it is asked in: one the ledger counts, else one any prompt has
        (read only then: it scans every prompt)."""
        if wanted is None or any(v.lower() == wanted.strip().lower() for v in counted):
            return stats.canonical(counted, column, wanted)
        async with unit_of_work(self._sessions) as session:
            stored = await q.distinct_values(session=session, column=column)
        return stats.canonical(sorted(set(stored) | set(counted)), column, wanted)

    async def digest(self, spec: Digest, *, now: datetime | None = None, with_chart: bool = False) -> Message:
        """`spec`'s digest as it would post at `now`; with a chart image when the channel can show it."""
        moment = now or self._clock()
        table = await self.table(end=self.today(moment))
        chart = self.chart_url(spec, table.end) if with_chart else None
        async with unit_of_work(self._sessions) as session:
            return await digests.build(
                session=session, settings=self._settings, digest=spec, table=table, now=moment, chart=chart
            )

    def chart_url(self, spec: Digest, end: date) -> str:
        return f"{self._settings.base_url}/charts/{self._signer.chart_token(spec.name, end)}.png"

    async def chart(self, token: str) -> tuple[list[trend.Point], date]:
        """The weekly trend behind a chart URL, as published on its day; NotFound for a token that isn't ours
        (or that has expired)."""
        name, end = self._signer.read_chart_token(token)
        if self._settings.digest(name) is None and name != "sync":
            raise NotFound("There is no chart here.")
        return trend.weekly(await self.table(end=end), self._settings.zone), end

    async def goals(self) -> Message:
        table = await self.table()
        async with unit_of_work(self._sessions) as session:
            return await goals.goals_message(session=session, settings=self._settings, table=table)

    async def export(self, *, period: str) -> list[dict[str, Any]]:
        if period not in windows.PERIODS:
            raise UserInputError(f"I don't know the period {period!r}; try 7d, 30d, 90d or quarter.")
        async with unit_of_work(self._sessions) as session:
            teams = await q.distinct_values(session=session, column="team")
        return export.rows(table=await self.table(), settings=self._settings, period=period, teams=teams)

    async def monthly(self) -> list[dict[str, Any]]:
        return await export.monthly(sessions=self._sessions, settings=self._settings)

    async def home(self, actor: Actor) -> Message:
        table = await self.table()
        async with unit_of_work(self._sessions) as session:
            return await home.home_message(
                session=session, actor=actor, settings=self._settings, now=self._clock(), table=table
            )

    async def me(self, person: Person) -> Message:
        async with unit_of_work(self._sessions) as session:
            return await home.me_message(session=session, person=person, settings=self._settings, now=self._clock())

    async def gauges(self) -> dict[str, dict[str, int]]:
        """Counts for monitoring, as the gate allows: prompts by delivery state, concerns by status."""
        async with unit_of_work(self._sessions) as session:
            return gate.gauges(await reports.gauges(session=session))
