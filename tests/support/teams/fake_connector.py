"""A fake Bot Connector service: a real aiohttp server on loopback that records what the bot sends.

It answers the few Connector API v3 routes fairloop uses (send/reply/update activities, member
look-up, create conversation) and can be told to fail the next calls to a conversation
(403 BotNotInConversationRoster, 429 throttling) to exercise the outbox's error paths.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.support.faults import Faults


@dataclass
class Call:
    method: str
    path: str
    conversation_id: str
    activity_id: str | None
    body: Any
    authorization: str | None
    response_id: str | None = None
    status: int = 200  # what the fake answered
    at: float = field(default_factory=time.monotonic)  # when the call arrived (time.monotonic)


@dataclass
class Member:
    id: str
    aad_object_id: str
    name: str
    email: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "aadObjectId": self.aad_object_id,
            "email": self.email,
            "userPrincipalName": self.email,
            "givenName": self.name.split(" ")[0],
            "tenantId": "tenant-1",
            "userRole": "user",
        }


@dataclass
class FakeConnector:
    """Start with `await connector.start()`; `url` is the serviceUrl to put in activities."""

    calls: list[Call] = field(default_factory=list)
    members: dict[str, Member] = field(default_factory=dict)  # keyed by "29:" id and by AAD id
    failures: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)  # random 429/5xx and a gate, for activities sent
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    _server: TestServer | None = None
    host: str = "127.0.0.1"  # "0.0.0.0" for a connector that another machine's address reaches too

    # ---- set-up ----
    def add_member(self, *, user_id: str, aad_object_id: str, name: str, email: str) -> Member:
        member = Member(id=user_id, aad_object_id=aad_object_id, name=name, email=email)
        self.members[user_id] = member
        self.members[aad_object_id] = member
        return member

    def fail_next(self, conversation_id: str, *, status: int, code: str, times: int = 1, retry_after: str = "") -> None:
        body = {"error": {"code": code, "message": f"fake connector: {code}"}}
        headers = {"Retry-After": retry_after} if retry_after else {}
        self.failures.setdefault(conversation_id, []).extend([(status, body, headers)] * times)

    async def start(self) -> FakeConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._send)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/members/{uid}", self._member)
        self._server = TestServer(app, host=self.host)
        await self._server.start_server()
        return self

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        return str(self._server.make_url("/"))

    def url_at(self, address: str) -> str:
        """The serviceUrl that reaches this connector through `address` (started on host "0.0.0.0")."""
        assert self._server is not None and self._server.port is not None, "start() first"
        return f"http://{address}:{self._server.port}/"

    # ---- what tests read ----
    def posts(self, conversation_id: str | None = None) -> list[Call]:
        """Activities the bot posted (new messages and replies), optionally to one conversation."""
        return [
            c
            for c in self.calls
            if c.method == "POST" and "/activities" in c.path
            if conversation_id is None or c.conversation_id == conversation_id
        ]

    def updates(self, conversation_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == "PUT" and (conversation_id is None or c.conversation_id == conversation_id)
        ]

    def cards(self, calls: list[Call]) -> list[dict[str, Any]]:
        return [
            a["content"]
            for c in calls
            for a in (c.body or {}).get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    # ---- handlers ----
    async def _record(self, request: web.Request) -> tuple[Call, web.Response | None]:
        body = await request.json() if request.can_read_body else None
        cid = request.match_info.get("cid", "")
        call = Call(
            method=request.method,
            path=request.path,
            conversation_id=cid,
            activity_id=request.match_info.get("aid"),
            body=body,
            authorization=request.headers.get("Authorization"),
        )
        self.calls.append(call)
        queue = self.failures.get(cid)
        if queue:
            status, error, headers = queue.pop(0)
            call.status = status
            return call, web.json_response(error, status=status, headers=headers)
        return call, None

    async def _send(self, request: web.Request) -> web.Response:
        call, failure = await self._record(request)
        if failure:
            return failure
        if not await self.faults.gate(request):
            call.status = 499  # the caller hung up (it was killed): nothing was posted
            return web.Response(status=499)
        fault = self.faults.pick()
        if fault is not None:
            call.status = fault
            headers = {"Retry-After": "1"} if fault == 429 else {}
            return web.json_response({"error": {"code": "Throttled" if fault == 429 else "ServiceError",
                                                "message": "fake connector fault"}}, status=fault, headers=headers)  # fmt: skip
        call.response_id = f"act-{next(self._ids)}"
        call.status = 201
        return web.json_response({"id": call.response_id}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        call, failure = await self._record(request)
        return failure or web.json_response({"id": call.activity_id}, status=200)

    async def _member(self, request: web.Request) -> web.Response:
        _, failure = await self._record(request)
        if failure:
            return failure
        member = self.members.get(request.match_info["uid"])
        if member is None:
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "no such member"}}, status=404
            )
        return web.json_response(member.as_json())

    async def _create_conversation(self, request: web.Request) -> web.Response:
        _, failure = await self._record(request)
        if failure:
            return failure
        return web.json_response(
            {"id": f"a:conv-{next(self._ids)}", "activityId": f"act-{next(self._ids)}"}, status=201
        )
