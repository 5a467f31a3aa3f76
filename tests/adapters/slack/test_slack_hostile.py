"""Hostile text stays text in Slack: role, team and stage names from the ATS, a display name, a concern note,
anonymous feedback and a team filter, each payload posted through real HTTP, checked in every block and every
fallback text the fake Slack received (check-in DMs, their updates, the alert, stats, the digest)."""

from __future__ import annotations

from typing import Any

from tests.support.app import StartApp, interview
from tests.support.core import Clock
from tests.support.hostile import JOINED, PAYLOADS, slack_live, slack_visible
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import ANA, BOT_TOKEN, SIGNING_SECRET
from tests.support.slack.world import SlackWorld

EVE = "U0EVE0004"
DEI = "C0DEI"
NAME = "<!channel> *Eve* <https://evil.example/login|Re-authenticate fairloop>"
DIGEST = {"name": "dei", "platform": "slack", "channel": DEI, "cron": "0 9 29 2 *", "timezone": "UTC"}
DIGEST.update(period="7d", audience="dei")


def texts(body: Any, kind: str = "") -> list[tuple[str, str]]:
    """Every (kind, text) in a Slack payload: mrkdwn and plain_text objects, and the top-level fallback."""
    out: list[tuple[str, str]] = []
    if isinstance(body, dict):
        if body.get("type") in ("mrkdwn", "plain_text") and isinstance(body.get("text"), str):
            out.append((body["type"], body["text"]))
        for key, value in body.items():
            if key == "text" and isinstance(value, str) and kind == "message":
                out.append(("fallback", value))
            elif isinstance(value, dict | list):
                out += texts(value)
    elif isinstance(body, list):
        for value in body:
            out += texts(value)
    return out


def everything_sent(fake: FakeSlack) -> list[tuple[str, str]]:
    sent = []
    for method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
        for body in fake.called(method):
            sent += texts(body, "message")
    for hook in fake.hooks:
        sent += texts(hook, "message")
    for method in ("views.open", "views.publish"):
        sent += [t for body in fake.called(method) for t in texts(body)]
    return sent


async def test_every_payload_stays_text_in_every_slack_message(
    fake_slack: FakeSlack, start_app: StartApp, clock: Clock
) -> None:
    fake_slack.add_user("eve@example.com", EVE, name=NAME)
    running = await start_app(
        slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_api_url=fake_slack.base_url,
        playground=False, min_group_size=1, admins=[ANA], digests=[DIGEST],
    )  # fmt: skip
    world = SlackWorld(running=running, fake=fake_slack)
    for i, payload in enumerate(PAYLOADS):  # the ATS names the role, the team and the stage
        status, body = await running.post_interviews(
            interview(f"h-{i}", emails=("eve@example.com",), role=payload, team=payload, stage=payload[:100])
        )
        assert status == 200, body
    dms = await fake_slack.wait_for("chat.postMessage", len(PAYLOADS))
    await world.until_dispatched()
    for dm in dms[1:]:
        assert (await world.click(dm, "checkin.all", user=EVE)).status == 200
    await fake_slack.wait_for("chat.update", len(dms) - 1)

    await world.click(dms[0], "checkin.concern", user=EVE)
    [concern_form] = await fake_slack.wait_for("views.open")
    assert (await world.submit(concern_form["view"], {"text": JOINED}, user=EVE)).status == 200
    await world.command("feedback", user=EVE)
    [_, feedback_form] = await fake_slack.wait_for("views.open", 2)
    answer = await world.submit(feedback_form["view"], {"category": "process", "text": JOINED}, user=EVE)
    assert answer.status == 200
    for payload in PAYLOADS[:6]:
        await world.command(f"stats 30d team:{payload}", user=EVE)
    clock.tomorrow()  # today's answers count in tomorrow's figures
    await world.command("digest send", user=ANA)
    await fake_slack.wait_for("chat.postMessage", len(dms) + 2)  # + the alert and the digest (thanks replace forms)
    await world.settle(0.5)

    sent = everything_sent(fake_slack)
    problems = [(kind, text, live) for kind, text in sent for live in slack_live(text) if kind != "plain_text"]
    problems += [(k, t, "address") for k, t in sent if k == "fallback" and ("evil.example" in t or "://evil" in t)]
    assert problems == [], "\n".join(sorted({f"{k}: {live} in {t[:80]!r}" for k, t, live in problems}))

    visible = "\n".join(slack_visible(t) for _, t in sent)
    for payload in PAYLOADS:  # every character arrived, as itself
        assert payload in visible, payload
    posted = fake_slack.called("chat.postMessage")
    alert = next(p for p in posted if p["channel"] == DEI and "Concern" in p["text"])
    assert NAME in slack_visible("\n".join(t for _, t in texts(alert)))  # the reporter's display name
    assert JOINED in slack_visible(alert["blocks"][1]["text"]["text"])
    digest = next(p for p in posted if p["channel"] == DEI and p["text"].startswith("DEI sync"))
    shown = slack_visible("\n".join(t for _, t in texts(digest)))
    assert f"anonymous notes): “{JOINED[:100]}" in shown  # the note, released: the period holds the threshold of one
    assert all(payload.split("\n")[0] in shown for payload in PAYLOADS)  # each team's row
