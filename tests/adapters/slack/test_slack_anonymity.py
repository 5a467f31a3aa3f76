"""Must show: anonymous feedback from Slack leaves no trail — not in Slack (no DM, no conversations.open, no
users.info), not in the database (no person, identity or event key with the author's id or email) — and a
replayed request (same signature and timestamp) is acknowledged and ignored."""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.app import StartApp
from tests.support.databases import refuse_inserts
from tests.support.slack import payloads
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import BOT_TOKEN, SIGNING_SECRET, form_body
from tests.support.slack.world import SlackWorld

ZED = "U0ZED0009"  # in the workspace, never prompted, never seen by fairloop
THANKS = "Thank you. Stored anonymously: the category, the text and the date, nothing about you."
NOTE = "Debriefs start before everyone has written their scores."


@pytest.fixture
async def world(fake_slack: FakeSlack, start_app: StartApp) -> AsyncIterator[SlackWorld]:
    fake_slack.add_user("zed@example.com", ZED, name="Zed")
    running = await start_app(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.base_url,
        playground=False,
        min_group_size=1,
    )
    yield SlackWorld(running=running, fake=fake_slack)


def every_value(path: Path) -> str:
    """Every value in every table of the database, as one text to search."""
    with closing(sqlite3.connect(path)) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(repr(row) for name in names for row in conn.execute(f'SELECT * FROM "{name}"'))


def table(path: Path, name: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f'SELECT * FROM "{name}"').fetchall()


@pytest.mark.sqlite
async def test_feedback_from_someone_never_prompted_leaves_no_trail_in_slack_or_the_database(
    world: SlackWorld, tmp_path: Path
) -> None:
    opened_by = await world.command("feedback", user=ZED)
    assert (opened_by.status, opened_by.text) == (200, "")
    [opened] = await world.fake.wait_for("views.open")
    view = opened["view"]
    assert view["callback_id"] == "feedback.anonymous"

    done = await world.submit(view, {"category": "process", "text": NOTE}, user=ZED)
    assert done.status == 200
    assert done.json() == {  # the thank-you takes the modal's place: no message is sent anywhere
        "response_action": "update",
        "view": {
            "type": "modal",
            "title": {"type": "plain_text", "text": "Anonymous feedback", "emoji": True},
            "close": {"type": "plain_text", "text": "Close", "emoji": True},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": THANKS, "verbatim": True}}],
        },
    }
    await world.settle(0.5)
    calls = [(c.method, c.params) for c in world.fake.calls]
    assert calls == [  # Bolt asks who the bot is, then the form opens: no users.info, conversations.open or DM
        ("auth.test", {"team_id": "T0FAIRLOOP"}),
        ("views.open", {"trigger_id": opened["trigger_id"], "view": view}),
    ]
    assert world.fake.hooks == []  # nor an answer through the slash command's response_url

    path = tmp_path / "fairloop.db"
    stored = every_value(path)
    assert NOTE in stored  # the note is there...
    for trace in (ZED, "zed@example.com", "Zed", "D0ZED0009"):  # ...and nothing about who wrote it
        assert trace.lower() not in stored.lower().replace(NOTE.lower(), "")
    assert table(path, "person") == [] and table(path, "identity") == []


@pytest.mark.sqlite
async def test_a_replayed_view_submission_stores_one_note(world: SlackWorld, tmp_path: Path) -> None:
    await world.command("feedback", user=ZED)
    [opened] = await world.fake.wait_for("views.open")
    body = form_body(
        payloads.view_submission(user=ZED, view=opened["view"], values={"category": "other", "text": NOTE})
    )
    signed_at = int(time.time())  # the same body and timestamp: the same signature, three times over
    first = await world.send(body, timestamp=signed_at)
    replays = [await world.send(body, timestamp=signed_at) for _ in range(2)]
    assert first.status == 200 and first.json()["response_action"] == "update"
    assert [(r.status, r.text) for r in replays] == [(200, ""), (200, "")]  # acknowledged, and nothing done
    await world.settle()
    assert [row[4] for row in table(tmp_path / "fairloop.db", "feedback")] == [NOTE]
    keys = table(tmp_path / "fairloop.db", "processedevent")
    assert len(keys) == 2  # the slash command's signature and the submission's: keyed hashes, dated to the day
    today = datetime.now(UTC).date().isoformat()
    assert all(re.fullmatch(r"replay:[0-9a-f]{64}", key) for key, _ in keys)
    assert {at for _, at in keys} == {f"{today} 00:00:00.000000"}


async def test_the_logs_carry_neither_the_note_nor_its_author_even_when_storing_fails(
    world: SlackWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # fairloop logs at INFO (fairloop/logs.py); the access log is on here too
    logging.getLogger("aiohttp.access").setLevel(logging.INFO)
    await world.command("feedback", user=ZED)
    [opened] = await world.fake.wait_for("views.open")
    done = await world.submit(opened["view"], {"category": "process", "text": NOTE}, user=ZED)
    assert done.thanks() == THANKS
    async with world.running.graph.engine.begin() as conn:  # a real failure, whose PostgreSQL message quotes the row
        await refuse_inserts(conn, "feedback")
    await world.command("feedback", user=ZED)
    [_, again] = await world.fake.wait_for("views.open", 2)
    failed = await world.submit(again["view"], {"category": "other", "text": "second " + NOTE}, user=ZED)
    assert failed.thanks().startswith("Sorry, something went wrong on our side.")
    assert "slack form feedback.anonymous failed" in caplog.text  # the failure is logged...
    assert NOTE not in caplog.text  # ...without the note (neither SQLAlchemy's parameters nor the database's detail)
    for trace in (ZED, ZED.lower(), "zed@example.com"):
        assert trace not in caplog.text
