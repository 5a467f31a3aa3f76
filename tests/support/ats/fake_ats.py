"""Fake Ashby, Lever and Greenhouse APIs: one real aiohttp server on loopback, serving the shared samples."""

from __future__ import annotations

import base64
import copy
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

ASHBY_KEY, LEVER_KEY = "ashby-test-key", "lever-test-key"
GH_CLIENT, GH_SECRET, GH_TOKEN = "gh-client", "gh-secret", "gh-access-token"


@dataclass
class Call:
    path: str
    at: float
    status: int
    body: Any = None
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeATS:
    """Vendor data lives in plain dicts the tests change; `fail[path]` queues (status, headers) answers."""

    ashby_applications: dict[str, dict[str, Any]] = field(default_factory=dict)
    ashby_departments: dict[str, dict[str, Any]] = field(default_factory=dict)
    ashby_stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    ashby_schedules: list[dict[str, Any]] = field(default_factory=list)
    lever_interviews: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # opportunity -> interviews
    lever_postings: dict[str, dict[str, Any]] = field(default_factory=dict)
    lever_stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    gh: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))  # v3 list -> rows
    page_size: int = 2
    fail: dict[str, list[tuple[int, dict[str, str]]]] = field(default_factory=lambda: defaultdict(list))
    calls: list[Call] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def called(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    async def start(self) -> FakeATS:
        app = web.Application()
        app.router.add_post("/ashby/{method}", self._ashby)
        app.router.add_get(r"/lever/v1/{tail:[\s\S]*}", self._lever)  # ids may hold any character
        app.router.add_post("/greenhouse/token", self._gh_token)
        app.router.add_get("/greenhouse/v3/{name}", self._gh_list)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- plumbing ----
    def _record(self, request: web.Request, body: Any = None) -> Call | web.Response:
        call = Call(path=request.path, at=time.monotonic(), status=200, body=body, query=dict(request.query))
        self.calls.append(call)
        queued = self.fail.get(request.path)
        if queued:
            status, headers = queued.pop(0)
            call.status = status
            return web.json_response({"error": "injected"}, status=status, headers=headers)
        return call

    @staticmethod
    def _basic(request: web.Request) -> tuple[str, str]:
        raw = request.headers.get("Authorization", "")
        if not raw.startswith("Basic "):
            return "", ""
        user, _, password = base64.b64decode(raw[6:]).decode().partition(":")
        return user, password

    # ---- Ashby (RPC: POST /<method>, Basic api key) ----
    async def _ashby(self, request: web.Request) -> web.Response:
        body = await request.json()
        got = self._record(request, body)
        if isinstance(got, web.Response):
            return got
        if self._basic(request) != (ASHBY_KEY, ""):
            got.status = 401
            return web.json_response({"success": False, "errors": ["invalid api key"]}, status=401)
        method = request.match_info["method"]
        results: Any = None
        if method == "application.info":
            results = self.ashby_applications.get(body.get("applicationId"))
        elif method == "department.info":
            results = self.ashby_departments.get(body.get("departmentId"))
        elif method == "interviewStage.info":
            results = self.ashby_stages.get(body.get("interviewStageId"))
        elif method == "interviewEvent.list":
            found = [s for s in self.ashby_schedules if s["id"] == body.get("interviewScheduleId")]
            return web.json_response({"success": True, "results": found[0]["interviewEvents"] if found else [],
                                      "moreDataAvailable": False})  # fmt: skip
        elif method == "interviewSchedule.list":
            start = int(body.get("cursor") or 0)
            page = self.ashby_schedules[start : start + min(self.page_size, int(body.get("limit") or 100))]
            more = start + len(page) < len(self.ashby_schedules)
            out = {"success": True, "results": copy.deepcopy(page), "moreDataAvailable": more}
            out.update({"nextCursor": str(start + len(page))} if more else {"syncToken": "sync-token-1"})
            return web.json_response(out)
        if results is None:
            return web.json_response({"success": False, "errors": [f"{method}: not found"]})
        return web.json_response({"success": True, "results": results})

    # ---- Lever (REST, Basic api key, {data, hasNext, next}) ----
    async def _lever(self, request: web.Request) -> web.Response:
        got = self._record(request)
        if isinstance(got, web.Response):
            return got
        if self._basic(request) != (LEVER_KEY, ""):
            got.status = 401
            return web.json_response({"code": "Unauthorized"}, status=401)
        parts = request.match_info["tail"].strip("/").split("/")
        offset = int(request.query.get("offset") or 0)
        if parts == ["opportunities"]:
            return self._page([{"id": o} for o in self.lever_interviews], offset)
        if len(parts) == 3 and parts[0] == "opportunities" and parts[2] == "interviews":
            return self._page(self.lever_interviews.get(parts[1], []), offset)
        table = {"postings": self.lever_postings, "stages": self.lever_stages}.get(parts[0], {})
        if len(parts) == 2 and parts[1] in table:
            return web.json_response({"data": table[parts[1]]})
        return web.json_response({"code": "NotFound"}, status=404)

    def _page(self, rows: list[Any], offset: int) -> web.Response:
        page = rows[offset : offset + self.page_size]
        more = offset + len(page) < len(rows)
        return web.json_response({"data": page, "hasNext": more, **({"next": str(offset + len(page))} if more else {})})

    # ---- Greenhouse Harvest v3 (OAuth client credentials, Link header cursors) ----
    async def _gh_token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        got = self._record(request, form)
        if isinstance(got, web.Response):
            return got
        if self._basic(request) != (GH_CLIENT, GH_SECRET) or form.get("grant_type") != "client_credentials":
            got.status = 401
            return web.json_response({"error": "invalid_client"}, status=401)
        return web.json_response({"access_token": GH_TOKEN, "token_type": "Bearer", "expires_in": 3600})

    async def _gh_list(self, request: web.Request) -> web.Response:
        got = self._record(request)
        if isinstance(got, web.Response):
            return got
        if request.headers.get("Authorization") != f"Bearer {GH_TOKEN}":
            got.status = 401
            return web.json_response({"error": "unauthorized"}, status=401)
        query = dict(request.query)
        if "cursor" in query and len(query) > 1:
            got.status = 422
            return web.json_response({"error": "cursor must be the only parameter"}, status=422)
        offset, query = (
            (int(query["cursor"].split(":")[0]), _decode(query["cursor"])) if "cursor" in query else (0, query)
        )
        rows = [r for r in self.gh[request.match_info["name"]] if _matches(r, query)]
        size = min(self.page_size, int(query.get("per_page") or 100))
        page = rows[offset : offset + size]
        headers = {}
        if offset + size < len(rows):
            headers["Link"] = f'<{self.url}{request.path}?cursor={offset + size}:{_encode(query)}>; rel="next"'
        return web.json_response(page, headers=headers)


def _encode(query: dict[str, str]) -> str:
    return base64.urlsafe_b64encode(repr(sorted(query.items())).encode()).decode()


def _decode(cursor: str) -> dict[str, str]:
    import ast

    return dict(ast.literal_eval(base64.urlsafe_b64decode(cursor.split(":", 1)[1]).decode()))


def _matches(row: dict[str, Any], query: dict[str, str]) -> bool:
    for name, column in (("ids", "id"), ("interview_ids", "interview_id")):
        if name in query and str(row.get(column)) not in query[name].split(","):
            return False
    since = query.get("updated_at[gte]")
    return not (since and row.get("updated_at") and row["updated_at"] < since)
