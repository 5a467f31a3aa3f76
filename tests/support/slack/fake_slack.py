"""A fake Slack Web API: a real aiohttp server on loopback that records every call and can throttle."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.faults import Faults

BOT_USER = "UBOT0001"
TEAM = "T0FAIRLOOP"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int = 200
    replica: str = ""  # which fairloop process called, when each has a base URL of its own (base_url_for)


@dataclass
class FakeSlack:
    """Answers the Web API methods fairloop uses. `users` maps email -> Slack user object."""

    token: str = "xoxb-test-token"
    app_token: str = "xapp-test-token"  # Socket Mode: apps.connections.open, then a websocket at /link
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    limits: dict[str, int] = field(default_factory=dict)  # method -> requests per second (429 beyond)
    calls: list[Call] = field(default_factory=list)
    hooks: list[dict[str, Any]] = field(default_factory=list)  # bodies POSTed to response_url
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (channel, ts) -> last body
    failures: dict[str, list[int]] = field(default_factory=dict)  # method -> statuses to answer next
    delays: dict[str, float] = field(default_factory=dict)  # method -> seconds it takes to answer
    # method -> Retry-After answered (429) to the first call for each message: its prompt id, else its channel
    throttle_once: dict[str, str] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)  # random 429/5xx and a gate, for the methods in `faulty`
    faulty: tuple[str, ...] = ("chat.postMessage",)
    _throttled_once: set[tuple[str, str]] = field(default_factory=set)
    _windows: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    socket_acks: list[dict[str, Any]] = field(default_factory=list)  # what the app answered over the websocket
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    port: int = 0

    def add_user(self, email: str, user_id: str, *, name: str = "", tz: str = "Europe/Berlin") -> dict[str, Any]:
        user = {
            "id": user_id,
            "team_id": TEAM,
            "name": email.split("@")[0],
            "real_name": name or email.split("@")[0].title(),
            "tz": tz,
            "deleted": False,
            "is_bot": False,
            "profile": {"email": email, "display_name": name or email.split("@")[0].title()},
        }
        self.users[email.lower()] = user
        return user

    # ---- lifecycle ----
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def base_url_for(self, replica: str) -> str:
        """A base URL of its own for one fairloop process, so calls say who made them."""
        return f"http://127.0.0.1:{self.port}/{replica}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{name}"

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._dispatch)
        app.router.add_get("/api/{method}", self._dispatch)
        app.router.add_post("/{replica}/api/{method}", self._dispatch)
        app.router.add_get("/{replica}/api/{method}", self._dispatch)
        app.router.add_post("/hooks/{name}", self._hook)
        app.router.add_get("/link", self._link)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- inspection ----
    def called(self, method: str, *, ok_only: bool = True) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    async def wait_for(self, method: str, count: int = 1, within: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        while len(self.called(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} {method} call(s), saw {len(self.called(method))}")
            await asyncio.sleep(0.02)
        return self.called(method)

    async def wait_for_hook(self, count: int = 1, within: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within
        while len(self.hooks) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} response_url post(s), saw {len(self.hooks)}")
            await asyncio.sleep(0.02)
        return self.hooks

    # ---- Socket Mode ----
    async def push(self, envelope: dict[str, Any], *, within: float = 5.0) -> dict[str, Any]:
        """Send an envelope to the connected app and return its acknowledgement."""
        deadline = time.monotonic() + within
        while not self._sockets:
            assert time.monotonic() < deadline, "the app never opened a Socket Mode connection"
            await asyncio.sleep(0.02)
        await self._sockets[-1].send_json(envelope)
        while True:
            ack = next((a for a in self.socket_acks if a.get("envelope_id") == envelope["envelope_id"]), None)
            if ack is not None:
                return ack
            assert time.monotonic() < deadline, f"no ack for {envelope['envelope_id']}"
            await asyncio.sleep(0.02)

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0FAIRLOOP"}})
        async for msg in ws:
            if msg.type.name == "TEXT":
                self.socket_acks.append(json.loads(msg.data))
        return ws

    # ---- HTTP ----
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(dict(await request.post()))
        for key in ("blocks", "metadata", "view", "attachments"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    def _throttled(self, method: str) -> bool:
        limit = self.limits.get(method)
        if not limit:
            return False
        now = time.monotonic()
        window = self._windows[method]
        while window and now - window[0] >= 1.0:
            window.popleft()
        if len(window) >= limit:
            return True
        window.append(now)
        return False

    @staticmethod
    def _message_key(params: dict[str, Any]) -> str:
        prompt = ((params.get("metadata") or {}).get("event_payload") or {}).get("prompt_id")
        return f"prompt:{prompt}" if prompt else f"channel:{params.get('channel')}"

    async def _hook(self, request: web.Request) -> web.Response:
        self.hooks.append(await request.json())
        return web.Response(text="ok")

    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if self.delays.get(method):  # a slow answer: the call counts once it has been answered
            await asyncio.sleep(self.delays[method])
        call = Call(method=method, params=params, at=time.monotonic(), replica=request.match_info.get("replica", ""))
        self.calls.append(call)
        wanted = self.app_token if method == "apps.connections.open" else self.token
        if request.headers.get("Authorization") != f"Bearer {wanted}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self.failures.get(method):
            call.status = self.failures[method].pop(0)
            return web.json_response({"ok": False, "error": "fatal_error"}, status=call.status)
        if method in self.faulty:
            if not await self.faults.gate(request, call.replica):
                call.status = 499  # the caller hung up (it was killed): nothing was posted
                return web.Response(status=499)
            fault = self.faults.pick()
            if fault is not None:
                call.status = fault
                headers = {"Retry-After": "1"} if fault == 429 else {}
                return web.json_response({"ok": False, "error": "ratelimited" if fault == 429 else "fatal_error"},
                                         status=fault, headers=headers)  # fmt: skip
        if method in self.throttle_once and (method, self._message_key(params)) not in self._throttled_once:
            self._throttled_once.add((method, self._message_key(params)))
            call.status = 429
            headers = {"Retry-After": self.throttle_once[method]}
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers=headers)
        if self._throttled(method):
            call.status = 429
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"})
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        body = handler(params) if handler else {"ok": False, "error": "unknown_method"}
        return web.json_response(body)

    # ---- Web API methods ----
    def m_auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fairloop-test.slack.com/",
            "team": "fairloop test",
            "user": "fairloop",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": "B0FAIRLOOP",
            "is_enterprise_install": False,
        }

    def m_apps_connections_open(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"}

    def m_users_lookupByEmail(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(p.get("email", "")).lower())
        return {"ok": True, "user": user} if user else {"ok": False, "error": "users_not_found"}

    def m_users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = next((u for u in self.users.values() if u["id"] == p.get("user")), None)
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def m_conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        users = str(p.get("users", ""))
        if not any(u["id"] == users for u in self.users.values()):
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": "D" + users[1:]}}

    def m_chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("channel") or not (p.get("text") or p.get("blocks")):
            return {"ok": False, "error": "no_text" if p.get("channel") else "channel_not_found"}
        ts = f"{1700000000 + next(self._ts)}.000100"
        self.messages[(str(p["channel"]), ts)] = p
        return {"ok": True, "channel": p["channel"], "ts": ts, "message": {"text": p.get("text"), "ts": ts}}

    def m_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        key = (str(p.get("channel")), str(p.get("ts")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        self.messages[key] = p
        return {"ok": True, "channel": key[0], "ts": key[1], "text": p.get("text")}

    def m_chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.000200"}

    def m_views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("trigger_id"):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": {**p["view"], "id": f"V{next(self._ts):08d}"}}

    def m_views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "view": {**p["view"], "id": f"V{next(self._ts):08d}"}}
