"""Anonymous feedback from Teams leaves no trail: the bot neither looks the sender up (no member look-up at the
Connector) nor remembers them, the thank-you replaces the card, and a replayed invoke (the same activity id)
stores one note."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from fairloop.app import GRAPH
from tests.support.databases import refuse_inserts
from tests.support.teams.harness import MIA, TeamsHarness, actions_of, card_text

SUBMIT = "form:feedback.anonymous"
NOTE = "The take-home is eight hours; carers drop out."
THANKS = "Thank you. Stored anonymously: the category, the text and the date, nothing about you."


def rows(path: Path, name: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(f'SELECT * FROM "{name}"').fetchall()


@pytest.mark.sqlite
async def test_feedback_from_teams_never_looks_the_sender_up_or_remembers_them(
    teams: TeamsHarness, tmp_path: Path
) -> None:
    (form,) = await teams.say(MIA, "feedback")  # Mia has never installed the app nor been prompted
    submit = actions_of(form)[SUBMIT]
    done = await teams.click(MIA, {**submit, "data": {**submit["data"], "category": "process", "text": NOTE}})
    assert (done["statusCode"], card_text(done["value"])) == (200, THANKS)  # the card is the thank-you
    lookups = [c.path for c in teams.connector.calls if c.method == "GET"]
    assert lookups == []  # no TeamsInfo.get_member: fairloop never asked who Mia is
    assert [c.conversation_id for c in teams.connector.posts()] == [MIA.conversation]  # the form; then nothing
    path = tmp_path / "fairloop.db"
    assert rows(path, "person") == [] and rows(path, "identity") == []
    stored = "\n".join(repr(r) for name in ("feedback", "processedevent", "setting") for r in rows(path, name))
    assert NOTE in stored
    for trace in (MIA.aad, MIA.teams_id, MIA.email, MIA.name, MIA.conversation):
        assert trace not in stored


@pytest.mark.sqlite
async def test_a_replayed_feedback_invoke_stores_one_note(teams: TeamsHarness, tmp_path: Path) -> None:
    (form,) = await teams.say(MIA, "feedback")
    submit = actions_of(form)[SUBMIT]
    sent = {"type": "Action.Execute", "verb": SUBMIT, "data": {**submit["data"], "category": "other", "text": NOTE}}
    invoke = teams.activity("invoke.adaptiveCard-action.json", person=MIA, value={"action": sent, "trigger": "manual"})
    answers = []
    for _ in range(3):  # the very same activity, id and all
        response = await teams.post(invoke)
        answers.append((response.status, await response.json()))
    assert [status for status, _ in answers] == [200, 200, 200]
    assert card_text(answers[0][1]["value"]) == THANKS
    assert [card_text(body["value"]) for _, body in answers[1:]] == ["Already received — thank you."] * 2
    assert [r[4] for r in rows(tmp_path / "fairloop.db", "feedback")] == [NOTE]


async def test_the_logs_carry_neither_the_note_nor_its_author_even_when_storing_fails(
    teams: TeamsHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    (form,) = await teams.say(MIA, "feedback")
    async with teams.app[GRAPH].engine.begin() as conn:  # a real failure, whose PostgreSQL message quotes the row
        await refuse_inserts(conn, "feedback")
    submit = actions_of(form)[SUBMIT]
    sent = {"type": "Action.Execute", "verb": SUBMIT, "data": {**submit["data"], "category": "other", "text": NOTE}}
    invoke = teams.activity("invoke.adaptiveCard-action.json", person=MIA, value={"action": sent, "trigger": "manual"})
    response = await teams.post(invoke)
    assert (response.status, (await response.json())["statusCode"]) == (500, 500)  # Teams shows "try again"
    # every line, tracebacks included, but the fake Bot Connector's own access log (Teams' side, not fairloop's)
    ours = "\n".join(line for line in caplog.text.splitlines() if "/v3/conversations/" not in line)
    assert "teams invoke activity failed" in ours  # the failure is logged...
    for trace in (NOTE, MIA.aad, MIA.teams_id, MIA.email, MIA.name, MIA.conversation):  # ...with nothing of it
        assert trace not in ours
