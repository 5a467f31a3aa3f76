"""Scenario: anonymous feedback, goals, admin digests and concern alerts, end to end through /api/messages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from adapters.teams.render import render_message
from fairloop.app import GRAPH
from storage.db import unit_of_work
from storage.models import Concern, Feedback, GoalRow
from tests.support.teams.fake_aad import FakeAAD
from tests.support.teams.fake_connector import FakeConnector
from tests.support.teams.harness import ANA, RAJ, TENANT, Person, TeamsHarness, actions_of, card_text
from tests.support.teams.schemas import assert_valid_card
from tests.support.teams.signed import SignedHarness, signed_app, signed_config

TEAM = "TestTeam2022"  # the team name in Microsoft's bot-added-to-team fixture
CHANNEL = "19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2"
FEEDBACK_SUBMIT = "form:feedback.anonymous"
PRIVATE_IN_CHANNEL = (
    "I answer that in our 1:1 chat, so it stays private to you: open fairloop in Teams and ask me there."
)
REFUSAL = "goal is for fairloop admins (listed in fairloop.toml). Anyone can use stats and goals."
# 29 Feb 09:00: never due while a test runs, so the app's own digest sweep stays out of the way
DIGEST = {"name": "weekly-sync", "platform": "teams", "channel": TEAM, "cron": "0 9 29 2 *"}
DIGEST.update(timezone="UTC", period="7d", audience="dei")

StartTeams = Callable[..., Awaitable[TeamsHarness]]


@pytest.fixture
async def start_teams(tmp_path: Path, connector: FakeConnector, aad: FakeAAD) -> AsyncIterator[StartTeams]:
    """The `teams` harness with settings overrides: `teams = await start_teams(admins=[ANA.aad])`."""
    clients: list[TestClient] = []

    async def start(**extra: Any) -> TeamsHarness:
        app = signed_app(signed_config(tmp_path, aad, **extra), aad)
        client = TestClient(TestServer(app, host="127.0.0.1"))
        await client.start_server()
        clients.append(client)
        return SignedHarness(client=client, connector=connector, aad=aad)

    yield start
    for client in clients:
        await client.close()


async def _add_to_team(teams: TeamsHarness) -> None:
    """Microsoft's bot-added-to-team activity: registers the channel as TEAM and says hello there."""
    response = await teams.post(teams.activity("msteams-docs.conversationUpdate.bot-added-to-team.json"))
    assert response.status == 200, await response.text()
    assert len(teams.connector.posts(CHANNEL)) == 1


def _channel_activity(teams: TeamsHarness, fixture: str, person: Person, **fields: Any) -> dict[str, Any]:
    """An activity sent by `person` in the team's channel (not in their 1:1 chat)."""
    activity = teams.activity(fixture, **fields)
    activity["from"] = {"id": person.teams_id, "name": person.name, "aadObjectId": person.aad}
    activity["conversation"] = {"isGroup": True, "conversationType": "channel", "tenantId": TENANT, "id": CHANNEL}
    activity["channelData"] = {"channel": {"id": CHANNEL}, "team": {"name": TEAM}, "tenant": {"id": TENANT}}
    return activity


def _errors(card: dict[str, Any]) -> list[str]:
    return [e["text"] for e in card["body"] if e.get("type") == "TextBlock" and e.get("color") == "Attention"]


def _inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if str(e.get("type", "")).startswith("Input.")}


async def _rows(teams: TeamsHarness, model: type) -> list[Any]:
    async with unit_of_work(teams.app[GRAPH].sessions) as session:
        return list(await session.exec(select(model)))


# ---- 1. anonymous feedback ----


