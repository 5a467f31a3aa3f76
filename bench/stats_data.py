"""Benchmark 3's data: N check-ins written fast into the schema the real migrations create, shaped like a company's."""

# Four teams with a few roles each, panels of four interviewers, 75% of prompts answered, answers per practice
# (yes/no/n.a.), 75% of check-ins due within the last 90 days and the rest over the year before. Figures cover whole
# days before today, so the CLI and the SQL baseline agree unless midnight falls between them (the run checks).

from __future__ import annotations

import math
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from bench import stats_sql
from bench.pg import dsn
from bot.reports import ledger
from bot.settings import DEFAULT_PRACTICES, Settings
from storage import db

TEAMS = {
    "Platform": ("Backend Engineer", "Site Reliability Engineer", "Engineering Manager"),
    "Data": ("Data Scientist", "Data Engineer", "Analytics Engineer"),
    "Design": ("Product Designer", "UX Researcher"),
    "Sales": ("Account Executive", "Sales Engineer", "Customer Success Manager"),
}
PRACTICES = tuple(p.key for p in DEFAULT_PRACTICES)
OTHER = {"sent": 0.04, "expired": 0.14, "undeliverable": 0.04, "cancelled": 0.03}  # the 25% not answered
REASONS = ("not in Slack (no user with this email) (users_not_found)", "Slack account deactivated (user_disabled)")
PANEL, CHUNK = 4, 10_000  # interviewers per interview; interviews per transaction
DAY = 86400.0

COLUMNS = {
    "person": ("id", "email", "display_name", "timezone", "reminders", "first_prompted_at", "created_at"),
    "interview": ("id", "external_id", "role", "team", "stage", "starts_at", "ends_at", "candidate_ref", "status",
                  "created_at", "updated_at"),
    "prompt": ("id", "interview_id", "person_id", "state", "due_at", "team", "role", "platform", "conversation",
               "message_id", "reason", "claim", "claimed_until", "attempts", "sent_at", "reminded_at",
               "snoozed_until", "answered_at", "created_at"),
    "checkin": ("id", "prompt_id", "person_id", "team", "role", "kind", "all_followed", "note", "answer_seconds",
                "due_at", "answered_at", "updated_at"),
    "checkinanswer": ("id", "checkin_id", "practice", "value"),
}  # fmt: skip


async def rebuild_derived(url: str, *, zone: str) -> int:
    """Count the raw rows into the daily activity ledger, as fairloop does for data loaded in bulk (the app adds to
    it in the transaction that records each event; this generator writes raw rows behind its back). Cells written."""
    engine = db.make_engine(url)
    try:
        settings = Settings(timezone=zone, min_group_size=stats_sql.K)
        return await ledger.rebuild(sessions=db.make_sessions(engine), settings=settings)
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Generated:
    checkins: int
    prompts: int
    interviews: int
    people: int
    answers: int
    rows_seconds: float
    derived_seconds: float
    cells: int  # day × team × role cells in the ledger


def _age(rnd: random.Random) -> float:
    """Seconds before `now` an interview's prompt fell due: 75% within 90 days, the rest over the year before."""
    return rnd.uniform(0, 90 * DAY) if rnd.random() < 0.75 else rnd.uniform(90 * DAY, 450 * DAY)


