"""Must show: three candidates answer through the real form, in a known order, and a reader of the database (a
SQLite backup, the PostgreSQL tables) cannot tie any answer to its interview — no shared value, no sequence, no
physical order, no transaction id, and no marker that anything stored in the database can recompute. The same
reader ties every answer under the old design."""

from __future__ import annotations

import hashlib
import hmac
import re
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.tokens import Signer
from storage import db
from tests.support.app import Running, StartApp, interview
from tests.support.dbreader import Dump, read_postgres, read_sqlite, ties
from tests.support.postgres import URL, fresh_schema, needs_postgres

ANSWERS = ("first to answer", "second to answer", "third to answer")


async def three_interviews(running: Running) -> list[str]:
    """Three interviews that ended an hour apart; their candidates' feedback links."""
    urls = []
    for n, name in enumerate(("a", "b", "c")):
        status, body = await running.post_interviews(
            interview(f"reader-{name}", ended_ago=timedelta(hours=3 - n), candidate_ref=f"candidate-{name}")
        )
        assert status == 200
        url = body["interviews"][0]["candidate_feedback_url"]
        urls.append(running.url + url[url.index("/f/") :])
    return urls


async def answer_in_order(running: Running, urls: list[str]) -> None:
    """Each candidate answers through the HTML form, in the order their interviews ended."""
    for n, url in enumerate(urls):
        async with running.http.post(url, data={"rating": str(n + 3), "text": ANSWERS[n]}) as resp:
            assert resp.status == 200


def arrival(dump: Dump) -> list[str]:
    """The feedback keys in the order the answers came in (the test knows each text; a reader would not)."""
    by_text = {row["text"]: row["id"] for row in dump.tables["feedback"]}
    return [by_text[t] for t in ANSWERS]


def scanned(dump: Dump) -> list[str]:
    return [row["id"] for row in dump.tables["feedback"]]


def markers_with(key: str, dump: Dump) -> set[str]:
    """The markers as fairloop computes them: only someone holding the key (not in the database) can."""
    ids = [row["id"] for row in dump.tables["interview"]]
    return {hmac.new(key.encode(), f"candidate-link:{i}".encode(), hashlib.sha256).hexdigest() for i in ids}


def check_the_rows(dump: Dump, before: Dump) -> list[str]:
    """What holds from the moment the answers are stored; returns the arrival order."""
    changed = {name for name, rows in dump.tables.items() if rows != before.tables.get(name)}
    assert changed == {"feedback", "feedbacklinkused"}  # the answers touch no other table
    arrived = arrival(dump)
    assert set(dump.tables["feedback"][0]) == {"id", "source", "category", "rating", "text", "day"}
    assert [set(row) for row in dump.tables["feedbacklinkused"]] == [{"marker"}] * 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in arrived)  # random keys, not a count
    assert len({row["day"] for row in dump.tables["feedback"]}) == 1  # one day for all three: it tells none apart
    return arrived


@pytest.mark.sqlite
async def test_a_sqlite_backup_cannot_tie_an_answer_to_its_interview(start_app: StartApp, tmp_path: Path) -> None:
    running = await start_app(playground=False, secret_key=None)  # the key is generated, as in the quickstart
    path = tmp_path / "fairloop.db"
    urls = await three_interviews(running)
    before = read_sqlite(path, tmp_path / "before.db")
    await answer_in_order(running, urls)

    now = read_sqlite(path, tmp_path / "now.db")
    arrived = check_the_rows(now, before)
    assert scanned(now) == sorted(arrived)  # a plain scan follows the random key from the start
    with closing(sqlite3.connect(tmp_path / "now.db")) as conn, pytest.raises(sqlite3.OperationalError, match="rowid"):
        conn.execute("SELECT rowid FROM feedback")  # WITHOUT ROWID: there is no insertion counter to read
    assert now.layout["feedback"] == arrived  # the residual: until the daily run, a page's cells lie as they came

    await running.graph.retention.purge(daily=True)
    later = read_sqlite(path, tmp_path / "later.db")
    assert arrival(later) == arrived
    assert later.layout["feedback"] == sorted(arrived)  # rewritten in key order: the arrival order is gone
    assert later.layout["feedbacklinkused"] == sorted(row["marker"] for row in later.tables["feedbacklinkused"])
    assert ties(later, arrived=arrived) == []
    key = (tmp_path / "fairloop.db.secret").read_text(encoding="utf-8").strip()
    assert {row["marker"] for row in later.tables["feedbacklinkused"]} == markers_with(key, later)


