"""Slack request payloads in the shapes Slack sends them (interactivity, slash commands, events)."""

from __future__ import annotations

import itertools
import time
from typing import Any
from urllib.parse import urlencode

from tests.support.slack.fake_slack import BOT_USER, TEAM

_seq = itertools.count(1)


def block_actions(*, user: str, action_id: str, value: str, channel: str, ts: str, response_url: str) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A0FAIRLOOP",
        "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
        "trigger_id": f"{next(_seq)}.{int(time.time())}.abcdef",
        "team": {"id": TEAM, "domain": "fairloop-test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "user": BOT_USER, "ts": ts, "text": "Quick inclusivity check-in"},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "All practices followed", "emoji": True},
                "value": value,
                "style": "primary",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def view_submission(*, user: str, view: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """Submit `view` (as sent to views.open) with `values` keyed by block id, typed like its elements."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input" or block["block_id"] not in values:
            continue
        element, value = block["element"], values[block["block_id"]]
        if element["type"] in ("radio_buttons", "static_select"):
            chosen = next((o for o in element["options"] if o["value"] == value), None)
            state[block["block_id"]] = {element["action_id"]: {"type": element["type"], "selected_option": chosen}}
        else:
            state[block["block_id"]] = {element["action_id"]: {"type": element["type"], "value": value or None}}
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "fairloop-test"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A0FAIRLOOP",
        "token": "legacy-verification-token",
        "trigger_id": f"{next(_seq)}.{int(time.time())}.fedcba",
        "view": {
            **view,
            "id": "V0000001",
            "team_id": TEAM,
            "state": {"values": state},
            "hash": "1700000000.abcdef",
            "app_id": "A0FAIRLOOP",
            "bot_id": "B0FAIRLOOP",
        },
        "response_urls": [],
        "is_enterprise_install": False,
    }


def slash_command(*, user: str, text: str, response_url: str, channel: str = "C0GENERAL") -> str:
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "fairloop-test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/fairloop",
            "text": text,
            "api_app_id": "A0FAIRLOOP",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"{next(_seq)}.{int(time.time())}.c0ffee",
        }
    )


def app_home_opened(*, user: str, event_id: str) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": "A0FAIRLOOP",
        "event": {
            "type": "app_home_opened",
            "user": user,
            "channel": "D" + user[1:],
            "tab": "home",
            "event_ts": f"{time.time():.6f}",
        },
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    }