def _rows(n: int, now: datetime, ts: Callable[[datetime], Any], *, seed: int) -> Iterator[dict[str, list[tuple]]]:
    """Rows for each table, a chunk of interviews at a time, oldest first (ids grow with time as in real life)."""
    rnd = random.Random(seed)
    prompts = math.ceil(n / 0.75)
    states = ["answered"] * n + [s for s, share in OTHER.items() for _ in range(round(prompts * share))]
    states += ["expired"] * (prompts - len(states))
    rnd.shuffle(states)
    count = math.ceil(len(states) / PANEL)
    ages = sorted((_age(rnd) for _ in range(count)), reverse=True)
    pool = max(PANEL * 2, n // 2000)  # interviewers per team
    teams = list(TEAMS)
    created = ts(now - timedelta(days=500))
    yield {"person": [(p + 1, f"person{p + 1}@example.com", f"Person {p + 1}", "Europe/Berlin", True, created, created)
                      for p in range(pool * len(teams))]}  # fmt: skip
    pid = cid = aid = 0
    for first in range(0, count, CHUNK):
        out: dict[str, list[tuple]] = {"interview": [], "prompt": [], "checkin": [], "checkinanswer": []}
        for i in range(first, min(first + CHUNK, count)):
            t = i % len(teams)
            team = teams[t]
            role = TEAMS[team][rnd.randrange(len(TEAMS[team]))]
            ends = now - timedelta(seconds=ages[i])
            due = ends + timedelta(minutes=5)
            out["interview"].append((i + 1, f"gen-{i + 1}", role, team, "onsite", ts(ends - timedelta(hours=1)),
                                     ts(ends), None, "completed", ts(ends - timedelta(days=7)), ts(ends)))  # fmt: skip
            k, step = rnd.randrange(pool), pool // PANEL
            for j in range(PANEL):
                if pid == len(states):
                    break
                state = states[pid]
                pid += 1
                person = t * pool + (k + j * step) % pool + 1
                sent = due + timedelta(minutes=1) if state in ("answered", "sent", "expired") else None
                if state == "sent" and ages[i] > 7 * DAY:
                    state = "expired"
                seconds = min(int(rnd.expovariate(1 / 21600)), 7 * 86400) if state == "answered" else 0
                answered = sent + timedelta(seconds=seconds) if sent and state == "answered" else None
                reason = REASONS[pid % 2] if state == "undeliverable" else "interview cancelled" if state == "cancelled" else None  # fmt: skip
                out["prompt"].append((pid, i + 1, person, state, ts(due), team, role, "slack" if sent else None,
                                      f"D{person:08d}" if sent else None, f"{1700000000 + pid}.000100" if sent else None,
                                      reason, None, None, 1, ts(sent) if sent else None, None, None,
                                      ts(answered) if answered else None, ts(ends)))  # fmt: skip
                if answered is None:
                    continue
                cid += 1
                detail = rnd.random() < 0.4
                values = []
                for p, practice in enumerate(PRACTICES):
                    r = rnd.random() + p * 0.02 if detail else 0.0  # later practices are missed a little more
                    value = "yes" if r < 0.85 else "no" if r < 0.97 else "na"
                    values.append(value)
                    aid += 1
                    out["checkinanswer"].append((aid, cid, practice, value))
                out["checkin"].append((cid, pid, person, team, role, "detail" if detail else "all",
                                       "no" not in values, None, seconds, ts(due), ts(answered), ts(answered)))  # fmt: skip
        yield out


def _sqlite_path(url: str) -> str:
    return url.split("///", 1)[1]


def _write_sqlite(url: str, chunks: Iterator[dict[str, list[tuple]]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    conn = sqlite3.connect(_sqlite_path(url), isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-400000")
        for chunk in chunks:
            conn.execute("BEGIN")
            for table, rows in chunk.items():
                cols = COLUMNS[table]
                sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                conn.executemany(sql, rows)
                counts[table] = counts.get(table, 0) + len(rows)
            conn.execute("COMMIT")
    finally:
        conn.close()
    return counts


async def _write_postgres(url: str, chunks: Iterator[dict[str, list[tuple]]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    conn = await asyncpg.connect(dsn(url))
    try:
        for chunk in chunks:
            async with conn.transaction():
                for table, rows in chunk.items():
                    await conn.copy_records_to_table(table, records=rows, columns=list(COLUMNS[table]))
                    counts[table] = counts.get(table, 0) + len(rows)
        for table in COLUMNS:  # the app inserts after us: its sequences must start past our ids
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                               f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")  # fmt: skip
        await conn.execute("VACUUM ANALYZE")  # what autovacuum would have done by the time anyone asks
    finally:
        await conn.close()
    return counts


async def generate(url: str, *, checkins: int, now: datetime, zone: str, seed: int = 1) -> Generated:
    """Migrate an empty database with the real migrations, write the rows, then count them into the ledger."""
    await db.upgrade(url)
    started = time.perf_counter()
    if url.startswith("sqlite"):
        counts = _write_sqlite(url, _rows(checkins, now.replace(tzinfo=None), _sqlite_ts, seed=seed))
    else:
        counts = await _write_postgres(url, _rows(checkins, now.replace(tzinfo=None), _aware, seed=seed))
    rows_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cells = await rebuild_derived(url, zone=zone)
    return Generated(checkins=counts["checkin"], prompts=counts["prompt"], interviews=counts["interview"],
                     people=counts["person"], answers=counts["checkinanswer"], rows_seconds=rows_seconds,
                     derived_seconds=time.perf_counter() - started, cells=cells)  # fmt: skip


def _sqlite_ts(moment: datetime) -> str:
    """How SQLAlchemy stores a UTC datetime in SQLite: 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    return moment.isoformat(" ", "microseconds")


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC)
