"""Writes what `make bench` measured: bench/results.json and docs/PERFORMANCE.md (the machine, commands, figures)."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
from datetime import datetime
from importlib.metadata import version
from pathlib import Path

from bench.bounds import BOUNDS
from bench.common import Result

HEADLINES = ("clicks_vs_bare_bolt", "serving_rss", "stats_90d_1m_checkins", "fanout_2000_prompts",
             "intake_batches_of_500")  # fmt: skip
TITLES = {
    "clicks_vs_bare_bolt": "1. Click → ack vs bare Bolt, concurrency 64, real prompts",
    "serving_rss": "2. RSS of the serving process after 20,000 clicks and 2,000 prompts sent",
    "stats_90d_1m_checkins": "3. `stats 90d` and the digest over 1M check-ins vs hand-written SQL",
    "fanout_2000_prompts": "4. Fan-out of 2,000 prompts through a fake Slack limited to 100 req/s per method",
    "intake_batches_of_500": "5. Intake: batches of 500 on `POST /api/interviews`",
}
COMMANDS = [
    "make bench                                   # everything; SQLite only",
    "FAIRLOOP_BENCH_POSTGRES_URL=postgresql+asyncpg://USER@HOST:PORT/bench make bench",
    "                                             # and PostgreSQL: the URL names a server and a database to connect to;",
    "                                             # the harness makes and drops databases named after it (bench_stats_…)",
    "make bench-quick                             # every benchmark at tiny sizes, < 1 min, checks answers only",
    "                                             # (= python -m bench.run --quick, or BENCH_QUICK=1 make bench)",
    ".venv/bin/python -m bench.run --only clicks  # one of: clicks, serving, intake, stats",
    ".venv/bin/python -m bench.run --profile      # the serving processes run under cProfile: bench/out/profile-*.txt",
    ".venv/bin/python -m bench.run --render       # rewrite this file from the last full run (after editing bench/bounds.py)",
]


def machine(postgres: str | None) -> list[str]:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())  # fmt: skip
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    ram = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal:")), 0)  # fmt: skip
    libs = ", ".join(f"{p} {version(p)}" for p in ("aiohttp", "slack-bolt", "sqlalchemy", "aiosqlite", "asyncpg"))
    return [
        f"- CPU: {cpu}, {os.cpu_count()} cores (shared with other work; load average {load} at the start); "
        f"RAM {ram / 1024 / 1024:.0f} GiB",
        f"- {platform.system()} {platform.release()}, Python {platform.python_version()}",
        f"- SQLite {sqlite3.sqlite_version}; PostgreSQL {postgres or 'not measured (FAIRLOOP_BENCH_POSTGRES_URL unset)'}",
        f"- {libs}",
    ]


def _num(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.3g}" if abs(x) < 1 else f"{x:,.2f}"


def _met(m: bool | None) -> str:
    return "—" if m is None else "**met**" if m else "not met"


def _row(r: Result) -> str:
    value = f"{_num(r.value)} {r.unit}" if r.value is not None else "not measured"
    baseline = f"{_num(r.baseline)} {r.unit}" if r.baseline is not None else "—"
    return f"| `{r.name}` | {value} | {baseline} | {_num(r.ratio)} | {r.target or '—'} | {_met(r.met)} |"


def write(results: list[Result], *, root: Path, machine_lines: list[str], started: datetime, seconds: float) -> None:
    heads = sorted((r for r in results if r.name in HEADLINES), key=lambda r: HEADLINES.index(r.name))
    (root / "bench" / "results.json").write_text(json.dumps([r.public() for r in heads], indent=2) + "\n")
    out = [
        "# Performance",
        "",
        f"Written by `make bench` ({started:%Y-%m-%d %H:%M} UTC, {seconds / 60:.0f} min); the five headline figures "
        "are also in `bench/results.json`. Every figure is measured next to its baseline in the same run (alternating where it "
        "can), because the machine is shared and absolute numbers wander. Do not edit by hand: the text lives in "
        "`bench/report.py` and `bench/bounds.py`.",
        "",
        "## Machine",
        *machine_lines,
        "",
        "## Commands",
        "```",
        *COMMANDS,
        "```",
        "",
        "## The five figures",
        "| figure | value | baseline | ratio | target | |",
        "|---|---|---|---|---|---|",
        *(_row(r) for r in heads),
    ]
    for head in heads:
        subs = [r for r in results if r.name.startswith(head.name + ".") or _belongs(r.name, head.name)]
        out += ["", f"## {TITLES.get(head.name, head.name)}", ""]
        out += [
            f"- Baseline: {head.baseline_is}." if head.baseline_is else "",
            *(f"- {n}" for r in (head, *subs) for n in r.notes),
        ]
        out += [f"- **What bounds it:** {BOUNDS.get(head.name, 'not profiled yet (for the lead)')}"]
        if subs:
            out += [
                "",
                "| figure | value | baseline | ratio | target | |",
                "|---|---|---|---|---|---|",
                *(_row(r) for r in subs),
            ]
            out += [f"- `{r.name}` baseline: {r.baseline_is}" for r in subs if r.baseline_is]
    (root / "docs" / "PERFORMANCE.md").write_text("\n".join(line for line in out if line is not None) + "\n")


def _belongs(name: str, head: str) -> bool:
    """Benchmark 3's per-case rows (stats_90d.*, digest.*) go under its headline."""
    return head.startswith("stats_90d_") and name.startswith(("stats_90d.", "digest."))
