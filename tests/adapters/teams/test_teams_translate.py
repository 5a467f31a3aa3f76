"""Teams activity payloads -> core events and stored addresses (no network, no app)."""

from __future__ import annotations

import pytest
from botbuilder.schema import Activity

from adapters.teams import translate
from adapters.teams.render import CONTEXT_KEY
from bot.events import ButtonClicked, FormSubmitted
from tests.support.teams.harness import load_activity


def _activity(name: str) -> Activity:
    return Activity().deserialize(load_activity(name))


def test_mention_and_markup_are_stripped_from_commands() -> None:
    assert translate.command_text(_activity("message.channel-mention.json")) == "stats 30d"
    personal = _activity("msteams-docs.message.personal-received.json")
    assert translate.command_text(personal) == "Hello Teams TestBot.Sending bold-italic rich text"
    personal.text = "<p>stats&nbsp;7d</p>"
    assert translate.command_text(personal) == "stats 7d"


def test_actor_is_the_aad_object_id_with_timezone() -> None:
    actor = translate.actor(_activity("msteams-docs.message.personal-received.json"), email="Megan@Example.com")
    assert actor.platform == "teams"
    assert actor.user_id == "7faf8ab2-3d56-4244-b585-20c8a42ed2b8"
    assert actor.email == "megan@example.com"
    assert actor.display_name == "Megan Bowen"
    assert actor.timezone == "America/Los_Angeles"


def test_scopes() -> None:
    assert translate.is_personal(_activity("msteams-docs.message.personal-received.json"))
    assert not translate.is_personal(_activity("msteams-docs.conversationUpdate.bot-added-to-team.json"))
    assert not translate.is_personal(_activity("message.channel-mention.json"))


def test_team_name_is_what_a_channel_is_registered_under() -> None:
    assert translate.team_name(_activity("msteams-docs.conversationUpdate.bot-added-to-team.json")) == "TestTeam2022"


def test_card_actions_become_core_events() -> None:
    actor = translate.actor(_activity("invoke.adaptiveCard-action.json"))
    click = translate.card_event(actor, {"type": "Action.Execute", "verb": "checkin.all", "data": {"value": 7}})
    assert click == ButtonClicked(actor=actor, action_id="checkin.all", value="7")

    data = {CONTEXT_KEY: "7", "rubric": "yes", "note": None}
    form = translate.card_event(actor, {"type": "Action.Execute", "verb": "form:checkin.detail", "data": data})
    assert form == FormSubmitted(
        actor=actor, form_id="checkin.detail", context="7", values={"rubric": "yes", "note": ""}
    )

    assert translate.card_event(actor, {"type": "Action.Execute", "data": {}}) is None
    assert translate.card_event(actor, {"type": "Action.Execute", "verb": "x", "data": "nope"}) is None


def test_address_round_trips_to_a_reference() -> None:
    activity = _activity("msteams-docs.message.personal-received.json")
    address = translate.address(activity)
    assert address["conversation"]["tenantId"] == "72f988bf-86f1-41af-91ab-2d7cd011db47"
    assert "activityId" not in address  # a stored reference must not make later sends "replies"
    ref = translate.reference(address)
    assert ref is not None and ref.conversation.id == activity.conversation.id
    assert ref.service_url == activity.service_url and ref.user.aad_object_id == activity.from_property.aad_object_id


@pytest.mark.parametrize("address", [None, {}, {"conversation": {"id": "a:1"}}, {"serviceUrl": "https://x/"}])
def test_incomplete_addresses_reach_nobody(address: dict[str, object] | None) -> None:
    assert translate.reference(address) is None


def test_conversation_key_round_trip_and_rejects_garbage() -> None:
    ref = translate.reference(translate.address(_activity("msteams-docs.message.personal-received.json")))
    assert ref is not None
    key = translate.encode_conversation(ref)
    back = translate.decode_conversation(key)
    assert (back.conversation.id, back.service_url) == (ref.conversation.id, ref.service_url)
    assert len(key) < 300
    with pytest.raises(ValueError):
        translate.decode_conversation("C0123456789")


def _mentioning(text: str, *entities: object) -> Activity:
    data = load_activity("message.channel-mention.json")
    data["text"] = text
    data["entities"] = list(entities)
    return Activity().deserialize(data)


BOT_ID = "28:c9e8c047-2a74-40a2-b28a-b162d5f5327c"


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        ({"type": "mention", "text": "<at>fairloop</at>"}, "fairloop stats 30d"),  # no `mentioned`: KeyError before
        ({"type": "mention", "mentioned": "fairloop", "text": "<at>fairloop</at>"}, "fairloop stats 30d"),
        ({"type": "mention", "mentioned": {"name": "fairloop"}}, "fairloop stats 30d"),
        ({"type": "mention", "mentioned": {"id": BOT_ID}}, "fairloop stats 30d"),  # no text, no name
        ({"mentioned": {"id": BOT_ID}, "text": "<at>fairloop</at>"}, "fairloop stats 30d"),  # no type
        ({"type": "Mention", "mentioned": {"id": BOT_ID, "name": "fairloop"}}, "stats 30d"),  # name, no text
        ({"type": "mention", "mentioned": {"id": BOT_ID}, "text": "<at>fairloop</at>"}, "stats 30d"),
        ({"type": "clientInfo", "locale": "en-US"}, "fairloop stats 30d"),
    ],
)
def test_malformed_mention_entities_are_tolerated(entity: dict[str, object], expected: str) -> None:
    assert translate.command_text(_mentioning("<at>fairloop</at> stats 30d", entity)) == expected


def test_only_the_bots_own_mention_is_removed_even_with_regex_characters_in_names() -> None:
    bot = {"type": "mention", "mentioned": {"id": BOT_ID, "name": "fair(loop"}, "text": "<at>fair(loop</at>"}
    raj = {"type": "mention", "mentioned": {"id": "29:raj", "name": "Raj"}, "text": "<at>Raj</at>"}
    activity = _mentioning("<at>fair(loop</at> stats team:Platform <at>Raj</at>", bot, raj)
    assert translate.command_text(activity) == "stats team:Platform Raj"


def test_a_mention_with_no_recipient_or_text_is_harmless() -> None:
    activity = _mentioning("<at>fairloop</at> help", {"type": "mention", "mentioned": {"id": BOT_ID}})
    activity.recipient = None
    assert translate.command_text(activity) == "fairloop help"
    activity.text = None
    assert translate.command_text(activity) == ""
