"""Whole requests through fairloop's real app: Slack in over signed HTTP, the fake Web API out, real SQLite."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import pytest

from tests.support.app import StartApp
from tests.support.core import Clock
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.payloads import block_actions
from tests.support.slack.signing import ANA, BOT_TOKEN, RAJ, SIGNING_SECRET, form_body, sign_bytes
from tests.support.slack.world import SlackWorld


@pytest.fixture
async def world(fake_slack: FakeSlack, start_app: StartApp) -> AsyncIterator[SlackWorld]:
    running = await start_app(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake_slack.base_url,
        playground=False,
        min_group_size=1,
    )
    yield SlackWorld(running=running, fake=fake_slack)


async def test_an_interview_becomes_a_dm_with_the_prompt_in_its_metadata(world: SlackWorld) -> None:
    [dm] = await world.deliver("ana@example.com")
    [prompt] = await world.prompts()
    assert dm["channel"] == "D0ANA0001"
    assert dm["metadata"] == {"event_type": "fairloop_prompt", "event_payload": {"prompt_id": str(prompt.id)}}
    buttons = [e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == ["checkin.all", "checkin.detail", "checkin.concern", "checkin.not_mine"]
    assert {b["value"] for b in buttons} == {str(prompt.id)}
    assert "Senior Backend Engineer" in dm["text"]
    assert (prompt.state, prompt.platform, prompt.conversation) == ("sent", "slack", "D0ANA0001")


async def test_one_click_is_acked_fast_recorded_once_and_updates_the_message(world: SlackWorld) -> None:
    [dm] = await world.deliver("ana@example.com")
    first = await world.click(dm, user=ANA)
    assert first.status == 200 and first.seconds < 3.0
    [update] = await world.fake.wait_for("chat.update")
    assert update["channel"] == dm["channel"] and update["ts"] == world.ts_of(dm)
    assert "all practices followed" in update["text"].lower()
    again = await world.click(dm, user=ANA)
    retry = await world.click(dm, user=ANA, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert (again.status, retry.status) == (200, 200)
    await world.fake.wait_for("chat.update", 3)
    [checkin] = await world.checkins()
    assert (checkin.kind, checkin.all_followed) == ("all", True)
    [prompt] = await world.prompts()
    assert prompt.state == "answered"


async def test_someone_else_cannot_answer_and_is_told_privately(world: SlackWorld) -> None:
    world.fake.add_user("raj@example.com", RAJ)
    [dm] = await world.deliver("ana@example.com")
    answer = await world.click(dm, user=RAJ)
    assert answer.status == 200
    [note] = await world.fake.wait_for("chat.postEphemeral")
    assert note["user"] == RAJ and "another interviewer" in note["text"]
    await world.settle()
    assert await world.checkins() == []
    assert world.fake.called("chat.update") == []


async def test_the_detail_modal_validates_inline_then_records_the_answer(world: SlackWorld) -> None:
    [dm] = await world.deliver("ana@example.com")
    assert (await world.click(dm, "checkin.detail", user=ANA)).status == 200
    [opened] = await world.fake.wait_for("views.open")
    view = opened["view"]
    assert (
        view["callback_id"] == "checkin.detail"
        and view["private_metadata"] == dm["metadata"]["event_payload"]["prompt_id"]
    )

    partial = await world.submit(view, {"structured": "yes", "note": "rubric came late"}, user=ANA)
    assert partial.status == 200
    body = partial.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"rubric", "accommodations", "on_topic", "candidate_time"}
    assert await world.checkins() == []

    values = {"structured": "yes", "rubric": "no", "accommodations": "na", "on_topic": "yes", "candidate_time": "yes"}
    done = await world.submit(view, {**values, "note": "rubric came late"}, user=ANA)
    assert (done.status, done.thanks()) == (200, "Recorded — thank you. Your note stays private to you.")
    [checkin] = await world.checkins()
    assert (checkin.kind, checkin.all_followed, checkin.note) == ("detail", False, "rubric came late")
    assert await world.answers() == values
    [update] = await world.fake.wait_for("chat.update")
    assert update["ts"] == world.ts_of(dm)
    await world.settle()
    assert len(world.fake.called("chat.postMessage")) == 1  # the prompt only: the thank-you was in the modal


async def test_an_empty_concern_is_refused_inline(world: SlackWorld) -> None:
    [dm] = await world.deliver("ana@example.com")
    await world.click(dm, "checkin.concern", user=ANA)
    [opened] = await world.fake.wait_for("views.open")
    answer = await world.submit(opened["view"], {"text": ""}, user=ANA)
    assert answer.json() == {"response_action": "errors", "errors": {"text": "Tell us briefly what happened."}}


async def test_an_email_not_in_slack_makes_the_prompt_undeliverable(world: SlackWorld) -> None:
    await world.deliver("ghost@example.com")
    [prompt] = await world.until_dispatched()
    assert prompt.state == "undeliverable"
    assert "users_not_found" in (prompt.reason or "")
    assert world.fake.called("chat.postMessage") == []


@pytest.mark.parametrize("how", ["bad signature", "old timestamp", "unsigned", "timestamp not a number"])
async def test_unauthenticated_requests_get_401_and_change_nothing(world: SlackWorld, how: str) -> None:
    [dm] = await world.deliver("ana@example.com")
    pid = dm["metadata"]["event_payload"]["prompt_id"]
    url = world.fake.response_url()
    payload = block_actions(
        user=ANA, action_id="checkin.all", value=pid, channel=dm["channel"], ts=world.ts_of(dm), response_url=url
    )
    body = form_body(payload)
    calls_before = len(world.fake.calls)
    if how == "bad signature":
        answer = await world.send(body, secret="not-the-secret")
        status, text = answer.status, answer.text
    elif how == "old timestamp":
        answer = await world.send(body, timestamp=int(time.time()) - 301)
        status, text = answer.status, answer.text
    elif how == "timestamp not a number":
        answer = await world.send(body, headers={"X-Slack-Request-Timestamp": "soon"})
        status, text = answer.status, answer.text
    else:
        async with world.running.http.post(f"{world.running.url}/slack/events", data=body) as resp:
            status, text = resp.status, await resp.text()
    assert status == 401
    assert json.loads(text) == {
        "error": "unauthorized",
        "detail": "Not signed by Slack: bad signature, or a timestamp over 5 minutes old.",
    }
    await world.settle()
    assert await world.checkins() == []
    assert len(world.fake.calls) == calls_before and world.fake.hooks == []  # not even users.info
    [prompt] = await world.prompts()
    assert prompt.state == "sent"


@pytest.mark.parametrize(
    ("body", "kind", "detail"),
    [
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded", "The request body is not a Slack payload."),
        ("payload=%5B%5D", "application/x-www-form-urlencoded", "The payload field is not a JSON object."),
        ("{", "application/json", "The request body is not a Slack payload."),
        ("[]", "application/json", "The JSON body is not an object."),
        ("null", "application/json", "The JSON body is not an object."),
        ('{"team": "x", "user": 5}', "application/json", "The Slack request could not be handled."),
        ('{"team": "x", "user": 5}', "application/json; charset=bogus", "The Slack request could not be handled."),
    ],
)
async def test_signed_garbage_gets_a_400_never_a_5xx(world: SlackWorld, body: str, kind: str, detail: str) -> None:
    answer = await world.send(body, kind)
    assert (answer.status, answer.json()) == (400, {"error": "bad_request", "detail": detail})


async def test_bad_bytes_and_oversized_bodies_get_4xx(world: SlackWorld) -> None:
    raw = b"payload=\xff\xfe"
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign_bytes(raw)}
    async with world.running.http.post(f"{world.running.url}/slack/events", data=raw, headers=headers) as resp:
        assert (resp.status, await resp.json()) == (
            400,
            {"error": "bad_request", "detail": "The request body is not UTF-8."},
        )
    too_big = await world.send("payload=" + "x" * (2 << 20))
    assert too_big.status == 413 and too_big.json()["error"] == "payload_too_large"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("help", "Here's what I can do"),
        ("", "Here's what I can do"),
        ("stats 30d", "last 30 days ("),
        ("stats 30d", "not enough responses yet"),
        ("me", "check-ins in the last 90 days"),
        ("why", "aggregate"),
        ("frobnicate", "I don't know `frobnicate`"),
    ],
)
async def test_slash_commands_answer_privately(world: SlackWorld, text: str, expected: str) -> None:
    answer = await world.command(text, user=ANA)
    assert answer.status == 200 and answer.seconds < 3.0
    [hook] = await world.fake.wait_for_hook()
    assert hook["response_type"] == "ephemeral"
    shown = hook["text"] + " ".join(str(b) for b in hook.get("blocks", []))
    assert expected.lower() in shown.lower()


async def test_app_home_is_published_once_per_event(world: SlackWorld) -> None:
    from tests.support.slack.payloads import app_home_opened

    await world.deliver("ana@example.com")
    event = app_home_opened(user=ANA, event_id="Ev0HOME1")
    assert (await world.event(event)).status == 200
    [published] = await world.fake.wait_for("views.publish")
    assert published["user_id"] == ANA and published["view"]["type"] == "home"
    homes = [e["action_id"] for b in published["view"]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "checkin.all" in homes  # the pending check-in, with its buttons
    assert (await world.event(event, headers={"X-Slack-Retry-Num": "1"})).status == 200
    await world.settle()
    assert len(world.fake.called("views.publish")) == 1
    await world.event(app_home_opened(user=ANA, event_id="Ev0HOME2"))
    await world.fake.wait_for("views.publish", 2)


async def test_answering_from_the_app_home_records_and_refreshes_the_home(world: SlackWorld) -> None:
    from tests.support.slack.payloads import app_home_opened

    [dm] = await world.deliver("ana@example.com")
    await world.event(app_home_opened(user=ANA, event_id="Ev0HOME3"))
    [home] = await world.fake.wait_for("views.publish")
    click = block_actions(user=ANA, action_id="checkin.all", value=dm["metadata"]["event_payload"]["prompt_id"],
                          channel="", ts="", response_url="")  # fmt: skip
    click.update(container={"type": "view", "view_id": "V1"}, view={**home["view"], "id": "V1"})
    for key in ("channel", "message", "response_url"):
        click.pop(key)
    assert (await world.send(form_body(click))).status == 200
    [_, refreshed] = await world.fake.wait_for("views.publish", 2)
    pending = [e for b in refreshed["view"]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert pending == []
    [checkin] = await world.checkins()
    assert checkin.kind == "all"
    [update] = await world.fake.wait_for("chat.update")  # the DM itself is redrawn, though the click came from Home
    assert update["channel"] == dm["channel"] and update["ts"]
    assert "Recorded: all practices followed" in json.dumps(update["blocks"])


async def test_change_answer_brings_the_buttons_back(world: SlackWorld) -> None:
    [dm] = await world.deliver("ana@example.com")
    await world.click(dm, user=ANA)
    await world.fake.wait_for("chat.update")
    await world.click(dm, "checkin.change", user=ANA)
    [_, reopened] = await world.fake.wait_for("chat.update", 2)
    actions = [e["action_id"] for b in reopened["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert "checkin.all" in actions


async def test_slack_url_verification_is_answered_with_the_challenge(world: SlackWorld) -> None:
    from tests.support.slack.blockkit import need, thirdparty

    path = need(thirdparty() / "slack" / "payloads" / "realistic" / "python-slack-events-api.url_verification.json")
    body = path.read_text(encoding="utf-8")
    answer = await world.send(body, "application/json")
    assert answer.status == 200
    assert answer.json()["challenge"] == json.loads(body)["challenge"]


async def test_a_modal_is_acked_at_once_even_when_slack_is_slow_to_update(world: SlackWorld) -> None:
    [dm] = await world.deliver("ana@example.com")
    await world.click(dm, "checkin.detail", user=ANA)
    [opened] = await world.fake.wait_for("views.open")
    world.fake.failures["chat.update"] = [500, 500, 500]  # the redraw needs three retries with backoff
    values = {"structured": "yes", "rubric": "yes", "accommodations": "yes", "on_topic": "yes", "candidate_time": "no"}
    done = await world.submit(opened["view"], values, user=ANA)
    # acked long before the three retries of the redraw (0.5 + 1 + 2 s of backoff) could have run
    assert done.status == 200 and done.thanks().startswith("Recorded — thank you.") and done.seconds < 2.0
    [checkin] = await world.checkins()  # recorded before the ack
    assert (checkin.kind, checkin.all_followed) == ("detail", False)
    [update] = await world.fake.wait_for("chat.update", within=15)
    assert update["ts"] == world.ts_of(dm) and "4 of 5 practices followed" in update["text"]


async def test_a_concern_is_stored_with_its_reporter_and_thanked_privately(world: SlackWorld) -> None:
    from sqlmodel import select

    from storage.models import Concern

    [dm] = await world.deliver("ana@example.com")
    await world.click(dm, "checkin.concern", user=ANA)
    [opened] = await world.fake.wait_for("views.open")
    assert opened["view"]["callback_id"] == "checkin.concern"
    answer = await world.submit(opened["view"], {"text": "Asked the candidate about family plans."}, user=ANA)
    assert (answer.status, answer.thanks()) == (200, "Thank you for speaking up. The DEI team will follow up with you.")
    async with world.running.graph.sessions() as session:
        [concern] = (await session.exec(select(Concern))).all()
    [prompt] = await world.prompts()
    assert (concern.text, concern.prompt_id, concern.team) == (
        "Asked the candidate about family plans.",
        prompt.id,
        "Platform",
    )
    assert concern.reporter_id == prompt.person_id


async def test_stats_count_prompts_slack_could_not_deliver_and_say_why(world: SlackWorld, clock: Clock) -> None:
    [dm] = await world.deliver("ana@example.com", "ghost@example.com")
    await world.click(dm, user=ANA)
    await world.fake.wait_for("chat.update")
    clock.tomorrow()  # figures cover whole days that are over
    answer = await world.command("stats 7d", user=ANA)
    assert answer.status == 200
    [hook] = await world.fake.wait_for_hook()
    shown = json.dumps(hook["blocks"], ensure_ascii=False).replace("\u200b", "")  # markers kept literal
    assert "1 of 1 prompts" in shown and "Response rate" in shown
    assert "Could not deliver 1 prompt(s) (not in Slack (no user with this email) (users_not_found): 1)" in shown


async def test_app_home_shows_your_record_and_the_headline_only_above_the_threshold(
    fake_slack: FakeSlack, start_app: StartApp, clock: Clock
) -> None:
    from tests.support.slack.payloads import app_home_opened

    running = await start_app(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                              slack_api_url=fake_slack.base_url, playground=False, min_group_size=2)  # fmt: skip
    world = SlackWorld(running=running, fake=fake_slack)
    [dm] = await world.deliver("ana@example.com")
    await world.click(dm, user=ANA)
    await world.fake.wait_for("chat.update")
    await world.event(app_home_opened(user=ANA, event_id="Ev0HOME9"))
    [home] = await world.fake.wait_for("views.publish")
    text = json.dumps(home["view"]["blocks"], ensure_ascii=False)
    assert "Your last 90 days:* 1 of 1 check-ins answered" in text and "all practices 100%" in text
    assert "today's answers count from tomorrow" in text  # the headline says when hers will count
    [dm2] = await world.deliver("ana@example.com", external_id="gh-2")
    await world.click(dm2, user=ANA)
    await world.fake.wait_for("chat.update", 2)
    await world.event(app_home_opened(user=ANA, event_id="Ev0HOME9b"))
    [_, today] = await world.fake.wait_for("views.publish", 2)
    assert "not enough responses yet" in json.dumps(today["view"]["blocks"], ensure_ascii=False)  # not till tomorrow
    clock.tomorrow()
    await world.event(app_home_opened(user=ANA, event_id="Ev0HOME10"))
    [*_, again] = await world.fake.wait_for("views.publish", 3)
    headline = json.dumps(again["view"]["blocks"], ensure_ascii=False)
    assert "Everyone, last 30 days (" in headline and ":* response 100% · all practices 100% · 2 check-ins" in headline
