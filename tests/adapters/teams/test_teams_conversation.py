"""Scenario: installs store conversation references; text commands answer with cards; channels register."""

from __future__ import annotations

import json

import pytest

from bot.errors import Undeliverable
from bot.messages import Message, Section
from bot.text import bold, text
from fairloop.app import GRAPH
from storage.db import unit_of_work
from storage.models import Identity
from storage.people import get_channel, identity_for
from tests.support.teams.harness import ANA, BOT, RAJ, Person, TeamsHarness, actions_of, card_text
from tests.support.teams.schemas import assert_valid_card


async def _identity(teams: TeamsHarness, aad: str) -> Identity | None:
    async with unit_of_work(teams.app[GRAPH].sessions) as session:
        return await identity_for(session=session, platform="teams", user_id=aad)


async def test_install_stores_the_reference_and_welcomes_once(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    identity = await _identity(teams, ANA.aad)
    assert identity is not None
    assert identity.address["conversation"]["id"] == ANA.conversation
    assert identity.address["serviceUrl"] == teams.connector.url
    assert identity.address["user"]["aadObjectId"] == ANA.aad
    lookups = [c for c in teams.connector.calls if c.method == "GET"]
    assert [c.path.rsplit("/", 1)[-1] for c in lookups] == [ANA.teams_id]  # email came from the member look-up

    welcome = teams.connector.cards(teams.connector.posts(ANA.conversation))
    assert len(welcome) == 1 and "help" in card_text(welcome[0]).lower()
    assert_valid_card(welcome[0])

    await teams.install(ANA)  # Teams sends both installationUpdate and conversationUpdate; greet once
    assert len(teams.connector.posts(ANA.conversation)) == 1


async def test_microsofts_bot_added_to_personal_chat_event(teams: TeamsHarness) -> None:
    activity = teams.activity("msteams-docs.conversationUpdate.bot-added-to-personal-chat.json", person=RAJ)
    activity["membersAdded"] = [{"id": BOT["id"]}, {"id": RAJ.teams_id, "aadObjectId": RAJ.aad}]
    activity["recipient"] = BOT
    assert (await teams.post(activity)).status == 200
    identity = await _identity(teams, RAJ.aad)
    assert identity is not None and identity.address["conversation"]["id"] == RAJ.conversation
    assert len(teams.connector.posts(RAJ.conversation)) == 1


async def test_commands_reply_with_cards(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    help_card = (await teams.say(ANA, "help"))[0]
    assert "Here's what I can do" in card_text(help_card)
    assert all(f"- {word}" in card_text(help_card) for word in ("stats", "me", "why"))
    assert "Why fairloop asks" in card_text((await teams.say(ANA, "why"))[0])
    assert "Interview check-ins" in card_text((await teams.say(ANA, "stats 30d"))[0])
    me = (await teams.say(ANA, "me"))[0]
    assert "Your check-ins" in card_text(me)
    (toggle,) = (a for verb, a in actions_of(me).items() if "reminders" in verb)
    after = (await teams.click(ANA, toggle))["value"]  # a button on a command answer works like any other
    assert "Your check-ins" in card_text(after) and actions_of(after).keys() != actions_of(me).keys()
    bad = (await teams.say(ANA, "stats forever"))[0]
    assert "didn't understand" in card_text(bad)

    unknown = (await teams.say(ANA, "what is this"))[0]
    assert "I don't know what yet" in card_text(unknown) and "- stats" in card_text(unknown)
    for call in teams.connector.posts(ANA.conversation)[1:]:
        assert call.activity_id is not None  # replies thread under the message that asked


async def test_microsofts_personal_message_fixture_gets_help(teams: TeamsHarness) -> None:
    activity = teams.activity("msteams-docs.message.personal-received.json")  # rich text + html attachment
    activity["from"] = {"id": ANA.teams_id, "name": ANA.name, "aadObjectId": ANA.aad}
    response = await teams.post(activity)
    assert response.status == 200
    cards = teams.connector.cards(teams.connector.posts())
    assert len(cards) == 1 and "stats" in card_text(cards[0])
    identity = await _identity(teams, ANA.aad)
    assert identity is not None and identity.address["conversation"]["id"] == activity["conversation"]["id"]


async def test_private_answers_are_not_posted_in_a_channel(teams: TeamsHarness) -> None:
    activity = teams.activity("message.channel-mention.json")
    assert (await teams.post(activity)).status == 200
    posts = teams.connector.posts()
    assert len(posts) == 1 and "1:1 chat" in card_text(teams.connector.cards(posts)[0])
    assert not [c for c in teams.connector.calls if c.method == "GET"]  # no member look-up outside 1:1 chats


async def test_message_back_fixture_is_treated_as_text(teams: TeamsHarness) -> None:
    activity = teams.activity("msteams-docs.message.messageBack-inbound.json")
    assert (await teams.post(activity)).status == 200
    assert len(teams.connector.posts()) == 1


async def test_bot_added_to_team_registers_the_channel_for_posts(teams: TeamsHarness) -> None:
    activity = teams.activity("msteams-docs.conversationUpdate.bot-added-to-team.json")
    assert (await teams.post(activity)).status == 200
    async with unit_of_work(teams.app[GRAPH].sessions) as session:
        channel = await get_channel(session=session, platform="teams", name="TestTeam2022")
    assert channel is not None
    assert channel.address["conversation"]["id"] == activity["conversation"]["id"]
    (hello,) = teams.connector.cards(teams.connector.posts(activity["conversation"]["id"]))
    assert 'channel = "TestTeam2022"' in card_text(hello)  # says which name to put in fairloop.toml
    assert (await teams.post(activity)).status == 200  # added again: registered again, greeted once
    assert len(teams.connector.posts()) == 1

    outbox = teams.app[GRAPH].outboxes["teams"]
    digest = Message(text="Recruitment × DEI sync", blocks=(Section(text=text(bold("Check-ins"), " 12")),))
    delivery = await outbox.post_channel(channel=json.dumps(channel.address), message=digest)
    posts = teams.connector.posts(activity["conversation"]["id"])[1:]
    assert len(posts) == 1 and posts[0].activity_id is None  # a new post in the channel, not a reply
    assert delivery.message_id == posts[0].response_id
    card = teams.connector.cards(posts)[0]
    assert_valid_card(card)
    assert "**Check-ins** 12" in card_text(card)

    await outbox.update(conversation=delivery.conversation, message_id=delivery.message_id, message=digest)
    assert [u.activity_id for u in teams.connector.updates()] == [delivery.message_id]


async def test_member_removed_event_is_accepted_quietly(teams: TeamsHarness) -> None:
    activity = teams.activity("msteams-docs.conversationUpdate.team-member-removed.json")
    assert (await teams.post(activity)).status == 200
    assert teams.connector.posts() == []


async def test_change_answer_reopens_the_prompt(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    await teams.interview("gh-20", ANA.email)
    message_id, card = await teams.wait_for_prompt(ANA)
    recorded = (await teams.click(ANA, actions_of(card)["checkin.all"], message_id=message_id))["value"]
    reopened = (await teams.click(ANA, actions_of(recorded)["checkin.change"], message_id=message_id))["value"]
    assert "checkin.all" in actions_of(reopened)


async def test_stats_with_real_data_and_a_team_filter(teams: TeamsHarness) -> None:
    await teams.install(ANA)
    await teams.interview("gh-30", ANA.email)
    message_id, card = await teams.wait_for_prompt(ANA)
    await teams.click(ANA, actions_of(card)["checkin.all"], message_id=message_id)

    for command, team in (("stats 30d", None), ("stats 30d team:platform", "Platform")):
        (answer,) = await teams.say(ANA, command)  # validated against the 1.5 schema by say()
        header = answer["body"][0]["text"]
        assert header.startswith("Interview check-ins · ") and header.endswith(" · team Platform" if team else "days")
        facts = {f["title"]: f["value"] for e in answer["body"] if e["type"] == "FactSet" for f in e["facts"]}
        assert facts["Check-ins"] == "1 of 1 prompts"
        assert facts["Response rate"] == facts["All practices followed"] == "100%"
    (other,) = await teams.say(ANA, "stats 30d team:Sales")
    assert "I don't know a team called 'Sales'. Known: Platform." in card_text(other)


async def test_me_without_any_check_ins(teams: TeamsHarness) -> None:
    await teams.install(RAJ)  # known by email, but never prompted
    (me,) = await teams.say(RAJ, "me")
    assert "Your check-ins" in card_text(me) and "0 of 0" in card_text(me)

    zoe = Person("29:1zoe-notInTheRoster", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "Zoe Zed", "zoe@example.com")
    (unknown,) = await teams.say(zoe, "me")  # the member look-up finds her not: no email, no person
    assert card_text(unknown) == "I don't have a record for you yet — it starts with your first check-in."
    assert actions_of(unknown) == {}


async def test_a_channel_can_be_posted_to_by_its_registered_name(teams: TeamsHarness) -> None:
    activity = teams.activity("msteams-docs.conversationUpdate.bot-added-to-team.json")
    assert (await teams.post(activity)).status == 200
    conversation = activity["conversation"]["id"]
    outbox = teams.app[GRAPH].outboxes["teams"]

    digest = Message(text="Recruitment × DEI sync", blocks=(Section(text=text(bold("Check-ins"), " 12")),))
    delivery = await outbox.post_channel(channel="TestTeam2022", message=digest)
    posts = teams.connector.posts(conversation)[1:]  # after the hello
    assert len(posts) == 1 and posts[0].activity_id is None
    assert delivery.message_id == posts[0].response_id
    assert delivery.conversation == f"{conversation} {teams.connector.url}"
    assert "**Check-ins** 12" in card_text(teams.connector.cards(posts)[0])

    before = len(teams.connector.calls)
    with pytest.raises(Undeliverable) as raised:
        await outbox.post_channel(channel="Recruiting Team", message=digest)
    assert raised.value.reason == (
        "no Teams channel is registered as 'Recruiting Team': add fairloop to that team, "
        "then use the name it posts there"
    )
    assert len(teams.connector.calls) == before
