"""`make bench`: the five scale benchmarks of issue 10, each beside its baseline -> results.json, PERFORMANCE.md."""

# `--quick` (or BENCH_QUICK=1) runs each at tiny sizes in under a minute, checking answers but no timings, and writes
# nothing into the tree. Only public tools: time.perf_counter, subprocess, /proc, the aiohttp client, cProfile.

from __future__ import annotations

import argparse
import asyncio
import cProfile  # noqa: F401 - imported so a missing profiler fails here, not in a child process
import json
import os
import pstats
import shutil
import sys
import time
import traceback
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import clicks, intake, pg, report, serving, stats_bench
from bench.common import OUT, ROOT, Result

FULL: dict[str, dict[str, Any]] = {
    "clicks": {"prompts": 200, "rounds": 3, "per_round": 3000, "limit": 100},
    "serving": {"prompts": 2000, "limit": 100, "clicks": 20_000},
    "intake": {"batches": 10},
    "stats": {"sizes": [100_000, 1_000_000], "runs": 5, "cli_runs": 3},
}
QUICK: dict[str, dict[str, Any]] = {
    "clicks": {"prompts": 20, "rounds": 2, "per_round": 200, "limit": 50},
    "serving": {"prompts": 100, "limit": 50, "clicks": 400},
    "intake": {"batches": 1},
    "stats": {"sizes": [2000], "runs": 1, "cli_runs": 1},
}
LAST = OUT / "last-full-run.json"  # every figure with its notes, for --render
HEADLINE = {"clicks": "clicks_vs_bare_bolt", "serving": "serving_rss", "intake": "intake_batches_of_500",
            "stats": "stats_90d_1m_checkins"}  # fmt: skip


def profile_summary(path: Path) -> None:
    """Top functions of a profiled server by own time and by cumulative time, next to the raw profile."""
    if not path.exists():
        return
    with path.with_suffix(".txt").open("w") as out:
        stats = pstats.Stats(str(path), stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(40)


async def one(name: str, sizes: dict[str, Any], workdir: Path, *, profile: bool, tag: str) -> list[Result]:
    prof = (OUT / f"profile-{name}.prof") if profile else None
    if name == "clicks":
        return await clicks.run(workdir, profile=prof, **sizes)
    if name == "serving":
        return await serving.run(workdir, profile=prof, **sizes)
    if name == "intake":
        return await intake.run(workdir, tag=tag, **sizes)
    measured = await stats_bench.run(workdir, tag=tag, **sizes)
    return stats_bench.results(measured, sizes["sizes"])


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK", "") not in ("", "0"))
    parser.add_argument("--only", action="append", choices=list(FULL), help="run only these (repeatable)")
    parser.add_argument("--profile", action="store_true", help="run the serving processes under cProfile")
    parser.add_argument("--render", action="store_true", help=f"only rewrite docs/PERFORMANCE.md from {LAST.name}")
    args = parser.parse_args(argv)
    if args.render:  # after editing bench/bounds.py or bench/report.py: no need to measure again
        saved = json.loads(LAST.read_text())
        report.write([Result(**r) for r in saved["results"]], root=ROOT, machine_lines=saved["machine"],
                     started=datetime.fromisoformat(saved["started"]), seconds=saved["seconds"])  # fmt: skip
        return 0
    sizes, names = (QUICK if args.quick else FULL), args.only or list(FULL)
    if args.quick:
        os.environ["BENCH_QUICK"] = "1"  # benchmarks fail on any lost click instead of reporting it
    started, clock = datetime.now(UTC), time.perf_counter()
    server = pg.server_url()
    machine = report.machine(await pg.version(server) if server else None)
    tag = f"{'q' if args.quick else 'f'}{os.getpid()}"
    workdir = OUT / f"run-{tag}"
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    failed: list[str] = []
    for name in names:
        t = time.perf_counter()
        print(f"bench: {name} ...", flush=True)
        try:
            results += await one(name, sizes[name], workdir, profile=args.profile, tag=tag)
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
            failed.append(name)
            traceback.print_exc()
            for log in sorted(workdir.glob("*.log")):
                print(f"--- {log.name} (last lines)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
            results.append(Result(name=HEADLINE[name], value=None, unit="", baseline=None, ratio=None, target="",
                                  met=False, notes=[f"failed: {type(exc).__name__}: {exc}"]))  # fmt: skip
        if args.profile:
            profile_summary(OUT / f"profile-{name}.prof")
        print(f"bench: {name} took {time.perf_counter() - t:.1f} s", flush=True)
    for r in results:
        print(
            f"  {r.name}: {r.value} {r.unit} (baseline {r.baseline}, ratio {r.ratio}, target {r.target}, met {r.met})"
        )
    seconds = time.perf_counter() - clock
    if args.quick or args.only:  # partial or tiny runs never overwrite the recorded figures
        (OUT / "results-partial.json").write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    else:
        report.write(results, root=ROOT, machine_lines=machine, started=started, seconds=seconds)
        saved = {"results": [asdict(r) for r in results], "machine": machine, "started": started.isoformat(),
                 "seconds": seconds}  # fmt: skip
        LAST.write_text(json.dumps(saved, indent=1))
    if not failed:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"bench: {'FAILED ' + ', '.join(failed) if failed else 'done'} in {seconds:.1f} s", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
