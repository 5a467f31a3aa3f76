"""The Dockerfile as written, where no container engine runs: its COPY lines, its pip install, its user, its
environment, its command and its health check, carried out step by step outside a container."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.app import ROOT
from tests.support.processes import clean_env, serve

DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def env_of(steps: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for word, rest in steps:
        if word == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def test_the_image_runs_as_its_own_user_with_the_playground_off() -> None:
    steps = instructions()
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [rest for word, rest in steps if word == "USER"]
    assert users == ["fairloop"]  # never root
    env = env_of(steps)
    assert env["FAIRLOOP_PLAYGROUND"] == "0" and env["FAIRLOOP_HOST"] == "0.0.0.0"
    assert [rest for word, rest in steps if word == "EXPOSE"] == [env["FAIRLOOP_PORT"]]
    assert json.loads(next(rest for word, rest in steps if word == "CMD")) == ["fairloop", "serve"]
    assert any(word == "HEALTHCHECK" for word, _ in steps)


async def test_what_the_dockerfile_copies_installs_and_serves_with_a_passing_health_check(tmp_path: Path) -> None:
    steps = instructions()
    source = tmp_path / "srv"
    source.mkdir()
    for word, rest in steps:  # COPY <from...> <to>
        if word == "COPY":
            *froms, to = rest.split()
            for name in froms:
                target = source / (to if to not in (".", "./") else "") / (Path(name).name if to in (".", "./") else "")
                if (ROOT / name).is_dir():
                    shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    shutil.copy(ROOT / name, target)
    run = next(rest for word, rest in steps if word == "RUN" and "pip install" in rest)
    pip_args = shlex.split(run.split("&&")[0])[2:]  # pip install --no-compile .
    installed = tmp_path / "site"
    # into a folder of its own, dependencies from this environment: what the image's pip install lays out
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(installed), *pip_args],
        cwd=source, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(**env_of(steps), PYTHONPATH=str(installed))
    env |= {"FAIRLOOP_HOST": "127.0.0.1", "FAIRLOOP_CONFIG": str(home / "absent.toml"), "FAIRLOOP_SECRET_KEY": "k",
            "FAIRLOOP_DATABASE_URL": f"sqlite+aiosqlite:///{home / 'fairloop.db'}"}  # fmt: skip
    where = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", "import bot, fairloop, storage; print(fairloop.__file__, storage.__file__)"],
        env=env, cwd=home, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert where.stdout.split() and all(p.startswith(str(installed)) for p in where.stdout.split()), where
    command = tuple(json.loads(next(rest for word, rest in steps if word == "CMD")))
    assert command[0] == "fairloop"
    server = await serve(env, cwd=home, name="image", command=(sys.executable, "-m", "fairloop", *command[1:-1]))
    try:
        health = json.loads(next(rest for word, rest in steps if word == "HEALTHCHECK").partition("CMD ")[2])
        probe = [sys.executable if part == "python" else part.replace(":3978", f":{server.port}") for part in health]
        checked = await asyncio.to_thread(subprocess.run, probe, env=env, timeout=30)
        assert checked.returncode == 0  # the image's own health check
    finally:
        await server.stop()