async def test_feedback_form_validates_then_stores_nothing_about_the_sender(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    (form,) = await teams.say(ANA, "feedback")  # validated against the 1.5 schema by say()
    assert form["body"][0]["text"] == "Anonymous feedback"
    assert card_text(form).count("not who you are, not the time of day") == 1
    inputs = _inputs(form)
    assert list(inputs) == ["category", "text"]
    assert [c["value"] for c in inputs["category"]["choices"]] == ["process", "checkins", "training", "other"]
    assert inputs["text"]["isMultiline"] is True and inputs["text"]["maxLength"] == 2000
    submit = actions_of(form)[FEEDBACK_SUBMIT]
    assert submit["title"] == "Send anonymously" and submit["data"] == {"_context": ""}

    empty = await teams.click(ANA, {**submit, "data": {**submit["data"], "category": "", "text": "   "}})
    assert empty["statusCode"] == 200
    again = empty["value"]  # validated by click()
    assert FEEDBACK_SUBMIT in actions_of(again)
    assert _errors(again) == ["Pick what it is about.", "Write a few words — it's anonymous."]
    assert await _rows(teams, Feedback) == []

    text = "Debriefs run long and the rubric gets skipped."
    done = await teams.click(ANA, {**submit, "data": {**submit["data"], "category": "process", "text": text}})
    assert done["statusCode"] == 200
    assert card_text(done["value"]) == (
        "Thank you. Stored anonymously: the category, the text and the date, nothing about you."
    )
    assert actions_of(done["value"]) == {}
    (row,) = await _rows(teams, Feedback)
    assert row.model_dump() == {
        "id": row.id,
        "source": "colleague",
        "category": "process",
        "rating": None,
        "text": text,
        "day": datetime.now(UTC).date(),
    }
    stored = " ".join(str(v) for v in row.model_dump().values())
    assert not any(mark in stored for mark in (ANA.aad, ANA.teams_id, ANA.email, ANA.name, "Ana"))


async def test_feedback_in_a_channel_is_answered_privately(teams: TeamsHarness) -> None:
    activity = teams.activity("message.channel-mention.json", text="<at>fairloop</at> feedback")
    assert (await teams.post(activity)).status == 200
    (post,) = teams.connector.posts()
    assert post.conversation_id == activity["conversation"]["id"]
    (card,) = teams.connector.cards([post])
    assert_valid_card(card)
    assert card_text(card) == PRIVATE_IN_CHANNEL
    assert _inputs(card) == {} and "actions" not in card  # no form in front of the whole channel


# ---- 2. goals ----


@pytest.mark.parametrize("admin", [ANA.aad, ANA.email.upper()], ids=["by-aad-object-id", "by-email"])
async def test_goal_set_is_for_admins_and_shows_in_goals(start_teams: StartTeams, admin: str) -> None:
    teams = await start_teams(admins=[admin])
    await teams.install(ANA)
    await teams.install(RAJ)

    (none_yet,) = await teams.say(RAJ, "goals")
    assert none_yet["body"][0]["text"].startswith("Goals · last 30 days (")
    assert none_yet["body"][1]["text"] == "No goals yet. An admin can add one: goal set all response 90%."

    (refused,) = await teams.say(RAJ, "goal set all response 90%")
    assert card_text(refused) == REFUSAL
    assert refused["fallbackText"] == REFUSAL
    assert await _rows(teams, GoalRow) == []

    (done,) = await teams.say(ANA, "goal set all response 90%")
    assert card_text(done) == "Goal set: response ≥ 90%. It shows in goals and in the digests."
    (goal,) = await _rows(teams, GoalRow)
    assert (goal.team, goal.metric, goal.target, goal.set_by) == ("", "response", 0.9, ANA.name)

    (listed,) = await teams.say(RAJ, "goals")  # anyone sees them
    assert listed["body"][1]["text"] == "- response ≥ 90% (not enough responses yet)"


# ---- 3. digests ----


async def test_digest_send_posts_the_card_in_the_registered_channel(start_teams: StartTeams) -> None:
    teams = await start_teams(admins=[ANA.email], digests=[DIGEST])
    await _add_to_team(teams)
    await teams.install(ANA)

    (preview,) = await teams.say(ANA, "digest preview")  # only the admin sees it: nothing in the channel yet
    assert preview["body"][0]["text"].startswith("DEI sync · ")
    assert len(teams.connector.posts(CHANNEL)) == 1

    before = len(teams.connector.posts(ANA.conversation))
    await teams.say(ANA, "digest send weekly-sync")  # say() validates every card posted meanwhile
    (sent,) = teams.connector.cards(teams.connector.posts(ANA.conversation)[before:])
    assert card_text(sent) == f"Sent the **weekly-sync** digest to {TEAM} (teams)."
    posts = teams.connector.posts(CHANNEL)[1:]  # after the hello
    assert len(posts) == 1 and posts[0].activity_id is None and posts[0].status == 201  # a new post, not a reply
    (card,) = teams.connector.cards(posts)
    assert_valid_card(card)
    _, built = await teams.app[GRAPH].delivery.digest("weekly-sync")
    assert card == render_message(built)  # exactly what the core built
    assert card["body"][0]["text"] == preview["body"][0]["text"]
    assert "Open concerns: none." in card_text(card) and "Feedback: none this period." in card_text(card)

    (refused,) = await teams.say(RAJ, "digest send")
    assert card_text(refused) == REFUSAL.replace("goal is", "digest is")
    assert len(teams.connector.posts(CHANNEL)) == 2  # nothing more in the channel


# ---- 4. concern alerts ----


@pytest.mark.parametrize(
    "where",
    [{"alerts": {"platform": "teams", "channel": TEAM}}, {"digests": [DIGEST]}],
    ids=["alerts-setting", "first-dei-digest"],
)
async def test_a_concern_alerts_the_channel_and_is_acknowledged_there(
    start_teams: StartTeams, where: dict[str, Any]
) -> None:
    teams = await start_teams(admins=[RAJ.aad], **where)  # Raj is on the DEI team
    await _add_to_team(teams)
    await teams.install(ANA)
    await teams.install(RAJ)
    await teams.interview("gh-40", ANA.email)
    message_id, prompt = await teams.wait_for_prompt(ANA)

    form = (await teams.click(ANA, actions_of(prompt)["checkin.concern"], message_id=message_id))["value"]
    submit = actions_of(form)["form:checkin.concern"]
    text = "Asked the candidate about family plans."
    sent = await teams.click(ANA, {**submit, "data": {**submit["data"], "text": text}}, message_id=message_id)
    assert card_text(sent["value"]).endswith("Thank you for speaking up. The DEI team will follow up with you.")

    posts = teams.connector.posts(CHANNEL)[1:]  # after the hello
    assert len(posts) == 1 and posts[0].activity_id is None
    (alert,) = teams.connector.cards(posts)
    assert_valid_card(alert)
    (concern,) = await _rows(teams, Concern)
    assert alert["body"][0]["text"] == "Concern raised · Platform"
    assert alert["body"][1]["text"].endswith(f"\n“{text}”")
    facts = {f["title"]: f["value"] for f in alert["body"][2]["facts"]}
    assert facts == {"Raised by": ANA.name, "Status": "open — waiting for someone to pick it up"}
    buttons = actions_of(alert)
    assert list(buttons) == ["concern.ack", "concern.resolve"]
    assert [b["title"] for b in buttons.values()] == ["Acknowledge", "Resolve"]
    assert all(b["type"] == "Action.Execute" and b["data"] == {"value": str(concern.id)} for b in buttons.values())

    invoke = _channel_activity(teams, "invoke.adaptiveCard-action.json", RAJ, replyToId=posts[0].response_id)
    ack = buttons["concern.ack"]
    invoke["value"] = {"action": {"type": "Action.Execute", "verb": ack["verb"], "data": ack["data"]}}
    response = await teams.post(invoke)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    updated = body["value"]
    assert_valid_card(updated)
    facts = {f["title"]: f["value"] for e in updated["body"] if e["type"] == "FactSet" for f in e["facts"]}
    assert facts == {"Raised by": ANA.name, "Status": "acknowledged"}
    assert f"Owner: {RAJ.name}" in card_text(updated).split("\n")
    assert list(actions_of(updated)) == ["concern.resolve"]
    (stored,) = await _rows(teams, Concern)
    assert (stored.status, stored.owner) == ("acknowledged", RAJ.name)
    # an invoke response only replaces the clicker's copy: the alert itself is updated for the whole channel
    (put,) = teams.connector.updates(CHANNEL)
    assert put.activity_id == posts[0].response_id
    assert teams.connector.cards([put]) == [updated]
    assert len(teams.connector.posts(CHANNEL)) == 2  # no new message in the channel

    resolve = actions_of(updated)["concern.resolve"]
    invoke["value"] = {"action": {"type": "Action.Execute", "verb": resolve["verb"], "data": resolve["data"]}}
    invoke["id"] += "-resolve"  # another click is another activity (the same id again would be a replay)
    resolved = (await (await teams.post(invoke)).json())["value"]
    assert_valid_card(resolved)
    assert "resolved ✓" in card_text(resolved) and list(actions_of(resolved)) == ["concern.ack"]
    assert [u.activity_id for u in teams.connector.updates(CHANNEL)] == [posts[0].response_id] * 2
