"""FAIRLOOP_SECRET_KEY never lives in the database: PostgreSQL needs it set, SQLite keeps a generated one in a
file beside the database, and a key an older version stored in the database moves out to that file."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.settings import SettingsError
from bot.tokens import Signer
from fairloop.config import load_config
from fairloop.secret import key_file
from storage import db
from tests.support.app import StartApp, interview
from tests.support.core import wired

REFUSAL = (
    "FAIRLOOP_SECRET_KEY: required with PostgreSQL, set in the environment (it must not live in the database); "
    "a database an older fairloop ran on holds its generated key: SELECT value FROM setting WHERE key = 'secret_key'"
)
PG = "postgresql+asyncpg://fairloop@127.0.0.1:1/nowhere"


def test_postgres_without_a_secret_key_is_refused_in_one_line() -> None:
    with pytest.raises(SettingsError) as caught:
        load_config(database_url=PG)
    assert str(caught.value) == REFUSAL
    assert load_config(database_url=PG, secret_key="from-the-environment").server.secret_key == "from-the-environment"


def test_fairloop_serve_on_postgres_without_a_key_stops_before_connecting(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "FAIRLOOP_DATABASE_URL": PG, "FAIRLOOP_CONFIG": str(tmp_path / "absent.toml")}
    result = subprocess.run(
        [sys.executable, "-m", "fairloop", "serve"], capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path
    )
    assert (result.returncode, result.stderr.strip()) == (2, f"fairloop: {REFUSAL}")


def database_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def stored_settings(path: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute("SELECT key, value FROM setting").fetchall()


@pytest.mark.sqlite
async def test_sqlite_keeps_its_generated_key_in_a_private_file_beside_the_database(
    start_app: StartApp, tmp_path: Path
) -> None:
    running = await start_app(secret_key=None, playground=False)
    item = interview("k-1")  # posted twice as it is: the interview never moves, so only a new key changes its link
    _, body = await running.post_interviews(item)
    url = body["interviews"][0]["candidate_feedback_url"]
    key_file = tmp_path / "fairloop.db.secret"
    key = key_file.read_text(encoding="utf-8").strip()
    assert len(key) >= 40 and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stored_settings(tmp_path / "fairloop.db") == []
    assert key.encode() not in database_bytes(tmp_path / "fairloop.db")

    again = await start_app(secret_key=None, playground=False)  # a restart reads the same key
    _, body = await again.post_interviews(item)
    assert body["interviews"][0]["candidate_feedback_url"] == url
    async with again.http.get(again.url + url[url.index("/f/") :]) as resp:
        assert resp.status == 200


@pytest.mark.sqlite
async def test_a_key_an_older_version_stored_in_the_database_moves_to_the_file(
    start_app: StartApp, tmp_path: Path
) -> None:
    path = tmp_path / "fairloop.db"
    await db.upgrade(f"sqlite+aiosqlite:///{path}", "0006")  # the schema the older version left behind
    old_key = "generated-by-an-older-fairloop-0123456789abcdef"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("INSERT INTO setting (key, value) VALUES ('secret_key', ?)", (old_key,))
    ended = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    sent_before = Signer(secret_key=old_key).feedback_token(1, issued_at=ended)  # a link already in an inbox

    async with wired(tmp_path, secret_key=None):
        assert (tmp_path / "fairloop.db.secret").read_text(encoding="utf-8").strip() == old_key
        assert stored_settings(path) == []
        assert old_key.encode() not in database_bytes(path)  # deleted, its bytes overwritten, the log checkpointed

    running = await start_app(secret_key=None, playground=False)
    async with running.http.get(f"{running.url}/f/{sent_before}") as resp:
        assert resp.status == 200  # links sent before the upgrade keep working


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite+aiosqlite:///./fairloop.db", "./fairloop.db.secret"),
        ("sqlite+aiosqlite:////var/lib/fairloop/data.db", "/var/lib/fairloop/data.db.secret"),
        ("sqlite+aiosqlite://", None),
        ("sqlite+aiosqlite:///:memory:", None),
        ("postgresql+asyncpg://fairloop@db/fairloop", None),  # never a file named after a PostgreSQL database
    ],
)
def test_only_a_sqlite_file_gets_a_key_file(url: str, expected: str | None) -> None:
    assert key_file(url) == (Path(expected) if expected else None)
