"""`make bench`: import and stats timings, each against a baseline in the same run -> docs/PERFORMANCE.md.

Uses only public tools: the standard library's time.perf_counter and subprocess.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from bench import slack_latency
from bench.data import write_csv
from fairloop.compose import build
from fairloop.config import Config, load_config
from storage.db import unit_of_work
from storage.models import CheckIn, CheckInAnswer, Prompt

ROOT = Path(__file__).resolve().parents[1]
N = int(os.environ.get("BENCH_INTERVIEWS", "10000"))


def cli(db: Path, *args: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRLOOP_")}
    env |= {"FAIRLOOP_DATABASE_URL": f"sqlite+aiosqlite:///{db}", "FAIRLOOP_CONFIG": str(db.parent / "none.toml")}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fairloop", *args], check=True, env=env, capture_output=True, cwd=db.parent)
    return time.perf_counter() - started


async def with_core(config: Config, work):  # type: ignore[no-untyped-def]
    async with build(config, serve=False) as graph:
        return await work(graph)


async def answer_most(settings: Config) -> int:
    """Mark 80% of prompts sent and answered (bulk, as if a quarter of check-ins had happened)."""

    async def work(core) -> int:  # type: ignore[no-untyped-def]
        async with unit_of_work(core.sessions) as session:
            prompts = list(await session.exec(select(Prompt)))
            n = 0
            for i, p in enumerate(prompts):
                p.state, p.sent_at = ("answered" if i % 5 else "sent"), p.due_at
                session.add(p)
                if i % 5:
                    c = CheckIn(
                        prompt_id=p.id,
                        person_id=p.person_id,
                        team=p.team,
                        role=p.role,
                        kind="all",
                        all_followed=i % 7 != 0,
                        due_at=p.due_at,
                        answer_seconds=(i * 37) % 20000,
                        answered_at=p.due_at + timedelta(minutes=5),
                    )
                    session.add(c)
                    n += 1
            await session.flush()
            rows = list(await session.exec(select(CheckIn)))
            session.add_all(
                CheckInAnswer(checkin_id=c.id, practice=pr.key, value="no" if (c.id + j) % 9 == 0 else "yes")
                for c in rows
                for j, pr in enumerate(settings.core.practices)
            )
            return n

    return await with_core(settings, work)


async def timed(fn: Callable[[], Awaitable[object]], runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


async def naive_stats(core) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Baseline: load every row into Python and count there (what SQL aggregation replaces)."""
    async with unit_of_work(core.sessions) as session:
        prompts = list(await session.exec(select(Prompt)))
        checkins = list(await session.exec(select(CheckIn)))
        answers = list(await session.exec(select(CheckInAnswer)))
    delivered = sum(p.state in ("sent", "answered", "expired") for p in prompts)
    yes = sum(a.value == "yes" for a in answers)
    return {"response": len(checkins) / max(1, delivered), "yes": yes / max(1, len(answers))}


async def main() -> None:
    out: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        csv_path = write_csv(tmpdir / "interviews.csv", N)
        small = write_csv(tmpdir / "small.csv", 2000, seed=2)
        db = tmpdir / "bench.db"
        cli(db, "db", "upgrade")
        import_s = cli(db, "interviews", "import", str(csv_path))
        reimport_s = cli(db, "interviews", "import", str(csv_path))
        # baseline: the same 1,000-row file imported one row per transaction vs batched
        one_db = tmpdir / "one.db"
        cli(one_db, "db", "upgrade")
        batched_1k = cli(tmpdir / "batched.db", "interviews", "import", str(small))
        one_by_one_1k = cli(one_db, "interviews", "import", "--batch-size", "1", str(small))
        settings = load_config(database_url=f"sqlite+aiosqlite:///{db}", min_group_size=5)
        answered = await answer_most(settings)

        async def measure(core) -> tuple[float, ...]:  # type: ignore[no-untyped-def]
            overall = await timed(lambda: core.reports.stats(period="90d"))
            team = await timed(lambda: core.reports.stats(period="90d", team="Platform"))
            naive = await timed(lambda: naive_stats(core))
            thirty = await timed(lambda: core.reports.stats(period="30d", role="Data Scientist"))
            digest = await timed(lambda: core.delivery.digest(None))
            seven = await timed(lambda: core.reports.stats(period="7d"))
            return overall, team, thirty, naive, digest, seven

        overall, team, thirty, naive, digest, seven = await with_core(settings, measure)
        stats_cli = cli(db, "stats", "--json", "--period", "90d")
    slack = await slack_latency.measure(200)
    out += [
        "# Performance",
        "",
        f"Measured by `make bench` ({Path(__file__).relative_to(ROOT)}) on {platform.machine()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, SQLite (aiosqlite). Wall-clock seconds; stats figures are the median of 7 runs in one process.",
        "",
        "| what | seconds | baseline in the same run |",
        "|---|---|---|",
        f"| `fairloop interviews import` of {N:,} interviews (whole process, with migrations) | {import_s:.2f} | — |",
        f"| the same file again (every row an unchanged upsert) | {reimport_s:.2f} | — |",
        f"| 2,000 interviews, batches of 500 (whole process) | {batched_1k:.2f} | one row per transaction: {one_by_one_1k:.2f} ({one_by_one_1k / batched_1k:.1f}×) |",
        f"| `stats 90d` over {answered:,} check-ins (all figures, trend, privacy checks) | {overall:.3f} | load rows and count in Python: {naive:.3f} ({naive / overall:.1f}×) |",
        f"| `stats 90d team:Platform` | {team:.3f} | — |",
        f"| `stats 30d role:Data Scientist` | {thirty:.3f} | — |",
        f"| the weekly sync digest (overall, trend, weakest practice, every team with suppression, goals, concerns, feedback, shout-out) | {digest:.3f} | `stats 7d` alone: {seven:.3f} ({digest / seven:.1f}×) |",
        f"| `fairloop stats --json --period 90d` (whole process: start, migrate check, query, exit) | {stats_cli:.2f} | — |",
        "",
        "Slack, through the whole app on loopback (signed requests in, a fake Slack Web API out; 200 interviewers, one",
        "request at a time). Milliseconds, median / 95th percentile:",
        "",
        "| what | p50 ms | p95 ms | baseline in the same run |",
        "|---|---|---|---|",
        f"| click **All practices followed** → Slack gets its 200 (Slack allows 3,000) | {slack['ack'][0]:.1f} | {slack['ack'][1]:.1f} | `GET /healthz`: {slack['healthz'][0]:.1f} / {slack['healthz'][1]:.1f} |",
        f"| click → the message is updated in place (`chat.update` arrives) | {slack['redraw'][0]:.1f} | {slack['redraw'][1]:.1f} | — |",
        f"| `/fairloop stats 30d` → the private answer arrives on `response_url` | {slack['stats'][0]:.1f} | {slack['stats'][1]:.1f} | — |",
        "",
        "Stats aggregate in SQL (`COUNT`/`SUM ... GROUP BY` over indexed `due_at`, `team`, `role`); the median time",
        "to answer uses `ORDER BY ... OFFSET n/2`, which works the same on SQLite and PostgreSQL.",
    ]
    (ROOT / "docs" / "PERFORMANCE.md").write_text("\n".join(out) + "\n")
    print("\n".join(out))


if __name__ == "__main__":
    asyncio.run(main())
