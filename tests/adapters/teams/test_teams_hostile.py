"""Hostile text stays text in Teams: role, team and stage names from the ATS, a display name, a channel name, a
concern note, anonymous feedback and a team filter, each payload posted through /api/interviews and signed
activities, checked in every card the fake connector received and every invoke answer (and each card against the
Adaptive Card schema)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from tests.support.core import Clock
from tests.support.hostile import JOINED, PAYLOADS, teams_live, teams_visible
from tests.support.teams.fake_aad import FakeAAD
from tests.support.teams.fake_connector import FakeConnector
from tests.support.teams.harness import ANA, Person, actions_of
from tests.support.teams.schemas import assert_valid_card
from tests.support.teams.signed import SignedHarness, signed_app, signed_config

EVE = Person(
    "29:1eve-hostile",
    "0e0e0e0e-1111-2222-3333-444444444444",
    "<!channel> **Eve** [x](https://evil.example)",
    "eve@example.com",
)
TEAM = "<img src=x onerror=alert(1)> [Team](https://evil.example/t) *all*"
CHANNEL = "19:0b7f32667e064dd9b25d7969801541f4@thread.tacv2"
DIGEST = {"name": "dei", "platform": "teams", "channel": TEAM, "cron": "0 9 29 2 *", "timezone": "UTC"}
DIGEST.update(period="7d", audience="dei")


@pytest.fixture
async def hostile(tmp_path: Path, connector: FakeConnector, aad: FakeAAD, clock: Clock) -> AsyncIterator[SignedHarness]:
    connector.add_member(user_id=EVE.teams_id, aad_object_id=EVE.aad, name=EVE.name, email=EVE.email)
    config = signed_config(tmp_path, aad, admins=[ANA.aad], digests=[DIGEST])
    client = TestClient(TestServer(signed_app(config, aad, clock=clock), host="127.0.0.1"))
    await client.start_server()
    try:
        yield SignedHarness(client=client, connector=connector, aad=aad, clock=clock)
    finally:
        await client.close()


def markdown_of(card: dict[str, Any]) -> list[str]:
    """Every text Teams renders as Markdown in a card: TextBlocks, facts, and the fallback text."""
    found: list[str] = [card["fallbackText"]] if isinstance(card.get("fallbackText"), str) else []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock" and isinstance(node.get("text"), str):
                found.append(node["text"])
            if isinstance(node.get("title"), str) and isinstance(node.get("value"), str):  # a fact
                found.extend((node["title"], node["value"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body", []))
    return found


async def test_every_payload_stays_text_in_every_teams_card(hostile: SignedHarness, clock: Clock) -> None:
    teams = hostile
    added = teams.activity("msteams-docs.conversationUpdate.bot-added-to-team.json")
    added["channelData"]["team"]["name"] = TEAM  # the channel registers under the team's name
    assert (await teams.post(added)).status == 200
    await teams.install(EVE)
    await teams.install(ANA)
    for i, payload in enumerate(PAYLOADS):
        await teams.interview(f"h-{i}", EVE.email, role=payload, team=payload, stage=payload[:100])
    answers: list[dict[str, Any]] = []
    prompts = await teams.wait_for(lambda: len(_prompts(teams)) >= len(PAYLOADS) and _prompts(teams))
    for message_id, card in prompts[1:]:
        answers.append(await teams.click(EVE, actions_of(card)["checkin.all"], message_id=message_id))
    message_id, first = prompts[0]
    form = (await teams.click(EVE, actions_of(first)["checkin.concern"], message_id=message_id))["value"]
    submit = actions_of(form)["form:checkin.concern"]
    answers.append(
        await teams.click(EVE, {**submit, "data": {**submit["data"], "text": JOINED}}, message_id=message_id)
    )
    (feedback,) = await teams.say(EVE, "feedback")
    submit = actions_of(feedback)["form:feedback.anonymous"]
    answers.append(
        await teams.click(EVE, {**submit, "data": {**submit["data"], "category": "process", "text": JOINED}})
    )
    for payload in PAYLOADS[:6]:
        await teams.say(EVE, f"stats 30d team:{payload}")
    clock.tomorrow()
    await teams.say(ANA, "digest send")

    cards = teams.connector.cards(teams.connector.calls) + [
        a["value"] for a in answers if isinstance(a.get("value"), dict)
    ]
    for card in cards:
        assert_valid_card(card)
    rendered = [text for card in cards for text in markdown_of(card)]
    problems = sorted({f"{live} in {text[:80]!r}" for text in rendered for live in teams_live(text)})
    assert problems == [], "\n".join(problems)

    visible = "\n".join(teams_visible(text) for text in rendered)
    for payload in PAYLOADS:
        assert payload in visible, payload
    channel_cards = teams.connector.cards(teams.connector.posts(CHANNEL))
    assert TEAM in teams_visible("\n".join(markdown_of(channel_cards[0])))  # the hello names the channel
    alert = next(c for c in channel_cards if "Concern raised" in c["body"][0]["text"])
    assert EVE.name in teams_visible("\n".join(markdown_of(alert))) and JOINED in teams_visible(
        alert["body"][1]["text"]
    )
    digest = next(c for c in channel_cards if c["body"][0]["text"].startswith("DEI sync"))
    shown = teams_visible("\n".join(markdown_of(digest)))
    assert f"anonymous notes): “{JOINED[:100]}" in shown
    assert all(payload.split("\n")[0] in shown for payload in PAYLOADS)


def _prompts(teams: SignedHarness) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for call in teams.connector.posts(f"a:1on1-{EVE.aad}"):
        for card in teams.connector.cards([call]):
            if "checkin.all" in actions_of(card) and call.response_id:
                found.append((call.response_id, card))
    return found
