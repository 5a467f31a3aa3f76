"""PostgreSQL for the harness: FAIRLOOP_BENCH_POSTGRES_URL names a server and a database to connect to; each
benchmark makes (and drops) its own databases, named after that one."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ENV = "FAIRLOOP_BENCH_POSTGRES_URL"  # e.g. postgresql+asyncpg://fairloop@127.0.0.1:55432/bench


def server_url() -> str | None:
    return os.environ.get(ENV) or None


def name_for(url: str, suffix: str) -> str:
    """A database of the harness's own: the URL's database name (which must exist) with `suffix` after it, so
    everything the harness makes and drops shares the prefix the operator chose."""
    return f"{urlsplit(url).path.strip('/') or 'bench'}_{suffix}"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def dsn(url: str) -> str:
    """asyncpg's form of a SQLAlchemy URL."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def fresh_database(url: str, name: str) -> str:
    """Drop and create database `name` on the server of `url`; its SQLAlchemy URL."""
    conn = await asyncpg.connect(dsn(url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return with_database(url, name)


async def drop_database(url: str, name: str) -> None:
    conn = await asyncpg.connect(dsn(url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def version(url: str) -> str:
    conn = await asyncpg.connect(dsn(url))
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()
