"""`fairloop serve` as real processes: each on a free port with its own log, waited for, stopped with SIGTERM or
SIGKILL, and never left running after the test."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from tests.support.app import API_TOKEN

FAIRLOOP = (sys.executable, "-m", "fairloop")
START_WITHIN = 90.0  # seconds: imports and migrations on a loaded two-core machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**values: str) -> dict[str, str]:
    """The test process's environment without any fairloop, Slack or Teams setting, plus `values`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("FAIRLOOP_", "SLACK_", "MICROSOFT_APP_"))}
    if "FAIRLOOP_THIRDPARTY" in os.environ:
        base["FAIRLOOP_THIRDPARTY"] = os.environ["FAIRLOOP_THIRDPARTY"]
    return {**base, **values}


@dataclass
class Server:
    process: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self, sig: int = signal.SIGTERM, *, within: float = 20.0) -> int:
        if self.process.returncode is None:
            self.process.send_signal(sig)
            try:
                await asyncio.wait_for(self.process.wait(), within)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        return self.process.returncode or 0


async def serve(
    env: Mapping[str, str],
    *,
    cwd: Path,
    name: str = "fairloop",
    command: tuple[str, ...] = FAIRLOOP,
    ready: str = "/readyz",
) -> Server:
    """Start `fairloop serve` on a free port and wait until it answers `ready` (its log goes to cwd/name.log)."""
    port = free_port()
    log = cwd / f"{name}.log"
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *command, "serve", env={**env, "FAIRLOOP_PORT": str(port)}, cwd=cwd, stdout=out, stderr=out
        )
    server = Server(process=process, port=port, log=log)
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            if process.returncode is not None:
                raise AssertionError(f"{name} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                async with http.get(server.url + ready, timeout=aiohttp.ClientTimeout(total=2)) as resp:
                    if resp.status == 200:
                        return server
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.1)
    await server.stop(signal.SIGKILL)
    raise AssertionError(f"{name} never became ready:\n{log.read_text()[-3000:]}")


def serve_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment of a `fairloop serve`: nothing of the developer's, the test's settings on top."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAIRLOOP_", "SLACK_", "MICROSOFT_APP_"))}
    env.update(
        {
            "FAIRLOOP_CONFIG": str(tmp_path / "absent.toml"),
            "FAIRLOOP_API_TOKEN": API_TOKEN,
            "FAIRLOOP_SECRET_KEY": "process-test-secret-key",
            "FAIRLOOP_PROMPT_DELAY": "0s",
            "FAIRLOOP_DISPATCH_INTERVAL": "1s",
            "FAIRLOOP_PLAYGROUND": "0",
            "PYTHONUNBUFFERED": "1",
            **settings,
        }
    )
    return env


async def eventually(check: Callable[[], Awaitable[Any]], *, within: float, what: str, every: float = 0.1) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {within:.0f}s")
        await asyncio.sleep(every)


@dataclass
class Served:
    """One `fairloop serve` process. `start()` returns once it answers /healthz (the graph is wired by then)."""

    name: str
    env: dict[str, str]
    log: Path
    port: int = 0
    process: asyncio.subprocess.Process | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self) -> Served:
        assert not self.running, f"{self.name} is running already"
        self.port = free_port()
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"\n---- start {self.starts} on port {self.port} ----\n".encode())
        out_fd = os.open(self.log, os.O_WRONLY | os.O_APPEND)
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "fairloop", "serve",
                env={**self.env, "FAIRLOOP_HOST": "127.0.0.1", "FAIRLOOP_PORT": str(self.port)},
                stdout=out_fd, stderr=out_fd, stdin=asyncio.subprocess.DEVNULL, cwd=self.log.parent,
            )  # fmt: skip
        finally:
            os.close(out_fd)
        async with aiohttp.ClientSession() as http:

            async def healthy() -> bool:
                if not self.running:
                    raise AssertionError(
                        f"{self.name} exited with {self.process and self.process.returncode}:\n{self.tail()}"
                    )
                try:
                    async with http.get(f"{self.url}/healthz", timeout=aiohttp.ClientTimeout(total=2)) as r:
                        return r.status == 200
                except (aiohttp.ClientError, TimeoutError):
                    return False

            await eventually(healthy, within=START_WITHIN, what=f"{self.name} answering /healthz", every=0.05)
        return self

    def signal(self, signum: int) -> None:
        if self.running:
            assert self.process is not None
            self.process.send_signal(signum)

    async def wait(self, within: float = 60.0) -> int:
        assert self.process is not None
        try:
            return await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            raise AssertionError(f"{self.name} did not exit within {within:.0f}s:\n{self.tail()}") from None

    async def terminate(self, within: float = 60.0) -> int:
        """SIGTERM, as a rolling deploy stops a process, and wait for it to exit."""
        self.signal(signal.SIGTERM)
        return await self.wait(within)

    async def kill(self) -> None:
        self.signal(signal.SIGKILL)
        await self.wait(10)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Fleet:
    """The processes a test started, so every one of them is stopped when it ends."""

    tmp_path: Path
    members: list[Served] = field(default_factory=list)

    def add(self, name: str, env: dict[str, str]) -> Served:
        served = Served(name=name, env=env, log=self.tmp_path / f"{name}.log")
        self.members.append(served)
        return served

    async def stop_all(self) -> None:
        for served in self.members:
            if served.running:
                served.signal(signal.SIGKILL)
                await served.wait(10)


@asynccontextmanager
async def fleet(tmp_path: Path) -> AsyncIterator[Fleet]:
    crew = Fleet(tmp_path=tmp_path)
    try:
        yield crew
    finally:
        await crew.stop_all()
