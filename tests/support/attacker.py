"""An attacker who reads every published figure and combines them: differences of nested figures and what is left
of a figure once the published parts inside it are taken away. A finding is a group of people smaller than k
(but not empty) whose count the attacker can work out exactly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import combinations


@dataclass(frozen=True, kw_only=True)
class Fact:
    """A published figure: a window of days for everyone, a team, a role or a team × role, and its counts."""

    first: date
    end: date
    team: str | None
    role: str | None
    checkins: int
    prompts: int

    @property
    def where(self) -> str:
        group = " · ".join(x for x in (f"team {self.team}" if self.team is not None else "",
                                       f"role {self.role}" if self.role is not None else "") if x) or "everyone"  # fmt: skip
        return f"{group} {self.first:%d %b}–{self.end:%d %b}"


@dataclass(frozen=True, kw_only=True)
class Finding:
    kind: str  # "team × role", "period", "partition" or "published"
    how: str
    size: int


def contains(a: Fact, b: Fact) -> bool:
    """Every person counted in `b` is counted in `a` (and they are not the same figure)."""
    return (
        a != b
        and a.first <= b.first
        and b.end <= a.end
        and (a.team is None or a.team == b.team)
        and (a.role is None or a.role == b.role)
    )


def disjoint(a: Fact, b: Fact) -> bool:
    apart_in_time = a.end <= b.first or b.end <= a.first
    apart_in_team = a.team is not None and b.team is not None and a.team != b.team
    apart_in_role = a.role is not None and b.role is not None and a.role != b.role
    return apart_in_time or apart_in_team or apart_in_role


def _kind(a: Fact, b: Fact) -> str:
    if (a.first, a.end) != (b.first, b.end):
        return "period"
    return "team × role" if (a.team is None) != (b.team is None) or (a.role is None) != (b.role is None) else "group"


def _small(n: int, k: int) -> bool:
    return 0 < n < k


def solve(facts: list[Fact], k: int, *, max_parts: int = 6) -> list[Finding]:
    """Every group under k the attacker can work out from `facts`."""
    found: list[Finding] = []
    for f in facts:
        for n in (f.checkins, f.prompts):
            if _small(n, k):
                found.append(Finding(kind="published", how=f.where, size=n))
    for a in facts:
        inside = [b for b in facts if contains(a, b)]
        for b in inside:  # a difference: a's people not in b
            for n in (a.checkins - b.checkins, a.prompts - b.prompts):
                if _small(n, k):
                    found.append(Finding(kind=_kind(a, b), how=f"{a.where} minus {b.where}", size=n))
        # a partition: what is left of a once published parts that do not overlap are taken away
        for parts in _families(a, inside):
            for size in range(2, min(len(parts), max_parts) + 1):
                for chosen in combinations(parts, size):
                    if not all(disjoint(x, y) for x, y in combinations(chosen, 2)):
                        continue
                    for n in (
                        a.checkins - sum(p.checkins for p in chosen),
                        a.prompts - sum(p.prompts for p in chosen),
                    ):
                        if _small(n, k):
                            how = f"{a.where} minus " + " and ".join(p.where for p in chosen)
                            found.append(Finding(kind="partition", how=how, size=n))
    return found


def _families(a: Fact, inside: list[Fact]) -> list[list[Fact]]:
    """The ways to cut `a` into parts: by team, by role, or by runs of days."""
    same_days = [b for b in inside if (b.first, b.end) == (a.first, a.end)]
    by_team = [b for b in same_days if a.team is None and b.team is not None and b.role == a.role]
    by_role = [b for b in same_days if a.role is None and b.role is not None and b.team == a.team]
    by_days = [b for b in inside if (b.team, b.role) == (a.team, a.role)]
    return [f for f in (by_team, by_role, by_days) if len(f) >= 2]
