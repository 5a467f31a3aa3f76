"""POST /api/messages at the HTTP level: bad input is a 4xx JSON error, auth failures reach no handler."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import SettingsError
from fairloop.app import GRAPH, init_app
from fairloop.config import load_config
from storage.db import unit_of_work
from storage.people import identity_for
from tests.support.teams.fake_connector import FakeConnector
from tests.support.teams.harness import ANA, TeamsHarness, card_text, teams_config
from tests.support.teams.signed import SignedHarness

APP_ID = "3f6c1a52-8d0e-4d4b-9a57-0c1b2d3e4f50"


def _unsigned_jwt(claims: dict[str, object]) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _msg(**changes: object) -> bytes:
    """A well-formed personal message, with `changes` applied (a value of None removes the key)."""
    activity: dict[str, object] = {
        "type": "message",
        "serviceUrl": "http://127.0.0.1:9/",
        "channelId": "msteams",
        "from": {"id": ANA.teams_id, "aadObjectId": ANA.aad},
        "conversation": {"id": ANA.conversation, "conversationType": "personal"},
        "recipient": {"id": "28:bot"},
        "text": "help",
    }
    for key, value in changes.items():
        if value is None:
            activity.pop(key, None)
        else:
            activity[key] = value
    return json.dumps(activity).encode()


MEDIA = ("unsupported_media_type", "send the activity as application/json")
NOT_OBJECT = "the body must be a JSON object (an Activity)"
NO_TYPE = 'an Activity needs a type, such as "message" or "invoke"'
BAD_URL = "an Activity needs a serviceUrl that is an http(s) URL with a host"
NO_CONVERSATION = "an Activity needs a conversation with an id"
NO_FROM = "an Activity needs a from (the sender) with an id"
JSON_TYPE = "application/json"
NOT_JSON = "The body is not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))."


@pytest.mark.parametrize(
    ("body", "content_type", "status", "error"),
    [
        (b'{"type": "message"}', None, 415, MEDIA),
        (b'{"type": "message"}', "text/plain", 415, MEDIA),
        (b"{not json", JSON_TYPE, 400, ("malformed_json", NOT_JSON)),
        (b"[1, 2]", JSON_TYPE, 400, ("invalid_activity", NOT_OBJECT)),
        (b'"message"', JSON_TYPE, 400, ("invalid_activity", NOT_OBJECT)),
        (b"null", JSON_TYPE, 400, ("invalid_activity", NOT_OBJECT)),
        (_msg(type=None), JSON_TYPE, 400, ("invalid_activity", NO_TYPE)),
        (_msg(type=3), JSON_TYPE, 400, ("invalid_activity", NO_TYPE)),
        (_msg(serviceUrl=None), JSON_TYPE, 400, ("invalid_activity", BAD_URL)),
        (_msg(serviceUrl="x"), JSON_TYPE, 400, ("invalid_activity", BAD_URL)),
        (_msg(serviceUrl="ftp://127.0.0.1/"), JSON_TYPE, 400, ("invalid_activity", BAD_URL)),
        (_msg(serviceUrl="https://"), JSON_TYPE, 400, ("invalid_activity", BAD_URL)),
        (_msg(serviceUrl=5), JSON_TYPE, 400, ("invalid_activity", BAD_URL)),
        (_msg(conversation=None), JSON_TYPE, 400, ("invalid_activity", NO_CONVERSATION)),
        (_msg(conversation={"conversationType": "personal"}), JSON_TYPE, 400, ("invalid_activity", NO_CONVERSATION)),
        (_msg(conversation={"id": ""}), JSON_TYPE, 400, ("invalid_activity", NO_CONVERSATION)),
        (_msg(conversation="a:1"), JSON_TYPE, 400, ("invalid_activity", NO_CONVERSATION)),
        (_msg(**{"from": None}), JSON_TYPE, 400, ("invalid_activity", NO_FROM)),
        (_msg(**{"from": {"name": "Ana"}}), JSON_TYPE, 400, ("invalid_activity", NO_FROM)),
        (
            _msg(timestamp="soon"),
            JSON_TYPE,
            400,
            ("invalid_activity", "the body is not a Bot Framework Activity"),
        ),
    ],
)
async def test_bad_requests_get_a_json_4xx(
    teams: TeamsHarness, body: bytes, content_type: str | None, status: int, error: tuple[str, str]
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    skip = () if content_type else ("Content-Type",)
    response = await teams.client.post("/api/messages", data=body, headers=headers, skip_auto_headers=skip)
    assert response.status == status
    assert await response.json() == {"error": error[0], "detail": error[1]}
    assert teams.connector.calls == []


async def test_the_well_formed_base_activity_is_answered(teams: SignedHarness) -> None:
    # the control for the cases above: each fails for its one change, not for the base
    body = _msg(serviceUrl=teams.connector.url)
    headers = {"Content-Type": JSON_TYPE, "Authorization": f"Bearer {teams.token()}"}
    response = await teams.client.post("/api/messages", data=body, headers=headers)
    assert response.status == 200
    (card,) = teams.connector.cards(teams.connector.posts(ANA.conversation))
    assert "Here's what I can do" in card_text(card)


async def test_oversized_body_is_413(teams: TeamsHarness) -> None:
    activity = teams.activity("msteams-docs.message.personal-received.json", person=ANA, text="x" * (2 * 1024 * 1024))
    response = await teams.post(activity)
    assert response.status == 413
    assert teams.connector.calls == []


async def test_unknown_invoke_and_malformed_card_action_are_4xx(teams: TeamsHarness) -> None:
    other = teams.activity("invoke.adaptiveCard-action.json", person=ANA, name="composeExtension/query")
    response = await teams.post(other)
    assert response.status == 400
    assert (await response.json())["statusCode"] == 400

    no_action = teams.activity("invoke.adaptiveCard-action.json", person=ANA, value={"trigger": "manual"})
    response = await teams.post(no_action)
    assert response.status == 400
    assert (await response.json())["type"] == "application/vnd.microsoft.error"

    submit = teams.activity(
        "invoke.adaptiveCard-action.json", person=ANA, value={"action": {"type": "Action.Submit", "data": {}}}
    )
    assert (await teams.post(submit)).status == 400

    stale = teams.activity(
        "invoke.adaptiveCard-action.json",
        person=ANA,
        value={"action": {"type": "Action.Execute", "verb": "checkin.all", "data": {"value": "not-a-prompt"}}},
    )
    response = await teams.post(stale)
    assert response.status == 200  # a stale or foreign card answers with a friendly card, not an error
    assert "doesn't exist" in json.dumps(await response.json())


@pytest.fixture
async def authenticated(tmp_path: Path, connector: FakeConnector) -> TestClient:
    settings = teams_config(
        tmp_path,
        teams_allow_unauthenticated=False,
        microsoft_app_id=APP_ID,
        microsoft_app_password="not-a-real-secret",
        microsoft_app_tenant_id="72f988bf-86f1-41af-91ab-2d7cd011db47",
    )
    client = TestClient(TestServer(init_app(settings), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer not-a-token",
        "Basic dXNlcjpwYXNz",
        "Bearer " + _unsigned_jwt({"iss": "https://evil.example", "aud": APP_ID, "serviceurl": "http://127.0.0.1/"}),
    ],
)
async def test_with_an_app_id_unauthenticated_requests_get_401_and_reach_no_handler(
    authenticated: TestClient, connector: FakeConnector, authorization: str | None
) -> None:
    teams = TeamsHarness(client=authenticated, connector=connector)
    activity = teams.activity("msteams-docs.message.personal-received.json", person=ANA, text="help")
    headers = {"Authorization": authorization} if authorization else {}
    response = await authenticated.post("/api/messages", json=activity, headers=headers)

    assert response.status == 401
    assert await response.json() == {"error": "unauthorized", "detail": "the Bot Framework token is missing or invalid"}
    assert connector.calls == []  # no member look-up, no reply: the bot never ran
    async with unit_of_work(authenticated.server.app[GRAPH].sessions) as session:
        assert await identity_for(session=session, platform="teams", user_id=ANA.aad) is None


@pytest.mark.parametrize(
    ("extra", "setting"),
    [
        ({"microsoft_app_password": None}, "MICROSOFT_APP_PASSWORD"),
        ({"microsoft_app_tenant_id": None}, "MICROSOFT_APP_TENANT_ID"),
    ],
)
def test_incomplete_credentials_stop_start_up_with_one_line(tmp_path: Path, extra: dict, setting: str) -> None:
    values = {"microsoft_app_id": APP_ID, "microsoft_app_password": "s", "microsoft_app_tenant_id": "t", **extra}
    with pytest.raises(SettingsError, match=setting):
        teams_config(tmp_path, teams_allow_unauthenticated=False, **values)


def test_teams_without_app_id_is_refused_unless_unauthenticated_on_loopback(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(SettingsError, match="MICROSOFT_APP_ID"):
        load_config(database_url=db, teams_enabled=True)
    with pytest.raises(SettingsError, match="FAIRLOOP_TEAMS_ALLOW_UNAUTHENTICATED"):
        load_config(database_url=db, teams_allow_unauthenticated=True, host="0.0.0.0")
    assert load_config(database_url=db, teams_allow_unauthenticated=True).teams.on


@pytest.mark.parametrize("connector_answer", ["nobody listens", "404", "not JSON"])
async def test_a_reply_the_connector_does_not_take_is_logged_and_the_activity_answered(
    teams: SignedHarness, connector_answer: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The command was handled; only its reply could not be posted. Teams cannot fix that by sending the activity
    again (and a retried command would run twice): 200, one warning, no traceback, no apology sent the same way."""
    service_url = "http://127.0.0.1:9/" if connector_answer == "nobody listens" else teams.connector.url
    activity = teams.help_message()
    activity["serviceUrl"] = service_url
    if connector_answer == "404":
        teams.connector.fail_next(ANA.conversation, status=404, code="ConversationNotFound", times=2)
    elif connector_answer == "not JSON":
        activity["conversation"]["id"] = "a:{1on1}"  # no route of the fake takes braces: aiohttp's plain-text 404
    response = await teams.post(activity, Authorization=f"Bearer {teams.token(service_url=service_url)}")
    assert response.status == 200, await response.text()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    said = [r.getMessage() for r in caplog.records if r.name == "adapters.teams.bot"]
    assert said[-1].startswith("teams: a reply to a message activity did not reach the Bot Connector")
    assert len(teams.connector.posts()) <= 1  # at most the one reply that failed: no apology after it
