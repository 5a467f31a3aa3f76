"""An attacker in the test suite: generated organisations, every figure the product offers, and a solver that
combines them. Under the gate it finds no group under k; under the rules before the gate it does."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.reports import windows
from fairloop.compose import Graph
from storage import activity
from storage.db import unit_of_work
from tests.support.attacker import Fact, solve
from tests.support.core import wired
from tests.support.legacy import legacy_facts

TEAMS = ("Tango", "Uniform", "Victor")
ROLES = ("Rigger", "Pilot", "Medic", "Scout")


@dataclass(frozen=True)
class Org:
    """What happened: (days ago, team, role, answered) for each prompt sent."""

    events: tuple[tuple[int, str, str, bool], ...]


@st.composite
def orgs(draw: st.DrawFn) -> Org:
    teams = draw(st.lists(st.sampled_from(TEAMS), min_size=1, max_size=3, unique=True))
    roles = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=4, unique=True))
    cells = [(t, r) for t in teams for r in roles if draw(st.booleans())] or [(teams[0], roles[0])]
    days = st.one_of(st.integers(1, 8), st.integers(1, 40), st.integers(1, 120))  # crowd the short windows too
    events = draw(st.lists(st.tuples(days, st.sampled_from(cells), st.booleans()), min_size=2, max_size=70))
    return Org(events=tuple((d, t, r, answered) for d, (t, r), answered in events))


# the review's examples: team × role by subtraction, and 30d − 7d a single answer apart (k = 5)
RIGGERS = Org(events=tuple([(2, "Tango", "Rigger", True)] * 5 + [(3, "Uniform", "Rigger", True)] * 2))
LATE_ONE = Org(events=tuple([(3, "Tango", "Pilot", True)] * 17 + [(20, "Tango", "Pilot", True)]))


async def publish(graph: Graph, org: Org) -> list[Fact]:
    """Load `org` into the ledger, then read every figure the product offers and what it covers."""
    end = datetime.now(UTC).date()
    async with unit_of_work(graph.sessions) as session:
        await activity.clear(session=session)
        for days_ago, team, role, answered in org.events:
            counts = {"sent": 1} | ({"answers": 1, "all_followed": 1, "t0": 1} if answered else {})
            await activity.add(session=session, day=end - timedelta(days=days_ago), team=team, role=role, counts=counts)
    table = await graph.reports.table()
    teams = sorted({t for _, t, _, _ in org.events})
    roles = sorted({r for _, _, r, _ in org.events})
    facts: list[Fact] = []
    for period in windows.PERIODS:
        for team in [None, *teams]:
            for role in [None, *roles]:
                result = await graph.reports.stats(period=period, team=team, role=role)
                facts += _facts(result.window, team, role, result.figures)
                facts += _facts(table.windows[f"previous {period}"], team, role, result.previous)
        for row in await graph.reports.export(period=period):
            if not row["suppressed"]:
                team = None if row["scope"] == "everyone" else row["scope"].removeprefix("team:")
                w = table.windows[period]
                facts.append(Fact(first=w.first, end=w.end, team=team, role=None,
                                  checkins=row["checkins"], prompts=row["prompts_sent"]))  # fmt: skip
    return sorted(set(facts), key=lambda f: (f.first, f.end, f.team or "", f.role or ""))


def _facts(w: windows.Window, team: str | None, role: str | None, figures: object) -> list[Fact]:
    if figures is None:
        return []
    return [Fact(first=w.first, end=w.end, team=team, role=role,
                 checkins=figures.checkins, prompts=figures.prompts_sent)]  # type: ignore[attr-defined]  # fmt: skip


@contextmanager
def core_on_its_own_loop(tmp_path: Path, k: int) -> Iterator[tuple[asyncio.AbstractEventLoop, Graph]]:
    """Hypothesis runs examples synchronously: the core lives on a loop of the test's own."""
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    try:
        graph = loop.run_until_complete(stack.enter_async_context(wired(tmp_path, min_group_size=k, playground=False)))
        yield loop, graph
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()


@pytest.mark.parametrize("k", [3, 5])
def test_the_gate_publishes_nothing_an_attacker_can_narrow_below_k(
    tmp_path: Path, k: int, record_property: pytest.RecordProperty
) -> None:
    checked = Counter[str]()
    with core_on_its_own_loop(tmp_path, k) as (loop, graph):

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(org=orgs())
        @example(org=RIGGERS)
        @example(org=LATE_ONE)
        def check(org: Org) -> None:
            facts = loop.run_until_complete(publish(graph, org))
            assert solve(facts, k) == []
            checked["organisations"] += 1
            checked["figures"] += len(facts)

        check()
    record_property("published figures checked", checked["figures"])
    print(f"k={k}: {checked['organisations']} organisations, {checked['figures']} published figures, no leak")
    assert checked["organisations"] >= 60 and checked["figures"] > 0


def test_the_attacker_finds_the_leaks_the_rules_before_the_gate_let_through() -> None:
    """Run against the rules before the gate (each group checked on its own, each period on its own), the same
    attacker finds groups under k: a team × role cell by subtraction, and one answer between 30d and 7d."""
    found = Counter[str]()
    end = date(2026, 11, 30)
    for org, k in ((RIGGERS, 5), (LATE_ONE, 5)):
        found.update(f.kind for f in solve(legacy_facts(org.events, end=end, k=k), k))

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(org=orgs())
    def search(org: Org) -> None:
        found.update(f.kind for f in solve(legacy_facts(org.events, end=end, k=3), 3))

    search()
    assert found["team × role"] > 0 and found["period"] > 0, found