@needs_postgres
async def test_the_postgres_tables_cannot_tie_an_answer_to_its_interview(start_app: StartApp) -> None:
    assert URL
    await fresh_schema()
    engine = db.make_engine(URL)
    async with engine.begin() as conn:  # what an older version left: its generated key, in the database
        await conn.execute(text("INSERT INTO setting (key, value) VALUES ('secret_key', 'an-older-generated-key')"))
    await engine.dispose()
    running = await start_app(playground=False, database_url=URL)
    urls = await three_interviews(running)
    before = await read_postgres(URL)
    assert before.tables["setting"] == []
    await answer_in_order(running, urls)

    now = await read_postgres(URL)
    arrived = check_the_rows(now, before)
    assert now.layout["feedback"] == scanned(now) == arrived  # the residual: until the daily run, rows lie as they came
    assert "a marker and an answer were written by the same transaction (xmin)" in ties(now, arrived=arrived)

    await running.graph.retention.purge(daily=True)
    later = await read_postgres(URL)
    assert later.layout["feedback"] == scanned(later) == sorted(arrived)  # CLUSTER: rewritten in key order
    assert len(set(later.versions["feedback"] + later.versions["feedbacklinkused"])) == 1  # one xmin for all
    assert ties(later, arrived=arrived) == []
    key = running.graph.config.server.secret_key
    assert key is not None
    assert {row["marker"] for row in later.tables["feedbacklinkused"]} == markers_with(key, later)


async def test_the_same_reader_ties_every_answer_under_the_old_design(tmp_path: Path) -> None:
    """Before 0007: the key generated into `setting`, sha256(token) as the marker, autoincrement ids. Written here
    row by row as the old code wrote them, then read with the same reader."""
    path = tmp_path / "old.db"
    await db.upgrade(f"sqlite+aiosqlite:///{path}", "0006")
    key, day = "generated-and-kept-in-the-database", datetime.now(UTC).date()
    ended = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("INSERT INTO setting (key, value) VALUES ('secret_key', ?)", (key,))
        for n, name in enumerate(("a", "b", "c")):
            ends = ended - timedelta(hours=3 - n)
            conn.execute(
                "INSERT INTO interview (id, external_id, role, team, stage, starts_at, ends_at, candidate_ref, status,"
                " created_at, updated_at) VALUES (?, ?, 'Engineer', 'Platform', 'onsite', ?, ?, ?, 'scheduled', ?, ?)",
                (n + 1, f"reader-{name}", ends - timedelta(hours=1), ends, f"candidate-{name}", ends, ends),
            )
        for n in range(3):
            token = Signer(secret_key=key).feedback_token(n + 1, issued_at=(ended - timedelta(hours=3 - n)))
            digest = hashlib.sha256(token.encode()).hexdigest()
            conn.execute("INSERT INTO feedbacklinkused (digest, day) VALUES (?, ?)", (digest, day))
            conn.execute(
                "INSERT INTO feedback (source, rating, text, day) VALUES ('candidate', ?, ?, ?)",
                (n + 3, ANSWERS[n], day),
            )
    found = ties(read_sqlite(path, tmp_path / "copy.db"), arrived=[1, 2, 3])
    for n in (1, 2, 3):
        assert f"the marker of interview {n} is computed from a value in the database" in found
        assert f"feedback.id holds a value of an interview ({n})" in found
    assert "feedback keys are sequence numbers, which count the answers as they arrive" in found
