"""The whole suite on PostgreSQL: with FAIRLOOP_TEST_BACKEND=postgres, each test gets a fresh database, copied
from one migrated template (a copy takes milliseconds; migrating takes a second)."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from storage.db import upgrade

BACKEND = os.environ.get("FAIRLOOP_TEST_BACKEND", "sqlite")
SERVER = os.environ.get("FAIRLOOP_TEST_POSTGRES_URL", "")


def on_postgres() -> bool:
    return BACKEND == "postgres"


def _url(name: str) -> str:
    return urlunsplit(urlsplit(SERVER)._replace(path=f"/{name}"))


async def _admin() -> asyncpg.Connection:
    return await asyncpg.connect(urlunsplit(urlsplit(SERVER.replace("+asyncpg", ""))._replace(path="/postgres")))


async def make_template() -> str:
    """A migrated database to copy from; returns its name."""
    name = f"fairloop_template_{uuid.uuid4().hex[:8]}"
    admin = await _admin()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    await upgrade(_url(name))
    return name


async def copy_of(template: str) -> tuple[str, str]:
    """A fresh database copied from `template`: (name, SQLAlchemy URL)."""
    name = f"fairloop_test_{uuid.uuid4().hex[:12]}"
    admin = await _admin()
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    return name, _url(name)


async def drop(name: str) -> None:
    admin = await _admin()
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def run(coro):  # type: ignore[no-untyped-def]
    """Run set-up outside the test's event loop (session fixtures are synchronous)."""
    return asyncio.run(coro)


async def refuse_inserts(conn: Any, table: str) -> None:
    """Make every new row in `table` fail as a query (not an outage): a constraint on PostgreSQL, whose error then
    quotes the failing row, as a real one would; a trigger on SQLite."""
    if conn.dialect.name == "sqlite":
        await conn.exec_driver_sql(
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'no'); END"
        )
    else:
        await conn.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT refuse_{table} CHECK (false) NOT VALID")
