"""Throwaway PostgreSQL databases on the cluster FAIRLOOP_TEST_POSTGRES_URL points at, one per test, migrated to
the latest schema and dropped afterwards (so tests never share, or wipe, anyone else's database)."""

from __future__ import annotations

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
needs_postgres = pytest.mark.skipif(
    not URL, reason="FAIRLOOP_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL and sets it)"
)


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
