"""`make bench` in quick mode: every benchmark at tiny sizes, failing on wrong answers (never on timings)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.app import ROOT
from tests.support.databases import on_postgres

# read at import: the suite's autouse fixture clears FAIRLOOP_* variables before each test runs
POSTGRES = os.environ.get("FAIRLOOP_BENCH_POSTGRES_URL") or os.environ.get("FAIRLOOP_TEST_POSTGRES_URL")


@pytest.mark.skipif(on_postgres(), reason="the harness runs SQLite and PostgreSQL itself: once per CI run is enough")
def test_every_benchmark_runs_at_tiny_sizes_and_gets_the_answers_right() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAIRLOOP_", "SLACK_"))}
    if POSTGRES:  # the harness makes (and drops) bench_* databases on the same server
        env["FAIRLOOP_BENCH_POSTGRES_URL"] = POSTGRES
    done = subprocess.run([sys.executable, "-m", "bench.run", "--quick"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=170)  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "bench: done" in done.stdout
