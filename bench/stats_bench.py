"""Benchmark 3: `stats 90d` and the weekly digest over N check-ins against hand-written SQL, same answers."""

# In process and as a whole process, on SQLite and PostgreSQL.

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from bench import pg, stats_sql
from bench.common import Result, check, ratio, timed
from bench.procs import base_env, fairloop_cli
from bench.stats_data import Generated, generate
from bot.service import Core
from bot.settings import Settings
from bot.tokens import Signer
from storage import db


@dataclass(frozen=True)
class Measured:
    backend: str
    checkins: int
    generated: Generated
    stats: float  # seconds in process, median
    stats_sql: float
    digest: float
    digest_sql: float
    cli: float  # `fairloop stats --json --period 90d`, whole process, median
    cli_sql: float  # `python -m bench.stats_sql URL`, whole process, median


def pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"


def same_stats(app: dict[str, Any], sql: dict[str, Any], where: str) -> None:
    """fairloop's JSON and the baseline's agree on every figure, this window's and the previous one's."""
    check(app["suppressed"] == sql["suppressed"], f"{where}: suppressed {app['suppressed']} vs {sql['suppressed']}")
    keys = ("prompts_sent", "checkins", "response_rate", "all_practices_rate", "median_time_to_answer_seconds",
            "undeliverable", "undeliverable_reasons")  # fmt: skip
    for key in keys:
        check(app[key] == sql[key], f"{where}: {key} is {app[key]!r} in fairloop, {sql[key]!r} in SQL")
    for practice, rate in app["practices"].items():
        check(rate == sql["practices"].get(practice), f"{where}: practice {practice} {rate} vs {sql['practices']}")
    mine, theirs = app["previous"], sql["previous"]
    check(
        (mine is None) == (theirs is None), f"{where}: previous period shown {mine is not None} vs {theirs is not None}"
    )
    if mine and theirs:
        for key in ("prompts_sent", "checkins", "response_rate", "all_practices_rate", "median_answer_seconds"):
            check(mine[key] == theirs[key], f"{where}: previous {key} {mine[key]!r} vs {theirs[key]!r}")


def digest_lines(sql: dict[str, Any]) -> list[str]:
    """What the digest must say, worded as it words it, from the baseline's figures."""
    f = sql["current"]
    lines = [f"*Check-ins {f['checkins']}* (response {pct(f['response_rate'])}",
             f"all practices followed {pct(f['all_practices_rate'])}"]  # fmt: skip
    from bot.privacy import NOT_ENOUGH, publishable

    shown = publishable({t: n for t, (n, _) in sql["teams"].items()}, stats_sql.K)
    parts = [
        f"{t} {pct(ok / n)}" if t in shown else f"{t} — {NOT_ENOUGH}" for t, (n, ok) in sorted(sql["teams"].items())
    ]
    lines.append("Teams: " + " · ".join(parts))
    points = [p for p in sql["trend"] if p[1] is not None and p[2] is not None]
    if points:
        (start, response, followed) = points[-1]
        lines.append(f"response {response:.0%}, all practices followed {followed:.0%} in the week of {start:%d %b}")
    return lines


def digest_text(message: Any) -> str:
    return "\n".join(str(getattr(b, "text", "") or getattr(b, "alt", "")) for b in message.blocks)


async def measure(url: str, *, backend: str, checkins: int, runs: int, cli_runs: int, workdir: Path) -> Measured:
    now = datetime.now(UTC)
    generated = await generate(url, checkins=checkins, now=now)
    check(generated.checkins == checkins, f"generated {generated.checkins} check-ins, wanted {checkins}")
    engine = db.make_engine(url)
    try:
        values: dict[str, Any] = {"database_url": url, "config": str(workdir / "absent.toml"), "secret_key": "bench"}
        settings = Settings(**values, min_group_size=stats_sql.K)
        fixed = datetime.now(UTC)
        core = Core(settings=settings, sessions=db.make_sessions(engine), signer=Signer(secret_key="bench"),
                    clock=lambda: fixed)  # fmt: skip
        today = datetime.combine(fixed.date(), clock_time(), tzinfo=UTC)

        async def sql_stats() -> dict[str, Any]:
            async with engine.connect() as conn:
                return await stats_sql.stats_90d(conn, fixed)

        async def sql_digest() -> dict[str, Any]:
            async with engine.connect() as conn:
                return await stats_sql.digest(conn, today)

        async def app_stats() -> dict[str, Any]:
            return (await core.stats(period="90d")).to_json()

        async def app_digest() -> Any:
            return (await core.digest(None)).message

        same_stats(await app_stats(), await sql_stats(), f"{backend} {checkins:,} in process")
        text, expected = digest_text(await app_digest()), digest_lines(await sql_digest())
        for line in expected:
            check(line in text, f"{backend} {checkins:,}: the digest lacks {line!r}:\n{text}")
        samples: dict[str, list[float]] = {"stats": [], "sql": [], "digest": [], "digest_sql": []}
        for _ in range(runs):  # alternate, so noise from other work on the machine falls on both
            for key, fn in (
                ("stats", app_stats),
                ("sql", sql_stats),
                ("digest", app_digest),
                ("digest_sql", sql_digest),
            ):
                samples[key].append((await timed(fn, 1))[0])
    finally:
        await engine.dispose()
    cli, cli_sql = [], []
    for _ in range(cli_runs):
        before = datetime.now(UTC)
        seconds, out = fairloop_cli(["stats", "--json", "--period", "90d"], db_url=url, workdir=workdir)
        cli.append(seconds)
        sql_seconds, sql_out = _sql_process(url, workdir)
        cli_sql.append(sql_seconds)
        same_stats(json.loads(out), json.loads(sql_out), f"{backend} {checkins:,} whole process at {before:%H:%M:%S}")
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    return Measured(backend=backend, checkins=checkins, generated=generated, stats=med(samples["stats"]),
                    stats_sql=med(samples["sql"]), digest=med(samples["digest"]),
                    digest_sql=med(samples["digest_sql"]), cli=med(cli), cli_sql=med(cli_sql))  # fmt: skip


