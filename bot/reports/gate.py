"""The disclosure gate: the one place that decides which figures may leave fairloop, whatever the surface.

For a day (today), the gate works out every figure the product offers — each period (7d, 30d, 90d, quarter), the
period before each, and the trend chart's eight weeks; for everyone, each team, each role and each team × role —
from the activity ledger's days that are over. Then it withholds figures until nothing a reader could work out
from any combination of those that remain describes fewer than k people.

Why that holds: every published figure is a sum over atoms (a team × role × run of days). Atoms that belong to
exactly the same published figures form a class; any number derived from published figures (a difference, a
partition, any combination) is a sum over whole classes. So if every class holds no one or at least k people
(k prompts and k answer events), every derived number does too. The gate withholds the figures that cost least
until that is true of every class. Days that are over never change (see ledger.py), so neither do the figures.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.reports import windows
from bot.reports.privacy import publishable
from bot.reports.windows import Window
from bot.settings import Settings
from storage import activity
from storage.db import Session

Group = tuple[str | None, str | None]  # (team, role); None is any
EVERYONE: Group = (None, None)
KIND_WEIGHT = {"everyone": 1000, "team": 100, "role": 40, "cell": 10}  # what withholding a figure costs


@dataclass(frozen=True, kw_only=True)
class Figures:
    prompts_sent: int
    checkins: int
    response_rate: float | None
    all_practices_rate: float | None
    practices: dict[str, float | None]
    median_bucket: int | None  # which of the ledger's time-to-answer buckets the median falls in
    undeliverable: int
    undeliverable_reasons: dict[str, int]


@dataclass
class Sums:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(activity.COUNTS, 0))
    practices: dict[str, list[int]] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)

    def add(self, other: Sums) -> None:
        for key, n in other.counts.items():
            self.counts[key] += n
        for key, (y, n, na) in other.practices.items():
            mine = self.practices.setdefault(key, [0, 0, 0])
            mine[0], mine[1], mine[2] = mine[0] + y, mine[1] + n, mine[2] + na
        for key, n in other.reasons.items():
            self.reasons[key] = self.reasons.get(key, 0) + n

    @property
    def people(self) -> tuple[int, int]:
        """(prompt events, answer events): what must be none or at least k in anything a reader can work out."""
        c = self.counts
        return c["sent"] + c["unsent"] + c["undeliverable"], c["answers"] + c["withdrawals"] + c["edits"]


@dataclass(frozen=True, kw_only=True)
class Table:
    """Every figure that may be published on the day `end` starts, by (window name, group)."""

    end: date
    windows: dict[str, Window]
    published: dict[tuple[str, Group], Figures]
    teams: tuple[str, ...]
    roles: tuple[str, ...]

    def figures(self, window: str, team: str | None = None, role: str | None = None) -> Figures | None:
        return self.published.get((window, (team, role)))


def _kind(group: Group) -> str:
    team, role = group
    if team is None:
        return "everyone" if role is None else "role"
    return "team" if role is None else "cell"


def _weight(window: str, group: Group) -> float:
    base = KIND_WEIGHT[_kind(group)]
    return base * (1.0 if window in windows.PERIODS else 0.3 if window.startswith("week") else 0.5)


def all_windows(end: date) -> dict[str, Window]:
    found = {name: windows.current(name, end=end) for name in windows.PERIODS}
    found |= {f"previous {name}": windows.previous(w) for name, w in list(found.items())}
    found |= {w.name: w for w in windows.weeks(end=end)}
    return found


async def table(*, session: Session, settings: Settings, end: date) -> Table:
    """The figures that may be published on the day `end` (everything before it is over)."""
    spans = all_windows(end)
    starts = sorted({w.first for w in spans.values()} | {w.end for w in spans.values() if w.end < end}, reverse=True)
    bounds = [end, *starts]  # slice i is [starts[i], bounds[i])
    atoms: dict[tuple[int, str, str], Sums] = defaultdict(Sums)
    for row in await activity.slices(session=session, starts=starts, end=end):
        atoms[(row.slice, row.team, row.role)].counts = row.counts
    for s, t, r, practice, yes, no, na in await activity.practice_slices(session=session, starts=starts, end=end):
        atoms[(s, t, r)].practices[practice] = [yes, no, na]
    for s, t, r, reason, n in await activity.reason_slices(session=session, starts=starts, end=end):
        atoms[(s, t, r)].reasons[reason] = n
    covering = {
        i: [name for name, w in spans.items() if w.first <= starts[i] and bounds[i] <= w.end]
        for i in range(len(starts))
    }
    ids: dict[tuple[str, Group], int] = {}
    members: dict[tuple[int, str, str], frozenset[int]] = {}
    sums: dict[int, Sums] = defaultdict(Sums)
    for (s, team, role), atom in sorted(atoms.items()):
        mine = set()
        for name in covering.get(s, []):
            groups = [EVERYONE] if name.startswith("week") else [EVERYONE, (team, None), (None, role), (team, role)]
            for group in groups:
                key = (name, group)
                mine.add(ids.setdefault(key, len(ids)))
                sums[ids[key]].add(atom)
        members[(s, team, role)] = frozenset(mine)
    keys = {i: key for key, i in ids.items()}
    k = settings.min_group_size
    shown = {i for i, total in sums.items() if total.counts["answers"] - total.counts["withdrawals"] >= k}
    shown = _suppress(shown, members, atoms, keys, k)
    published = {keys[i]: _figures(sums[i], settings) for i in sorted(shown)}
    return Table(
        end=end,
        windows=spans,
        published=published,
        teams=tuple(sorted({t for _, t, _ in atoms})),
        roles=tuple(sorted({r for _, _, r in atoms})),
    )


def _suppress(
    shown: set[int],
    members: dict[tuple[int, str, str], frozenset[int]],
    atoms: dict[tuple[int, str, str], Sums],
    keys: dict[int, tuple[str, Group]],
    k: int,
) -> set[int]:
    """Withhold figures until every class of atoms (same published figures) holds no one or at least k."""
    shown = set(shown)
    weight = {i: _weight(*keys[i]) for i in keys}
    while True:
        classes: dict[frozenset[int], list[int]] = defaultdict(lambda: [0, 0])
        for atom, mine in members.items():
            signature = mine & shown
            if signature:
                prompts, events = atoms[atom].people
                total = classes[signature]
                total[0], total[1] = total[0] + prompts, total[1] + events
        small = sorted((sorted(sig), sig) for sig, (p, e) in classes.items() if 0 < p < k or 0 < e < k)
        if not small:
            return shown
        _, lonely = small[0]
        options = [(sum(weight[i] for i in lonely), sorted(lonely), lonely)]  # withhold all it is in
        for other in classes:
            if other != lonely:
                apart = lonely ^ other
                options.append((sum(weight[i] for i in apart), sorted(apart), apart))
        _, _, withhold = min(options)
        shown -= withhold


def _rate(num: int, den: int, k: int) -> float | None:
    return round(min(1.0, num / den), 4) if den >= k and den > 0 else None


def _figures(total: Sums, settings: Settings) -> Figures:
    k, c = settings.min_group_size, total.counts
    sent, checkins = c["sent"] - c["unsent"], c["answers"] - c["withdrawals"]
    practices = {
        p.key: _rate(yes, yes + no, k)
        for p in settings.practices
        for yes, no, _ in [total.practices.get(p.key, [0, 0, 0])]
    }
    times = [c[f"t{i}"] for i in range(10)]
    median = None
    if sum(times) >= k:
        half, running = (sum(times) + 1) // 2, 0
        for i, n in enumerate(times):
            running += n
            if running >= half:
                median = i
                break
    reasons = {r: n for r, n in sorted(total.reasons.items()) if n >= k}
    return Figures(
        prompts_sent=sent,
        checkins=checkins,
        response_rate=_rate(checkins, sent, k),
        all_practices_rate=_rate(c["all_followed"], checkins, k),
        practices=practices,
        median_bucket=median,
        undeliverable=c["undeliverable"],
        undeliverable_reasons=reasons,
    )


def gauges(raw: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """What /metrics may show: prompts by delivery state and concerns by status, across everyone. Answered is
    folded into delivered, so a scrape can't date any one person's answer; nothing about feedback at all."""
    prompts: dict[str, int] = {}
    for state, n in raw.get("prompts", {}).items():
        shown = "delivered" if state in ("sent", "answered", "expired") else state
        prompts[shown] = prompts.get(shown, 0) + n
    return {"prompts": prompts, "concerns": dict(raw.get("concerns", {}))}


def monthly(months: dict[str, dict[str, dict[str, tuple[int, int]]]], settings: Settings) -> list[dict[str, Any]]:
    """The monthly counts kept after retention, per month for everyone and each team ({month: {team: {practice:
    (yes, no)}}}, practice "" holding (check-ins, all followed)). Within a month the figures nest (everyone, then
    teams), so hiding the teams under k and, with them, the smallest until the hidden ones hold k or none
    (privacy.publishable) leaves nothing to work out; rates need k answers behind them."""
    k, keys, out = settings.min_group_size, [p.key for p in settings.practices], []
    for month, teams in sorted(months.items()):
        counts = {team: cells[""][0] for team, cells in teams.items() if "" in cells}
        shown = publishable(counts, k)
        everyone: dict[str, tuple[int, int]] = {}
        for cells_of_team in teams.values():
            for key, (yes, no) in cells_of_team.items():
                total = everyone.get(key, (0, 0))
                everyone[key] = (total[0] + yes, total[1] + no)
        rows = [("everyone", everyone, sum(counts.values()) >= k)]
        rows += [(f"team:{team}", teams[team], team in shown) for team in sorted(teams)]
        for scope, cells_of, visible in rows:
            checkins, followed = cells_of.get("", (0, 0))
            row: dict[str, Any] = {"scope": scope, "month": month, "suppressed": not visible}
            row["checkins"] = checkins if visible else None
            row["all_practices_rate"] = _rate(followed, checkins, k) if visible else None
            for key in keys:
                yes, no = cells_of.get(key, (0, 0))
                row[f"practice:{key}"] = _rate(yes, yes + no, k) if visible else None
            out.append(row)
    return out
