"""Aggregates for compliance reporting (`fairloop export`): everyone and each team, the threshold applied."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.reports import gate, stats
from bot.reports.gate import Table
from bot.settings import Settings
from storage import reports
from storage.db import Sessions, unit_of_work

FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting with one of these

FIXED = ("scope", "period", "start", "end", "suppressed", "prompts_sent", "checkins", "response_rate",
         "all_practices_rate", "median_time_to_answer_seconds", "undeliverable")  # fmt: skip


def rows(*, table: Table, settings: Settings, period: str, teams: list[str]) -> list[dict[str, Any]]:
    """One row for everyone, then one per team (every one known, active or not); a withheld row has no figures."""
    out = []
    for team in [None, *sorted(set(teams) | set(table.teams))]:
        data = stats.compute(table=table, settings=settings, period=period, team=team, role=None).to_json()
        row = {key: data.get(key) for key in FIXED if key != "scope"}
        row["scope"] = "everyone" if team is None else f"team:{team}"
        for p in settings.practices:
            row[f"practice:{p.key}"] = data["practices"].get(p.key)
        out.append(row)
    return out


MONTHLY = ("scope", "month", "suppressed", "checkins", "all_practices_rate")


async def monthly(*, sessions: Sessions, settings: Settings) -> list[dict[str, Any]]:
    """The monthly counts kept after raw check-ins were purged (FAIRLOOP_RETENTION), as the gate publishes them."""
    async with unit_of_work(sessions) as session:
        cells = await reports.rollups(session=session)
    months: dict[str, dict[str, dict[str, tuple[int, int]]]] = {}
    for cell in cells:
        practices = months.setdefault(cell.month.isoformat()[:7], {}).setdefault(cell.team, {})
        yes, no = practices.get(cell.practice, (0, 0))
        practices[cell.practice] = (yes + cell.yes, no + cell.no)
    return gate.monthly(months, settings)


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
