"""Aggregates for compliance reporting (`fairloop export`): everyone and each team, the threshold applied."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from bot.reports import stats
from bot.reports.privacy import publishable
from bot.settings import Settings
from storage import reports
from storage import stats as q
from storage.db import Sessions, unit_of_work

FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting with one of these

FIXED = ("scope", "period", "start", "end", "suppressed", "prompts_sent", "checkins", "response_rate",
         "all_practices_rate", "median_time_to_answer_seconds", "undeliverable")  # fmt: skip


async def rows(*, sessions: Sessions, settings: Settings, now: datetime, period: str) -> list[dict[str, Any]]:
    """One row for everyone, then one per team; a suppressed row carries no figures."""
    async with unit_of_work(sessions) as session:
        teams = await q.distinct_values(session=session, column="team")
        out = []
        for team in [None, *teams]:
            result = await stats.compute(session=session, settings=settings, now=now, period=period, team=team)
            data = result.to_json()
            row = {key: data.get(key) for key in FIXED if key != "scope"}
            row["scope"] = "everyone" if team is None else f"team:{team}"
            for p in settings.practices:
                row[f"practice:{p.key}"] = data["practices"].get(p.key)
            out.append(row)
    return out


MONTHLY = ("scope", "month", "suppressed", "checkins", "all_practices_rate")


async def monthly(*, sessions: Sessions, settings: Settings) -> list[dict[str, Any]]:
    """The monthly counts kept after raw check-ins were purged (FAIRLOOP_RETENTION), the threshold applied:
    per month everyone, then each team; a hidden team (or one that would give a hidden one away) has no figures."""
    async with unit_of_work(sessions) as session:
        cells = await reports.rollups(session=session)
    months: dict[str, dict[str, dict[str, tuple[int, int]]]] = {}
    for cell in cells:
        practices = months.setdefault(cell.month.isoformat()[:7], {}).setdefault(cell.team, {})
        yes, no = practices.get(cell.practice, (0, 0))
        practices[cell.practice] = (yes + cell.yes, no + cell.no)
    out: list[dict[str, Any]] = []
    keys = [p.key for p in settings.practices]
    for month, teams in sorted(months.items()):
        counts = {team: cells[""][0] for team, cells in teams.items() if "" in cells}
        shown = publishable(counts, settings.min_group_size)
        everyone: dict[str, tuple[int, int]] = {}
        for cells_of_team in teams.values():
            for key, (yes, no) in cells_of_team.items():
                total = everyone.get(key, (0, 0))
                everyone[key] = (total[0] + yes, total[1] + no)
        rows = [("everyone", everyone, sum(counts.values()) >= settings.min_group_size)]
        rows += [(f"team:{team}", teams[team], team in shown) for team in sorted(teams)]
        for scope, cells_of, visible in rows:
            checkins, followed = cells_of.get("", (0, 0))
            row: dict[str, Any] = {"scope": scope, "month": month, "suppressed": not visible}
            row["checkins"] = checkins if visible else None
            row["all_practices_rate"] = round(followed / checkins, 4) if visible and checkins else None
            for key in keys:
                yes, no = cells_of.get(key, (0, 0))
                row[f"practice:{key}"] = round(yes / (yes + no), 4) if visible and yes + no else None
            out.append(row)
    return out


def render(data: list[dict[str, Any]], fmt: str, fixed: tuple[str, ...] = FIXED) -> str:
    if fmt == "json":
        return json.dumps({"rows": data}, indent=2)
    buffer = io.StringIO()
    columns = list(fixed) + [k for k in (data[0] if data else {}) if k.startswith("practice:")]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in data:
        writer.writerow({k: cell(row.get(k)) for k in columns})
    return buffer.getvalue()


def cell(value: Any) -> Any:
    """A CSV cell: empty for no figure; a team or role name that a spreadsheet would read as a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA):
        return "'" + value
    return value
