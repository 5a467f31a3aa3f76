"""The fake Slack Web API in a process of its own (its CPU is not fairloop's), with counters the harness reads."""

# `python -m bench.fake_slack_server --port P --users N [--limit L]` serves the tests' FakeSlack with every method
# limited to L requests/s (429 + Retry-After beyond), users bench{i}@example.com = U{i:08d}, and /bench/* to inspect.

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.procs import TOKEN, Proc, base_env, free_port, spawn, wait_ready
from tests.support.slack.fake_slack import FakeSlack


def email(i: int) -> str:
    return f"bench{i}@example.com"


def user_id(i: int) -> str:
    return f"U{i:08d}"


@dataclass
class BenchSlack(FakeSlack):
    """FakeSlack that counts calls instead of keeping every body (20,000 clicks would fill its memory)."""

    limit: int = 0  # requests per second for every method; 0 is unlimited
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    last_ok: dict[str, float] = field(default_factory=dict)  # method -> wall time of its latest 200
    dms: list[tuple[int, str, str, float]] = field(default_factory=list)  # (prompt id, channel, ts, wall time)
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)  # user id -> user: O(1) where FakeSlack scans
    updated: dict[str, float] = field(default_factory=dict)  # "channel ts" -> wall time of its latest chat.update

    def add_user(self, email: str, user_id: str, *, name: str = "", tz: str = "Europe/Berlin") -> dict[str, Any]:
        user = super().add_user(email, user_id, name=name, tz=tz)
        self.by_id[user_id] = user
        return user

    def _throttled(self, method: str) -> bool:
        if self.limit and method not in self.limits:
            self.limits[method] = self.limit
        return super()._throttled(method)

    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        count = self.counts.setdefault(method, Counter())
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            count["invalid_auth"] += 1
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self._throttled(method):
            count["throttled"] += 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"})
        handler = getattr(self, "m_" + method.replace(".", "_"), None)
        body = handler(params) if handler else {"ok": False, "error": "unknown_method"}
        count["ok" if body.get("ok") else str(body.get("error"))] += 1
        if body.get("ok"):
            now = time.time()
            self.last_ok[method] = now
            meta = params.get("metadata") if method == "chat.postMessage" else None
            if isinstance(meta, dict) and "prompt_id" in meta.get("event_payload", {}):
                self.dms.append((int(meta["event_payload"]["prompt_id"]), str(params["channel"]), body["ts"], now))
            if method == "chat.postMessage":
                self.messages[(str(params["channel"]), body["ts"])] = {}  # chat.update checks the key only
            if method == "chat.update":
                self.updated[f"{params['channel']} {params['ts']}"] = now
        return web.json_response(body)

    def m_users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        user = self.by_id.get(str(p.get("user")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def m_conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        users = str(p.get("users", ""))
        if users not in self.by_id:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": "D" + users[1:]}}

    def m_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        key = (str(p.get("channel")), str(p.get("ts")))
        if key not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": key[0], "ts": key[1], "text": p.get("text")}

    async def _summary(self, request: web.Request) -> web.Response:
        return web.json_response({"counts": self.counts, "last_ok": self.last_ok, "dms": len(self.dms)})

    async def _updated(self, request: web.Request) -> web.Response:
        return web.json_response(self.updated)

    async def _dms(self, request: web.Request) -> web.Response:
        return web.json_response(self.dms)

    async def _set_limit(self, request: web.Request) -> web.Response:
        self.limit = int((await request.json())["limit"])
        self.limits.clear()
        self._windows.clear()
        return web.json_response({"limit": self.limit})

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/api/{method}", self._dispatch)
        app.router.add_get("/api/{method}", self._dispatch)
        app.router.add_post("/hooks/{name}", self._hook)
        app.router.add_get("/bench/summary", self._summary)
        app.router.add_get("/bench/dms", self._dms)
        app.router.add_get("/bench/updated", self._updated)
        app.router.add_post("/bench/limit", self._set_limit)
        return app


@dataclass
class FakeSlackClient:
    """The harness's handle on the fake Slack process."""

    proc: Proc

    @property
    def api(self) -> str:
        return self.proc.url + "/api/"

    async def _get(self, path: str) -> Any:
        async with aiohttp.ClientSession() as http, http.get(self.proc.url + path) as r:
            r.raise_for_status()
            return await r.json()

    async def summary(self) -> dict[str, Any]:
        return dict(await self._get("/bench/summary"))

    async def dms(self) -> list[tuple[int, str, str, float]]:
        return [tuple(d) for d in await self._get("/bench/dms")]  # type: ignore[misc]

    async def updated(self) -> dict[tuple[str, str], float]:
        """(channel, ts) -> wall time of the latest chat.update of that message."""
        return {tuple(k.split(" ", 1)): float(v) for k, v in (await self._get("/bench/updated")).items()}  # type: ignore[misc]

    async def ok(self, method: str) -> int:
        return int((await self.summary())["counts"].get(method, {}).get("ok", 0))

    async def set_limit(self, limit: int) -> None:
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.proc.url + "/bench/limit", json={"limit": limit}) as r,
        ):
            r.raise_for_status()


async def start(*, users: int, limit: int, workdir: Path) -> FakeSlackClient:
    port = free_port()
    args = ["-m", "bench.fake_slack_server", "--port", str(port), "--users", str(users), "--limit", str(limit)]
    proc = spawn(f"fake-slack-{port}", args, env=base_env(), log=workdir / f"fake-slack-{port}.log", port=port,
                 cwd=workdir)  # fmt: skip
    return FakeSlackClient(await wait_ready(proc, "/bench/summary"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--users", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    fake = BenchSlack(token=TOKEN, limit=args.limit, port=args.port)
    for i in range(args.users):
        fake.add_user(email(i), user_id(i))
    web.run_app(fake.application(), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
