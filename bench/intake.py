"""Benchmark 5: interviews/s through `POST /api/interviews` in batches of 500, against hand-written bulk SQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import SQLModel, col

from bench import fake_slack_server, pg
from bench.common import Result, check, ratio
from bench.procs import start_fairloop
from bench.prompts import PANEL, interviews, post_batches
from storage import db
from storage.models import Person, Prompt

BATCH, POOL = 500, 2000  # interviews per request; interviewers in the company


async def count(url: str, model: Any) -> int:
    engine = db.make_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())
    finally:
        await engine.dispose()


async def bulk_sql(url: str, items: list[dict[str, Any]]) -> float:
    """The baseline: the same interviews, people and prompts written with bulk statements, a transaction per batch."""
    engine = db.make_engine(url)
    insert = sqlite_insert if url.startswith("sqlite") else pg_insert
    now = datetime.now(UTC)
    started = time.perf_counter()
    try:
        for i in range(0, len(items), BATCH):
            batch = items[i : i + BATCH]
            async with engine.begin() as conn:
                emails = sorted({p["email"] for it in batch for p in it["interviewers"]})
                await conn.execute(insert(Person).on_conflict_do_nothing(index_elements=["email"]),
                                   [{"email": e, "reminders": True, "created_at": now} for e in emails])  # fmt: skip
                found = await conn.execute(
                    select(col(Person.email), col(Person.id)).where(col(Person.email).in_(emails))
                )
                people: dict[str, int] = {str(e): int(i or 0) for e, i in found}
                rows = [{"external_id": it["external_id"], "role": it["role"], "team": it["team"], "stage": it["stage"],
                         "starts_at": datetime.fromisoformat(it["starts_at"]), "ends_at": datetime.fromisoformat(it["ends_at"]),
                         "candidate_ref": it["candidate_ref"], "status": "scheduled", "created_at": now, "updated_at": now}
                        for it in batch]  # fmt: skip
                table = SQLModel.metadata.tables["interview"]
                added = await conn.execute(insert(table).returning(table.c.external_id, table.c.id), rows)
                ids: dict[str, int] = {str(row[0]): int(row[1]) for row in added}
                prompts = [{"interview_id": ids[it["external_id"]], "person_id": people[p["email"]], "state": "scheduled",
                            "due_at": datetime.fromisoformat(it["ends_at"]), "team": it["team"], "role": it["role"],
                            "attempts": 0, "created_at": now}
                           for it in batch for p in it["interviewers"]]  # fmt: skip
                await conn.execute(insert(Prompt), prompts)
        return time.perf_counter() - started
    finally:
        await engine.dispose()


async def measure(url: str, baseline_url: str, *, batches: int, workdir: Path, name: str) -> tuple[float, float, str]:
    """(fairloop interviews/s, bulk SQL interviews/s, a note)."""
    await db.upgrade(url)
    await db.upgrade(baseline_url)
    ends = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)  # scheduled next week: nothing is due yet
    warm = interviews(BATCH, ends_at=ends, prefix="warm", pool=POOL)  # everyone is known after the first batch
    items = interviews(batches * BATCH, ends_at=ends, prefix="intake", pool=POOL)
    fake = await fake_slack_server.start(users=0, limit=0, workdir=workdir)
    try:
        server = await start_fairloop(name, db_url=url, slack_api=fake.api, workdir=workdir)
        try:
            await post_batches(server.url, warm)
            await server.settle()
            took = await post_batches(server.url, items)
        finally:
            server.stop()
    finally:
        fake.proc.stop()
    stored = await count(url, Prompt)
    check(
        stored == PANEL * (len(warm) + len(items)), f"{stored} prompts stored for {len(warm) + len(items)} interviews"
    )
    await bulk_sql(baseline_url, warm)
    sql_seconds = await bulk_sql(baseline_url, items)
    check(await count(baseline_url, Prompt) == stored, "the baseline stored a different number of prompts")
    rate, sql_rate = len(items) / sum(took), len(items) / sql_seconds
    note = (f"{name}: {batches} batches of {BATCH} after a warm-up batch; per batch {min(took):.2f}–{max(took):.2f} s; "
            f"{PANEL} interviewers each from {POOL:,} people; interviews end next week (nothing falls due)")  # fmt: skip
    return rate, sql_rate, note


async def run(workdir: Path, *, batches: int, tag: str) -> list[Result]:
    files = [workdir / "intake.db", workdir / "intake-sql.db"]
    for f in files:
        f.unlink(missing_ok=True)
    rate, sql_rate, note = await measure(*(f"sqlite+aiosqlite:///{f}" for f in files), batches=batches,
                                         workdir=workdir, name="intake-sqlite")  # fmt: skip
    out = [Result(name="intake_batches_of_500", value=round(rate, 1), unit="interviews/s", baseline=round(sql_rate, 1),
                  ratio=ratio(rate, sql_rate), target="≥ 2,000 interviews/s on SQLite", met=rate >= 2000,
                  baseline_is="the same rows written by hand-written bulk INSERTs (SQLAlchemy core), a transaction per batch",
                  notes=[note])]  # fmt: skip
    server = pg.server_url()
    if server is None:
        out.append(Result(name="intake_batches_of_500.postgresql", value=None, unit="interviews/s", baseline=None,
                          ratio=None, target="state the figure", met=None,
                          notes=[f"not measured: set {pg.ENV}"]))  # fmt: skip
        return out
    names = [pg.name_for(server, f"intake_{tag}"), pg.name_for(server, f"intake_sql_{tag}")]
    try:
        urls = [await pg.fresh_database(server, n) for n in names]
        rate, sql_rate, note = await measure(*urls, batches=batches, workdir=workdir, name="intake-postgresql")
    finally:
        for n in names:
            await pg.drop_database(server, n)
    out.append(Result(name="intake_batches_of_500.postgresql", value=round(rate, 1), unit="interviews/s",
                      baseline=round(sql_rate, 1), ratio=ratio(rate, sql_rate), target="state the figure", met=None,
                      baseline_is="hand-written bulk INSERTs on PostgreSQL", notes=[note]))  # fmt: skip
    return out
