"""The Teams test harness: the real app with Teams on, talking to a fake Bot Connector, and activity builders."""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from sqlalchemy import func
from sqlmodel import select

from fairloop.app import GRAPH
from fairloop.config import Config
from storage.db import unit_of_work
from storage.models import CheckIn
from tests.support.app import make_config
from tests.support.core import Clock
from tests.support.teams.fake_connector import Call, FakeConnector
from tests.support.teams.schemas import assert_valid_card, thirdparty

HERE = Path(__file__).resolve().parents[2] / "adapters" / "teams" / "activities"
API_TOKEN = "test-api-token"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
_ACTIVITY_IDS = itertools.count(1)
BOT = {"id": "28:c9e8c047-2a74-40a2-b28a-b162d5f5327c", "name": "fairloop"}


@dataclass(frozen=True)
class Person:
    teams_id: str
    aad: str
    name: str
    email: str

    @property
    def conversation(self) -> str:
        return f"a:1on1-{self.aad}"


ANA = Person("29:1ana-XJKJMvc5GBtc2Jw", "7faf8ab2-3d56-4244-b585-20c8a42ed2b8", "Ana Alvarez", "ana@example.com")
RAJ = Person("29:1raj-Q0oj8tHZmzrQgFm", "0c9d8e7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f", "Raj Rao", "raj@example.com")
MIA = Person("29:1mia-B39ATiQWA85gQtH", "5e4d3c2b-1a09-4f8e-8d7c-6b5a49382716", "Mia Moss", "mia@example.com")


def load_activity(name: str) -> dict[str, Any]:
    """A payload fixture: ours (activities/) or Microsoft's (third-party teams-activities/)."""
    for folder in (HERE, thirdparty() / "botframework" / "teams-activities"):
        path = folder / name
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    pytest.skip(f"activity fixture {name} not found (set FAIRLOOP_THIRDPARTY)")


def activity(service_url: str, fixture: str, /, *, person: Person | None = None, **fields: Any) -> dict[str, Any]:
    """The activity in `fixture`, from `person` in their personal chat, as the connector at `service_url` sends it:
    a new activity, with its own id (the bot ignores an activity id it has seen)."""
    data = copy.deepcopy(load_activity(fixture))
    data["serviceUrl"] = service_url
    data["id"] = f"{data.get('id') or 'activity'}-{next(_ACTIVITY_IDS)}"
    if person is not None:
        data["from"] = {"id": person.teams_id, "name": person.name, "aadObjectId": person.aad}
        if (data.get("conversation") or {}).get("conversationType", "personal") == "personal":
            data["conversation"] = {"conversationType": "personal", "tenantId": TENANT, "id": person.conversation}
    data.update(fields)
    return data


def invoke(service_url: str, person: Person, action: dict[str, Any], *, message_id: str = "") -> dict[str, Any]:
    """The adaptiveCard/action invoke Teams sends when `person` clicks `action` (an Action.Execute we sent)."""
    sent = {"type": "Action.Execute", "verb": action["verb"], "data": action.get("data", {})}
    data = activity(
        service_url, "invoke.adaptiveCard-action.json", person=person, value={"action": sent, "trigger": "manual"}
    )
    data["replyToId"] = message_id
    return data