def _sql_process(url: str, workdir: Path) -> tuple[float, str]:
    import subprocess

    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bench.stats_sql", url], env=base_env(), cwd=workdir,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return time.perf_counter() - started, done.stdout


async def run(workdir: Path, *, sizes: list[int], runs: int, cli_runs: int, tag: str) -> list[Measured]:
    """Every size on SQLite, and on PostgreSQL when FAIRLOOP_BENCH_POSTGRES_URL names a server."""
    out = []
    for n in sizes:
        path = workdir / f"stats-{n}.db"
        path.unlink(missing_ok=True)
        try:
            out.append(await measure(f"sqlite+aiosqlite:///{path}", backend="SQLite", checkins=n, runs=runs,
                                     cli_runs=cli_runs, workdir=workdir))  # fmt: skip
        finally:
            for p in path.parent.glob(path.name + "*"):
                p.unlink()
    server = pg.server_url()
    for n in sizes if server else []:
        assert server is not None
        name = f"bench_stats_{tag}_{n}"
        url = await pg.fresh_database(server, name)
        try:
            out.append(await measure(url, backend="PostgreSQL", checkins=n, runs=runs, cli_runs=cli_runs,
                                     workdir=workdir))  # fmt: skip
        finally:
            await pg.drop_database(server, name)
    return out


def label(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


def results(measured: list[Measured], sizes: list[int]) -> list[Result]:
    """The headline (SQLite at the largest size, met only if every condition holds everywhere) and per-case rows."""
    rows: list[Result] = []
    conditions: list[bool] = []
    small, big = sizes[0], sizes[-1]
    for backend in ("SQLite", "PostgreSQL"):
        at = {m.checkins: m for m in measured if m.backend == backend}
        key = backend.lower()
        if not at:
            rows.append(Result(name=f"stats_90d.{key}", value=None, unit="s", baseline=None, ratio=None, target="",
                               met=None, notes=[f"not measured: set {pg.ENV}"]))  # fmt: skip
            continue
        for n, m in sorted(at.items()):
            g = m.generated
            r_stats, r_digest = ratio(m.stats, m.stats_sql), ratio(m.digest, m.digest_sql)
            conditions += [
                r_stats is not None and r_stats <= 0.1,
                r_digest is not None and r_digest <= 0.1,
                m.cli <= 1.5,
            ]
            rows += [
                Result(name=f"stats_90d.{key}.{label(n)}.in_process", value=round(m.stats, 4), unit="s",
                       baseline=round(m.stats_sql, 4), ratio=r_stats, target="≤ 0.1×", met=r_stats is not None and r_stats <= 0.1,
                       baseline_is="hand-written SQL on the raw rows, same process and driver",
                       notes=[f"{backend}, {g.checkins:,} check-ins ({g.prompts:,} prompts, {g.interviews:,} interviews, "
                              f"{g.people:,} people, {g.answers:,} practice answers) written in {g.rows_seconds:.1f} s; "
                              f"derived tables rebuilt in {g.derived_seconds:.2f} s"]),
                Result(name=f"stats_90d.{key}.{label(n)}.whole_process", value=round(m.cli, 3), unit="s",
                       baseline=round(m.cli_sql, 3), ratio=ratio(m.cli, m.cli_sql), target="≤ 1.5 s", met=m.cli <= 1.5,
                       baseline_is="`python -m bench.stats_sql URL`: the hand-written SQL as a whole process"),
                Result(name=f"digest.{key}.{label(n)}.in_process", value=round(m.digest, 4), unit="s",
                       baseline=round(m.digest_sql, 4), ratio=r_digest, target="≤ 0.1×", met=r_digest is not None and r_digest <= 0.1,
                       baseline_is="hand-written SQL for the weekly digest's figures (week, teams, 8 weekly points)"),
            ]  # fmt: skip
        if small in at and big in at and small != big:
            growth, sql_growth = at[big].stats / at[small].stats, at[big].stats_sql / at[small].stats_sql
            conditions.append(growth <= 1.5)
            rows.append(Result(name=f"stats_90d.{key}.growth", value=round(growth, 2), unit="×",
                               baseline=round(sql_growth, 2), ratio=ratio(growth, sql_growth),
                               target="≤ 1.5×", met=growth <= 1.5,
                               baseline_is=f"the SQL baseline's own growth {label(small)} → {label(big)}"))  # fmt: skip
    head = next((m for m in measured if m.backend == "SQLite" and m.checkins == big), None)
    main = Result(
        name="stats_90d_1m_checkins" if big == 1_000_000 else f"stats_90d_{label(big)}_checkins",
        value=round(head.stats, 4) if head else None, unit="s", baseline=round(head.stats_sql, 4) if head else None,
        ratio=ratio(head.stats, head.stats_sql) if head else None,
        target="≤ 0.1× the SQL in process (stats and digest); whole process ≤ 1.5 s; growth ≤ 1.5×; same answers",
        met=bool(conditions) and all(conditions),
        baseline_is="hand-written SQL aggregates on the raw rows (SQLite shown; PostgreSQL below)",
        notes=["fairloop's figures equal the SQL baseline's on every backend and size (checked, in process and as "
               "`fairloop stats --json`); the digest's check-in count, rates, team line and trend say the same"],
    )  # fmt: skip
    return [main, *rows]
