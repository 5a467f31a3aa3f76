"""fairloop as a user runs it: `fairloop serve` in a real process, started, waited for and stopped."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import aiohttp

FAIRLOOP = (sys.executable, "-m", "fairloop")


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
