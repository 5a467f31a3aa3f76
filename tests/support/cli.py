"""The command line as a user runs it: a real `fairloop` process with a clean environment and a SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FAIRLOOP = [sys.executable, "-m", "fairloop"]


def environment(tmp_path: Path, **env: str) -> dict[str, str]:
    """This process's environment without any fairloop, Slack or Teams setting, plus a database in tmp_path."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FAIRLOOP_", "SLACK_", "MICROSOFT_"))}
    base.update(
        {
            "FAIRLOOP_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
            "FAIRLOOP_CONFIG": str(tmp_path / "absent.toml"),
            **env,
        }
    )
    return base


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FAIRLOOP, *args], capture_output=True, text=True, env=environment(tmp_path, **env), timeout=120, cwd=tmp_path
    )
