"""Migrations: alembic builds exactly the schema the models describe, and upgrades are repeatable."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from alembic import command
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


def test_0007_carries_feedback_over_with_random_keys_and_keeps_only_live_link_markers(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    url = f"sqlite+aiosqlite:///{path}"
    db.upgrade_sync(url, "0006")
    today, long_ago = date.today(), date.today() - timedelta(days=40)
    with closing(sqlite3.connect(path)) as conn, conn:
        for n, day in enumerate((long_ago, today, today)):
            conn.execute(
                "INSERT INTO feedback (source, category, rating, text, day) VALUES (?, ?, ?, ?, ?)",
                ("colleague" if n else "candidate", "process" if n else None, None if n else 4, f"note {n}", day),
            )
        conn.executemany(
            "INSERT INTO feedbacklinkused (digest, day) VALUES (?, ?)", [("a" * 64, long_ago), ("b" * 64, today)]
        )
    db.upgrade_sync(url)
    with closing(sqlite3.connect(path)) as conn:
        notes = conn.execute("SELECT id, source, category, rating, text, day FROM feedback").fetchall()
        markers = conn.execute("SELECT * FROM feedbacklinkused").fetchall()
        schema = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
    assert sorted(n[1:] for n in notes) == sorted(
        [
            ("candidate", None, 4, "note 0", long_ago.isoformat()),
            ("colleague", "process", None, "note 1", today.isoformat()),
            ("colleague", "process", None, "note 2", today.isoformat()),
        ]
    )
    assert all(re.fullmatch(r"[0-9a-f]{32}", n[0]) for n in notes) and [n[0] for n in notes] == sorted(
        n[0] for n in notes
    )
    assert markers == [("b" * 64,)]  # a link used 40 days ago has expired; its marker goes
    assert all(schema[t].rstrip().endswith(")\n WITHOUT ROWID") for t in ("feedback", "feedbacklinkused"))
    command.downgrade(db.alembic_config(url), "0006")  # and back down
    with closing(sqlite3.connect(path)) as conn:
        assert sorted(r[0] for r in conn.execute("SELECT text FROM feedback")) == ["note 0", "note 1", "note 2"]
        assert [r[0] for r in conn.execute("SELECT digest FROM feedbacklinkused")] == ["b" * 64]


def test_heads_read_from_the_scripts_are_alembics_heads() -> None:
    from alembic.script import ScriptDirectory

    assert db.heads() == frozenset(ScriptDirectory.from_config(db.alembic_config("sqlite://")).get_heads())


async def test_at_head_only_once_every_migration_has_run(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"
    engine = db.make_engine(url)
    try:
        assert not await db.at_head(engine)  # never migrated: no alembic_version table
        await db.upgrade(url, "0006")
        assert not await db.at_head(engine)
        await db.upgrade(url)
        assert await db.at_head(engine)
    finally:
        await engine.dispose()
