"""Feedback, goals, digests and concern alerts end to end: signed HTTP in, the fake Slack Web API out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select

from storage.models import Concern, Feedback, GoalRow
from tests.support.app import StartApp
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.payloads import block_actions
from tests.support.slack.signing import ANA, BOT_TOKEN, MIA, RAJ, SIGNING_SECRET, form_body
from tests.support.slack.world import SlackWorld

DEI = "C0DEI"
DIGEST = {
    "name": "dei-weekly",
    "platform": "slack",
    "channel": DEI,
    "cron": "0 9 29 2 *",  # never due while a test runs: the app's own digest sweep stays out of the way
    "timezone": "UTC",
    "period": "7d",
    "audience": "dei",
}
REFUSED = "{} is for fairloop admins (listed in fairloop.toml). Anyone can use stats and goals."  # the fallback text
THANKS = "Thank you. Stored anonymously: the category, the text and the date, nothing about you."
CONCERN_THANKS = "Thank you for speaking up. The DEI team will follow up with you."


async def open_world(fake: FakeSlack, start_app: StartApp, **overrides: Any) -> SlackWorld:
    running = await start_app(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.base_url,
        playground=False,
        min_group_size=1,
        **overrides,
    )
    return SlackWorld(running=running, fake=fake)


@pytest.fixture
async def world(fake_slack: FakeSlack, start_app: StartApp) -> AsyncIterator[SlackWorld]:
    yield await open_world(fake_slack, start_app, admins=[ANA, MIA], digests=[DIGEST])


def channel_posts(world: SlackWorld, channel: str) -> list[dict[str, Any]]:
    return [p for p in world.fake.called("chat.postMessage") if p["channel"] == channel]


def buttons(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["action_id"], e["text"]["text"]) for b in body["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]


def fields(body: dict[str, Any]) -> list[str]:
    return [f["text"] for b in body["blocks"] if b.get("fields") for f in b["fields"]]


async def rows(world: SlackWorld, model: Any) -> list[Any]:
    async with world.running.graph.sessions() as session:
        return list((await session.exec(select(model))).all())


# ---- 1. anonymous feedback ----
async def test_feedback_opens_the_anonymous_form_refuses_it_empty_and_keeps_nothing_about_the_sender(
    world: SlackWorld,
) -> None:
    answer = await world.command("feedback", user=MIA)
    assert answer.status == 200 and answer.seconds < 3.0
    [opened] = await world.fake.wait_for("views.open")
    view = opened["view"]
    assert (view["type"], view["callback_id"], view["title"]["text"]) == (
        "modal",
        "feedback.anonymous",
        "Anonymous feedback",
    )
    assert "private_metadata" not in view
    assert [b.get("block_id") for b in view["blocks"]] == [view["blocks"][0].get("block_id"), "category", "text"]
    assert view["blocks"][0]["text"]["text"] == (
        "What's stored: the category, your text and the date — not who you are, not the time of day."
    )
    assert [o["value"] for o in view["blocks"][1]["element"]["options"]] == ["process", "checkins", "training", "other"]

    empty = await world.submit(view, {"category": "", "text": ""}, user=MIA)
    assert empty.status == 200
    assert empty.json() == {
        "response_action": "errors",
        "errors": {"category": "Pick what it is about.", "text": "Write a few words — it's anonymous."},
    }
    assert await rows(world, Feedback) == []

    text = "The take-home was 8 hours; that shuts out carers."
    done = await world.submit(view, {"category": "process", "text": text}, user=MIA)
    assert (done.status, done.thanks()) == (200, THANKS)  # in the modal: no message is sent
    [row] = await rows(world, Feedback)
    assert set(row.model_dump()) == {"id", "source", "category", "rating", "text", "day"}  # no column for who
    assert (row.source, row.category, row.text, row.rating) == ("colleague", "process", text, None)
    assert not any(MIA.lower() in str(v).lower() or "mia" in str(v).lower() for v in row.model_dump().values())

    await world.settle()
    assert world.fake.called("chat.postMessage") == [] and world.fake.called("conversations.open") == []
    assert world.fake.called("users.info") == []  # neither the slash command nor the submission looks Mia up


# ---- 2. goals ----
async def test_goals_answer_privately_and_only_admins_set_them(world: SlackWorld) -> None:
    assert (await world.command("goals", user=RAJ)).status == 200
    [shown] = await world.fake.wait_for_hook()
    assert shown["response_type"] == "ephemeral"
    assert shown["text"] == "Goals: none yet"
    assert shown["blocks"][1]["text"]["text"] == "No goals yet. An admin can add one: `goal set all response 90%`."

    assert (await world.command("goal set all response 90%", user=RAJ)).status == 200
    [_, refused] = await world.fake.wait_for_hook(2)
    assert (refused["response_type"], refused["text"]) == ("ephemeral", REFUSED.format("goal"))
    assert await rows(world, GoalRow) == []

    assert (await world.command("goal set all response 90%", user=ANA)).status == 200
    [*_, done] = await world.fake.wait_for_hook(3)
    assert (done["response_type"], done["text"]) == (
        "ephemeral",
        "Goal set: response ≥ 90%. It shows in goals and in the digests.",
    )
    [goal] = await rows(world, GoalRow)
    assert (goal.team, goal.metric, goal.target, goal.set_by) == ("", "response", 0.9, "Ana")

    await world.command("goals", user=RAJ)
    [*_, now_shown] = await world.fake.wait_for_hook(4)
    assert now_shown["blocks"][1]["text"]["text"] == "• response ≥ 90% (not enough responses yet)"


async def test_an_admin_listed_by_email_is_recognised_through_users_info(
    fake_slack: FakeSlack, start_app: StartApp
) -> None:
    world = await open_world(fake_slack, start_app, admins=["Raj@Example.com"])
    assert (await world.command("goal set all all_practices 0.8", user=RAJ)).status == 200
    [done] = await world.fake.wait_for_hook()
    assert done["text"] == "Goal set: all practices ≥ 80%. It shows in goals and in the digests."
    assert done["blocks"][0]["text"]["text"] == "Goal set: all practices ≥ 80%. It shows in `goals` and in the digests."
    [goal] = await rows(world, GoalRow)
    assert (goal.team, goal.metric, goal.target, goal.set_by) == ("", "all_practices", 0.8, "Raj")
    assert {"user": RAJ} in world.fake.called("users.info")

    await world.command("goal set all response 90%", user=ANA)  # Ana is not listed here
    [_, refused] = await world.fake.wait_for_hook(2)
    assert refused["text"] == REFUSED.format("goal")
    assert len(await rows(world, GoalRow)) == 1


# ---- 3. digests ----
async def test_an_admin_sends_the_digest_to_its_slack_channel(world: SlackWorld) -> None:
    await world.command("digest send", user=RAJ)
    [refused] = await world.fake.wait_for_hook()
    assert refused["text"] == REFUSED.format("digest")
    await world.settle()
    assert channel_posts(world, DEI) == []

    await world.command("digest preview", user=ANA)
    [_, preview] = await world.fake.wait_for_hook(2)
    assert preview["response_type"] == "ephemeral" and preview["text"].startswith("DEI sync · ")
    await world.settle()
    assert channel_posts(world, DEI) == []

    answer = await world.command("digest send", user=ANA)
    assert answer.status == 200 and answer.seconds < 3.0
    [post] = await world.fake.wait_for("chat.postMessage")
    assert post["channel"] == DEI and post["text"] == preview["text"]
    assert post["blocks"] == preview["blocks"]
    assert post["blocks"][0]["type"] == "header" and post["blocks"][0]["text"]["text"].startswith("DEI sync · ")
    sections = [b["text"]["text"] for b in post["blocks"] if b["type"] == "section"]
    assert "Open concerns: none." in sections and "Feedback: none this period." in sections
    [*_, confirmed] = await world.fake.wait_for_hook(3)
    assert (confirmed["response_type"], confirmed["text"]) == (
        "ephemeral",
        "Sent the dei-weekly digest to C0DEI (slack).",
    )


# ---- 4. concern alerts ----
async def raise_concern(world: SlackWorld, text: str) -> dict[str, Any]:
    [dm] = await world.deliver("ana@example.com")
    await world.click(dm, "checkin.concern", user=ANA)
    [opened] = await world.fake.wait_for("views.open")
    answer = await world.submit(opened["view"], {"text": text}, user=ANA)
    assert answer.status == 200 and answer.thanks() == CONCERN_THANKS
    await world.fake.wait_for("chat.postMessage", 2)  # the prompt DM, then the alert (before the ack)
    [alert] = channel_posts(world, DEI)
    return alert


def ts_in(world: SlackWorld, channel: str) -> str:
    [ts] = [ts for (ch, ts) in world.fake.messages if ch == channel]
    return ts


@pytest.mark.parametrize("where", ["alerts", "digest"])
async def test_a_concern_alerts_the_dei_channel_and_acknowledge_updates_it_in_place(
    fake_slack: FakeSlack, start_app: StartApp, where: str
) -> None:
    overrides: dict[str, Any] = (
        {"alerts": {"platform": "slack", "channel": DEI}} if where == "alerts" else {"digests": [DIGEST]}
    )
    world = await open_world(fake_slack, start_app, admins=[RAJ], **overrides)
    alert = await raise_concern(world, "Asked the candidate about family plans.")
    [concern] = await rows(world, Concern)
    assert buttons(alert) == [("concern.ack", "Acknowledge"), ("concern.resolve", "Resolve")]
    assert {e["value"] for b in alert["blocks"] if b["type"] == "actions" for e in b["elements"]} == {str(concern.id)}
    assert alert["text"] == "Concern raised (Platform) by Ana: Asked the candidate about family plans."
    assert alert["blocks"][0]["text"]["text"] == "Concern raised · Platform"
    quoted = alert["blocks"][1]["text"]["text"].split("\n")
    assert quoted[1] == "“Asked the candidate about family plans.”"

    ts = ts_in(world, DEI)
    click = block_actions(user=RAJ, action_id="concern.ack", value=str(concern.id), channel=DEI, ts=ts,
                          response_url=world.fake.response_url("alert"))  # fmt: skip
    click["channel"]["name"] = "dei-alerts"
    answer = await world.send(form_body(click))
    assert (answer.status, answer.text) == (200, "") and answer.seconds < 3.0

    [update] = await world.fake.wait_for("chat.update")
    assert (update["channel"], update["ts"]) == (DEI, ts)
    assert fields(update) == ["*Raised by*\nAna", "*Status*\nacknowledged"]
    assert {"type": "mrkdwn", "text": "Owner: Raj", "verbatim": True} in [
        e for b in update["blocks"] if b["type"] == "context" for e in b["elements"]
    ]
    assert buttons(update) == [("concern.resolve", "Resolve")]
    assert world.fake.messages[(DEI, ts)] is update
    [concern] = await rows(world, Concern)
    assert (concern.status, concern.owner) == ("acknowledged", "Raj")
    await world.settle()
    assert len(channel_posts(world, DEI)) == 1 and world.fake.hooks == []
    assert world.fake.called("chat.postEphemeral") == []


async def test_resolve_from_the_channel_closes_the_concern_in_place(world: SlackWorld) -> None:
    await raise_concern(world, "Interviewer mocked the candidate's accent.")
    [concern] = await rows(world, Concern)
    ts = ts_in(world, DEI)
    click = block_actions(user=MIA, action_id="concern.resolve", value=str(concern.id), channel=DEI, ts=ts,
                          response_url=world.fake.response_url("alert"))  # fmt: skip
    assert (await world.send(form_body(click))).status == 200
    [update] = await world.fake.wait_for("chat.update")
    assert (update["channel"], update["ts"]) == (DEI, ts)
    assert fields(update) == ["*Raised by*\nAna", "*Status*\nresolved ✓"]
    assert buttons(update) == [("concern.ack", "Reopen")]
    [concern] = await rows(world, Concern)
    assert (concern.status, concern.owner) == ("resolved", "Mia")


async def test_a_concern_modal_closes_in_time_though_the_alert_channel_is_slow(world: SlackWorld) -> None:
    [dm] = await world.deliver("ana@example.com")
    await world.click(dm, "checkin.concern", user=ANA)
    [opened] = await world.fake.wait_for("views.open")
    world.fake.failures["chat.postMessage"] = [500, 500, 500]  # the alert needs three retries with backoff (~3.5 s)
    answer = await world.submit(opened["view"], {"text": "Joked about the candidate's age."}, user=ANA)
    assert answer.status == 200 and answer.thanks() == CONCERN_THANKS and answer.seconds < 3.0
    [concern] = await rows(world, Concern)  # recorded before the modal closed
    assert (concern.text, concern.status) == ("Joked about the candidate's age.", "open")
    posts = await world.fake.wait_for("chat.postMessage", 2, within=15)
    assert [p["channel"] for p in posts] == ["D0ANA0001", DEI]  # the prompt, then the alert once Slack takes it


async def test_someone_who_is_not_an_admin_cannot_pick_up_a_concern(world: SlackWorld) -> None:
    await raise_concern(world, "Asked about the candidate's religion.")
    [concern] = await rows(world, Concern)
    ts = ts_in(world, DEI)
    click = block_actions(user=RAJ, action_id="concern.ack", value=str(concern.id), channel=DEI, ts=ts,
                          response_url=world.fake.response_url("alert"))  # fmt: skip
    assert (await world.send(form_body(click))).status == 200
    [note] = await world.fake.wait_for("chat.postEphemeral")
    assert note["user"] == RAJ
    assert (
        note["text"] == "Only fairloop admins (the DEI team, listed in fairloop.toml) can pick up or resolve concerns."
    )
    await world.settle()
    assert world.fake.called("chat.update") == []
    [concern] = await rows(world, Concern)
    assert (concern.status, concern.owner) == ("open", None)
