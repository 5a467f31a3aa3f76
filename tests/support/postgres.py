"""The PostgreSQL the suite may use (FAIRLOOP_TEST_POSTGRES_URL), emptied and migrated for a test."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import text

from storage import db

URL = os.environ.get("FAIRLOOP_TEST_POSTGRES_URL")
needs_postgres = pytest.mark.skipif(
    not URL, reason="FAIRLOOP_TEST_POSTGRES_URL is not set (.ci/run starts PostgreSQL and sets it)"
)


async def fresh_schema() -> None:
    assert URL
    engine = db.make_engine(URL)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()
    await db.upgrade(URL)
