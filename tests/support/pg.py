"""A throwaway PostgreSQL cluster on loopback that a test may stop and start again (a database outage on demand)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path


def _bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def available() -> bool:
    return _bin() is not None


@dataclass
class Cluster:
    folder: Path
    bin: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://fairloop@127.0.0.1:{self.port}/fairloop"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    async def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "log")
        await asyncio.to_thread(
            self._run, "pg_ctl", "-D", str(self.folder / "data"), "-o", options, "-l", log, "-w", "start"
        )

    async def stop(self) -> None:
        """As a crash or a failover would: at once, without waiting for clients."""
        await asyncio.to_thread(self._run, "pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")


@asynccontextmanager
async def throwaway_cluster() -> AsyncIterator[Cluster]:
    """initdb in a fresh folder, start on a free port with a `fairloop` database; stopped and removed after."""
    pg = _bin()
    assert pg is not None, "no PostgreSQL server installed"
    folder = Path(tempfile.mkdtemp(prefix="fairloop-outage-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    cluster = Cluster(folder=folder, bin=pg, port=port)
    try:
        await asyncio.to_thread(cluster._run, "initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "fairloop")
        await cluster.start()
        await asyncio.to_thread(
            cluster._run, "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "fairloop", "fairloop"
        )
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # it was stopped already
            await cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
