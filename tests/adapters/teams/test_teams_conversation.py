"""Scenario: installs store conversation references; text commands answer with cards; channels register."""

from __future__ import annotations

import json

from conftest import ANA, BOT, RAJ, TeamsHarness, actions_of, card_text
from teams_schemas import assert_valid_card

from bot.messages import Message, Section
from fairloop.keys import CORE
from storage.db import unit_of_work
from storage.models import Identity
from storage.people import get_channel, identity_for


async def _identity(teams: TeamsHarness, aad: str) -> Identity | None:
    async with unit_of_work(teams.app[CORE].sessions) as session:
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
    async with unit_of_work(teams.app[CORE].sessions) as session:
        channel = await get_channel(session=session, platform="teams", name="TestTeam2022")
    assert channel is not None
    assert channel.address["conversation"]["id"] == activity["conversation"]["id"]
    (hello,) = teams.connector.cards(teams.connector.posts(activity["conversation"]["id"]))
    assert 'channel = "TestTeam2022"' in card_text(hello)  # says which name to put in fairloop.toml
    assert (await teams.post(activity)).status == 200  # added again: registered again, greeted once
    assert len(teams.connector.posts()) == 1

    outbox = teams.app[CORE].outboxes["teams"]
    digest = Message(text="Recruitment × DEI sync", blocks=(Section(text="*Check-ins* 12"),))
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
