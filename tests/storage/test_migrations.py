"""Migrations: alembic builds exactly the schema the models describe, and upgrades are repeatable."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from storage import db, models  # noqa: F401 - registers the tables


def test_upgrade_matches_the_models_and_runs_twice(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
    db.upgrade_sync(url)
    db.upgrade_sync(url)  # a second upgrade is a no-op
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        tables = set(sa.inspect(conn).get_table_names())
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("prompt")}
    assert diff == []
    assert {
        "person",
        "identity",
        "interview",
        "prompt",
        "checkin",
        "checkinanswer",
        "concern",
        "alembic_version",
    } <= tables
    assert {"ix_prompt_state_due", "ix_prompt_due_state"} <= indexes
