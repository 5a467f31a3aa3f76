"""Aggregates for compliance reporting (`fairloop export`): everyone and each team, the threshold applied."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from bot import stats
from bot.settings import Settings
from storage import stats as q
from storage.db import Sessions, unit_of_work

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


def render(data: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"rows": data}, indent=2)
    buffer = io.StringIO()
    columns = list(FIXED) + [k for k in (data[0] if data else {}) if k.startswith("practice:")]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in data:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in columns})
    return buffer.getvalue()
