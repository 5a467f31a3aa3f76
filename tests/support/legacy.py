"""The disclosure rules as they were before the gate (bot/stats.py `_visible` until November 2026), for the
attacker test to show what they let through: each period on its own, a team checked among teams, a role among
the roles of its team and across teams, but never the team within the role."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from bot.reports import windows
from bot.reports.privacy import publishable
from tests.support.attacker import Fact

Event = tuple[int, str, str, bool]  # days ago, team, role, answered


def legacy_facts(events: Iterable[Event], *, end: date, k: int) -> list[Fact]:
    """Every figure the old rules published for windows ending at `end` (and the period before each)."""
    events = list(events)
    teams = sorted({t for _, t, _, _ in events})
    roles = sorted({r for _, _, r, _ in events})
    facts = []
    for period in windows.PERIODS:
        current = windows.current(period, end=end)
        for w in (current, windows.previous(current)):
            inside = [e for e in events if w.first <= end - timedelta(days=e[0]) < w.end]
            for team in [None, *teams]:
                for role in [None, *roles]:
                    if _visible(inside, team, role, k):
                        chosen = [e for e in inside if team in (None, e[1]) and role in (None, e[2])]
                        facts.append(Fact(first=w.first, end=w.end, team=team, role=role,
                                          checkins=sum(e[3] for e in chosen), prompts=len(chosen)))  # fmt: skip
    return facts


def _counts(events: list[Event], by: int, team: str | None = None) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for e in events:
        if e[3] and (team is None or e[1] == team):
            out[e[by]] += 1
    return out


def _visible(events: list[Event], team: str | None, role: str | None, k: int) -> bool:
    if sum(e[3] for e in events) < k:
        return False
    if team is not None and team not in publishable(_counts(events, 1), k):
        return False
    if role is not None:
        if role not in publishable(_counts(events, 2, team), k):
            return False
        if team is not None and role not in publishable(_counts(events, 2), k):
            return False
    return True