class TeamsHarness:
    """The real fairloop app with Teams on, talking to a FakeConnector as its Bot Connector service."""

    def __init__(self, *, client: TestClient, connector: FakeConnector, clock: Clock | None = None) -> None:
        self.client = client
        self.connector = connector
        self.clock = clock or Clock()
        self.app = client.server.app
        self.payloads: dict[str, dict[str, Any]] = {}

    def activity(self, fixture: str, /, *, person: Person | None = None, **fields: Any) -> dict[str, Any]:
        return activity(self.connector.url, fixture, person=person, **fields)

    async def post(self, activity: dict[str, Any], **headers: str) -> ClientResponse:
        return await self.client.post("/api/messages", json=activity, headers=headers)

    async def install(self, person: Person) -> None:
        response = await self.post(self.activity("installationUpdate.add-personal.json", person=person))
        assert response.status == 200, await response.text()

    async def say(self, person: Person, text: str) -> list[dict[str, Any]]:
        """Send a personal message; return the cards the bot answered with (each validated)."""
        before = len(self.connector.calls)
        activity = self.activity("msteams-docs.message.personal-received.json", person=person, text=text)
        activity.pop("attachments", None)
        response = await self.post(activity)
        assert response.status == 200, await response.text()
        cards = self.connector.cards(self._since(before))
        for card in cards:
            assert_valid_card(card)
        return cards

    def _since(self, index: int) -> list[Call]:
        return [c for c in self.connector.calls[index:] if c.method == "POST" and "/activities" in c.path]

    async def click(self, person: Person, action: dict[str, Any], *, message_id: str = "") -> dict[str, Any]:
        """An adaptiveCard/action invoke for `action` (an Action.Execute from a card we sent); the invoke body."""
        response = await self.post(invoke(self.connector.url, person, action, message_id=message_id))
        assert response.status == 200, await response.text()
        body = await response.json()
        if body.get("type") == "application/vnd.microsoft.card.adaptive":
            assert_valid_card(body["value"])
        return body

    async def interview(self, external_id: str, *emails: str, **fields: Any) -> dict[str, Any]:
        ends = datetime.now(UTC) - timedelta(minutes=10)
        payload = {
            "external_id": external_id,
            "role": "Senior Backend Engineer",
            "team": "Platform",
            "stage": "onsite",
            "starts_at": (ends - timedelta(hours=1)).isoformat(),
            "ends_at": ends.isoformat(),
            "interviewers": [{"email": e} for e in emails],
            **fields,
        }
        self.payloads[external_id] = payload
        response = await self.client.post(
            "/api/interviews", json=payload, headers={"Authorization": f"Bearer {API_TOKEN}"}
        )
        assert response.status == 200, await response.text()
        return (await response.json())["interviews"][0]

    async def wait_for(self, check: Callable[[], Any]) -> Any:
        """Poll `check` until it returns something truthy (the dispatcher runs on its own clock)."""
        for _ in range(200):
            result = check()
            if result:
                return result
            await asyncio.sleep(0.05)
        raise AssertionError("timed out waiting for the bot")

    async def wait_for_prompt(self, person: Person) -> tuple[str, dict[str, Any]]:
        """The proactive check-in card in the person's chat: (message id the fake gave it, card)."""

        def prompts() -> list[tuple[str, dict[str, Any]]]:
            found = []
            for call in self.connector.posts(person.conversation):
                for card in self.connector.cards([call]):
                    if "checkin.all" in actions_of(card) and call.response_id:
                        found.append((call.response_id, card))
            return found

        message_id, card = (await self.wait_for(prompts))[-1]
        assert_valid_card(card)
        return message_id, card

    async def wait_for_state(self, external_id: str, email: str, state: str) -> dict[str, Any]:
        payload = self.payloads[external_id]
        headers = {"Authorization": f"Bearer {API_TOKEN}"}
        for _ in range(200):
            response = await self.client.post("/api/interviews", json=payload, headers=headers)
            prompts = {p["interviewer"]: p for p in (await response.json())["interviews"][0]["prompts"]}
            if prompts[email]["state"] == state:
                return prompts[email]
            await asyncio.sleep(0.05)
        raise AssertionError(f"prompt for {email} never became {state}: {prompts[email]}")

    async def checkins(self) -> int:
        async with unit_of_work(self.app[GRAPH].sessions) as session:
            return int((await session.exec(select(func.count()).select_from(CheckIn))).one())


def actions_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """verb -> Action.Execute, from the card body's ActionSets and the card-level actions."""
    found = [a for e in card.get("body", []) if e.get("type") == "ActionSet" for a in e["actions"]]
    found += card.get("actions", [])
    return {a["verb"]: a for a in found if a.get("type") == "Action.Execute"}


def card_text(card: dict[str, Any]) -> str:
    """Every text in the card, one per line, without the zero-width spaces that keep people's text literal."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label"):
                if isinstance(node.get(key), str):
                    parts.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body", []))
    return "\n".join(parts).replace("\u200b", "")


@asynccontextmanager
async def connector_knowing(*people: Person) -> AsyncIterator[FakeConnector]:
    """A started fake connector whose member look-ups know `people`."""
    fake = await FakeConnector().start()
    for person in people:
        fake.add_member(user_id=person.teams_id, aad_object_id=person.aad, name=person.name, email=person.email)
    try:
        yield fake
    finally:
        await fake.close()


def teams_config(tmp_path: Path, **extra: Any) -> Config:
    values: dict[str, Any] = {
        "secret_key": "teams-test-secret-key-0123456789abcdef",
        "teams_allow_unauthenticated": True,
        "playground": False,
        "min_group_size": 1,
    }
    values.update(extra)
    return make_config(tmp_path, **values)
