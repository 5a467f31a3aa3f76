"""Payload translation tolerates every field Slack has ever sent (java-slack-sdk shapes) and real-valued bodies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from adapters.slack import translate
from tests.support.slack.blockkit import need, thirdparty


def shape(*parts: str) -> dict[str, Any]:
    path = need(thirdparty() / "slack" / "payloads" / Path(*parts))
    return json.loads(path.read_text(encoding="utf-8"))


WHO = translate.actor("U1")


def test_block_actions_shape_yields_the_first_button() -> None:
    body = shape("java-slack-sdk-shapes", "app-backend", "BlockActionPayload.json")
    button = {**body["actions"][0], "type": "button", "action_id": "checkin.all", "value": "42"}
    body["actions"] = [{"type": "static_select", "action_id": "x"}, button, *body["actions"]]
    event = translate.button_clicked(body, WHO)
    assert event is not None and (event.action_id, event.value, event.actor) == ("checkin.all", "42", WHO)
    assert translate.click_source(body).surface == "message"


def test_a_select_without_buttons_is_not_a_click() -> None:
    assert translate.button_clicked({"actions": [{"type": "static_select", "action_id": "x"}]}, WHO) is None


def test_view_submission_shape_becomes_a_form_with_values_by_block_id() -> None:
    body = shape("java-slack-sdk-shapes", "app-backend", "ViewSubmissionPayload.json")
    body["view"].update(callback_id="checkin.detail", private_metadata="42")
    body["view"]["state"] = {
        "values": {
            "rubric": {"rubric": {"type": "radio_buttons", "selected_option": {"value": "no"}}},
            "structured": {"structured": {"type": "radio_buttons", "selected_option": None}},
            "note": {"note": {"type": "plain_text_input", "value": "  late rubric  "}},
            "empty": {"empty": {"type": "plain_text_input", "value": None}},
        }
    }
    event = translate.form_submitted(body, WHO)
    assert (event.form_id, event.context) == ("checkin.detail", "42")
    assert event.values == {"rubric": "no", "structured": "", "note": "late rubric", "empty": ""}


@pytest.mark.parametrize(("text", "expected"), [("  stats   30d  team:Data ", "stats 30d team:Data"), ("", "help")])
def test_slash_command_text_is_normalised(text: str, expected: str) -> None:
    body = shape("java-slack-sdk-shapes", "app-backend", "SlashCommandPayload.json") | {"text": text}
    assert translate.command_issued(body, WHO).text == expected


def test_real_slash_command_body_parses_to_its_user_and_text() -> None:
    path = need(
        thirdparty() / "slack" / "payloads" / "realistic" / "java-slack-sdk-docs.slash_command.form-urlencoded.txt"
    )
    body = dict(parse_qsl(path.read_text(encoding="utf-8").strip()))
    assert translate.user_id_of(body) == "U2147483697"
    assert translate.command_issued(body, WHO).text == "94070"
    assert translate.address(body) == {"user_id": "U2147483697", "team_id": "T0001"}
    assert translate.address(body | {"channel_id": "D0ANA"})["dm_channel"] == "D0ANA"


def test_app_home_opened_shape_names_its_user() -> None:
    body = shape("java-slack-sdk-shapes", "events", "AppHomeOpenedPayload.json")
    body["event"]["user"] = "U9"
    assert translate.user_id_of(body) == "U9"


def test_users_info_shape_fills_the_profile_and_blanks_become_none() -> None:
    user = shape("java-slack-sdk-shapes", "web-api-responses", "users.info.json")["user"]
    assert translate.profile_from_user(user) == translate.Profile()
    user["profile"].update(email="ana@example.com", display_name="Ana")
    user["tz"] = "Europe/Berlin"
    profile = translate.profile_from_user(user)
    assert (profile.email, profile.display_name, profile.timezone) == ("ana@example.com", "Ana", "Europe/Berlin")


def test_clicks_in_the_app_home_are_told_apart_from_message_clicks() -> None:
    body = {"container": {"type": "view", "view_id": "V1"}, "view": {"type": "home"}}
    assert translate.click_source(body) == translate.ClickSource(surface="home")
