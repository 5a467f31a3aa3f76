"""Processes the harness runs and watches: `fairloop serve`, the fake Slack, bare Bolt (RSS and CPU from /proc)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bench.common import ROOT

SECRET, TOKEN, API_TOKEN = "bench-signing-secret", "xoxb-bench-token", "bench-api-token"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Proc:
    """A child process serving HTTP on loopback, its output in `log`."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    url: str

    @property
    def pid(self) -> int:
        return self.popen.pid

    def rss_mb(self) -> float:
        """Resident set size (VmRSS in /proc/<pid>/status), in MB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError(f"no VmRSS for {self.name}")

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used (/proc/<pid>/stat)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    async def settle(self, *, quiet: float = 0.05, within: float = 60.0) -> None:
        """Wait until the process uses under `quiet` of a core for 0.5 s (its work after the last answer is done)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            await asyncio.sleep(0.5)
            if self.cpu_seconds() - before < quiet * 0.5:
                return

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def spawn(name: str, args: list[str], *, env: dict[str, str], log: Path, port: int, cwd: Path) -> Proc:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        popen = subprocess.Popen(
            [sys.executable, *args], env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    return Proc(name=name, popen=popen, log=log, url=f"http://127.0.0.1:{port}")


async def wait_ready(proc: Proc, path: str = "/healthz", within: float = 60.0) -> Proc:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as http:
        while True:
            if proc.popen.poll() is not None:
                raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
            try:
                async with http.get(proc.url + path) as r:
                    if r.status < 500:
                        return proc
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{proc.name} did not answer {path} within {within}s:\n{proc.tail()}")
            await asyncio.sleep(0.1)


def base_env() -> dict[str, str]:
    """The environment without any FAIRLOOP_/SLACK_ setting of the developer's."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("FAIRLOOP_", "SLACK_", "MICROSOFT_APP_"))}
    return keep | {"PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}


def fairloop_env(*, db_url: str, port: int, slack_api: str | None, workdir: Path) -> dict[str, str]:
    env = base_env() | {
        "FAIRLOOP_DATABASE_URL": db_url,
        "FAIRLOOP_HOST": "127.0.0.1",
        "FAIRLOOP_PORT": str(port),
        "FAIRLOOP_API_TOKEN": API_TOKEN,
        "FAIRLOOP_SECRET_KEY": "bench-secret-key",
        "FAIRLOOP_PROMPT_DELAY": "0s",
        "FAIRLOOP_PLAYGROUND": "0",
        "FAIRLOOP_CONFIG": str(workdir / "absent.toml"),
    }
    if slack_api:
        env |= {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "FAIRLOOP_SLACK_API_URL": slack_api}
    return env


async def start_fairloop(
    name: str,
    *,
    db_url: str,
    slack_api: str | None,
    workdir: Path,
    profile: Path | None = None,
    extra: dict[str, str] | None = None,
    command: str = "serve",
) -> Proc:
    """`fairloop serve` as a deployment runs it (optionally under cProfile, written when it stops), with `extra`
    settings; `command="worker"` starts `fairloop worker` instead (ready once it is running)."""
    port = free_port()
    env = fairloop_env(db_url=db_url, port=port, slack_api=slack_api, workdir=workdir) | (extra or {})
    args = ["-m", "fairloop", command]
    if profile is not None:
        args = ["-m", "cProfile", "-o", str(profile), *args]
    proc = spawn(name, args, env=env, log=workdir / f"{name}.log", port=port, cwd=workdir)
    if command == "worker":
        return await logged(proc, "applying queued Slack clicks")
    return await wait_ready(proc)


async def logged(proc: Proc, line: str, within: float = 60.0) -> Proc:
    """`proc` once its log says `line`."""
    deadline = time.monotonic() + within
    while line not in proc.log.read_text(errors="replace"):
        if proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.tail()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{proc.name} did not log {line!r} within {within}s:\n{proc.tail()}")
        await asyncio.sleep(0.1)
    return proc


def fairloop_cli(
    args: list[str], *, db_url: str, workdir: Path, env: dict[str, str] | None = None
) -> tuple[float, str]:
    """Run `fairloop ARGS` as a new process (with `env` added); (wall seconds, standard output)."""
    env = fairloop_env(db_url=db_url, port=0, slack_api=None, workdir=workdir) | (env or {})
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "fairloop", *args], env=env, cwd=workdir, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"fairloop {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed, done.stdout
