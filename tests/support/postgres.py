"""Throwaway PostgreSQL databases on the cluster FAIRLOOP_TEST_POSTGRES_URL points at, one per test, migrated to
the latest schema and dropped afterwards (so tests never share, or wipe, anyone else's database)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage import db

URL = os.environ.get("FAIRLOOP_TEST_POSTGRES_URL")
NEEDS_POSTGRES = "FAIRLOOP_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL and sets it)"
needs_postgres = pytest.mark.skipif(not URL, reason=NEEDS_POSTGRES)
"""For tests that make PostgreSQL databases of their own whatever the backend (tests/conftest.py runs them in CI's
PostgreSQL pass only)."""


async def fresh_schema() -> None:
    assert URL
    engine = db.make_engine(URL)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    await db.upgrade(URL)


@asynccontextmanager
async def throwaway_database(*, migrate: bool = True) -> AsyncIterator[str]:
    """A new, empty database on the test cluster (migrated unless told otherwise): its URL."""
    assert URL, "FAIRLOOP_TEST_POSTGRES_URL is not set"
    name = f"fairloop_t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(make_url(URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(URL).set(database=name).render_as_string(hide_password=False)
        try:
            if migrate:
                await db.upgrade(url)
            yield url
        finally:
            async with admin.connect() as conn:
                await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


class Relay:
    """A TCP relay in front of the test cluster, for processes to reach their database through: `cut()` drops every
    connection and refuses new ones (a database outage, without touching the shared cluster), `restore()` ends it."""

    def __init__(self, url: str) -> None:
        target = make_url(url)
        self._url = target
        self._target = (target.host or "127.0.0.1", int(target.port or 5432))
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self.down = False
        self.refused = 0

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return self._url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)

    async def __aenter__(self) -> Relay:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def cut(self) -> None:
        self.down = True
        for writer in list(self._links):
            writer.transport.abort()
        self._links.clear()

    def restore(self) -> None:
        self.down = False

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            self.refused += 1
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        self._links.update((writer, up_writer))
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._links.difference_update((writer, up_writer))

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.transport.abort()
