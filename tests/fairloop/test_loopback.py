"""Loopback means loopback: the playground and Teams without an app id refuse to start off loopback, answer only
a loopback peer asking for a loopback Host with no forwarding header, and Teams there calls back only loopback and
believes no email a server tells it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import select

from fairloop.app import GRAPH, init_app
from storage.db import unit_of_work
from storage.models import GoalRow, Identity
from tests.support.app import API_TOKEN, Running, StartApp, interview, make_config
from tests.support.cli import FAIRLOOP, environment, run
from tests.support.teams.fake_connector import FakeConnector
from tests.support.teams.harness import ANA, Person, TeamsHarness, card_text, connector_knowing, teams_config
from tests.support.wire import outside_address, raw_request

PLAYGROUND_LINE = (
    "fairloop: FAIRLOOP_PLAYGROUND: refused because FAIRLOOP_HOST ({host}) is not a loopback address; "
    "the playground lets anyone act as anyone, so it only serves this machine"
)
TEAMS_LINE = (
    "fairloop: FAIRLOOP_TEAMS_ALLOW_UNAUTHENTICATED: refused because FAIRLOOP_HOST ({host}) is not a loopback address"
)
PLAYGROUND_ROUTES = [("GET", "/playground?as=ana@example.com"), ("GET", "/playground/api/feed?as=ana@example.com")]
PLAYGROUND_ROUTES += [
    ("POST", f"/playground/api/{name}") for name in ("action", "form", "command", "interviews", "sample", "channel")
]
GOOD_HOSTS = ["127.0.0.1:{port}", "127.0.0.1", "localhost:{port}", "LOCALHOST", "[::1]:{port}", "[::1]", "::1"]
BAD_HOSTS = [
    "rebind.attacker.example",
    "rebind.attacker.example:{port}",
    "127.0.0.1.nip.io:{port}",
    "localhost.attacker.example",
    "192.0.2.2:{port}",
    "[::1]x",
    "127.0.0.1:{port}:80",
    "",
]
FORWARDING = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP"]
BOSS = Person("29:1boss-victim", "11111111-2222-3333-4444-555555555555", "Boss", "boss@example.com")
MALLORY = Person("29:1mallory", "66666666-7777-8888-9999-000000000000", "Mallory", "mallory@example.com")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- start-up: the real command line ----


@pytest.mark.parametrize(
    ("command", "env", "line"),
    [
        ("serve", {"FAIRLOOP_HOST": "0.0.0.0", "FAIRLOOP_PLAYGROUND": "1"}, PLAYGROUND_LINE.format(host="0.0.0.0")),
        ("serve", {"FAIRLOOP_HOST": "::", "FAIRLOOP_PLAYGROUND": "1"}, PLAYGROUND_LINE.format(host="::")),
        ("demo", {"FAIRLOOP_HOST": "0.0.0.0"}, PLAYGROUND_LINE.format(host="0.0.0.0")),
        ("demo", {"FAIRLOOP_HOST": "fairloop.example.com"}, PLAYGROUND_LINE.format(host="fairloop.example.com")),
        (
            "serve",
            {"FAIRLOOP_HOST": "0.0.0.0", "FAIRLOOP_TEAMS_ALLOW_UNAUTHENTICATED": "1", "FAIRLOOP_PLAYGROUND": "0"},
            TEAMS_LINE.format(host="0.0.0.0"),
        ),
    ],
)
def test_off_loopback_the_cli_exits_with_one_line_naming_the_setting(
    tmp_path: Path, command: str, env: dict[str, str], line: str
) -> None:
    port = free_port()
    result = run(tmp_path, command, FAIRLOOP_PORT=str(port), **env)
    assert result.returncode == 2
    assert result.stderr == line + "\n"
    assert result.stdout == ""
    assert not (tmp_path / "cli.db").exists()  # it stopped before it touched anything


async def test_the_served_playground_answers_only_its_loopback_host(tmp_path: Path) -> None:
    port = free_port()
    env = environment(tmp_path, FAIRLOOP_HOST="127.0.0.1", FAIRLOOP_PORT=str(port), FAIRLOOP_PLAYGROUND="1")
    process = await asyncio.create_subprocess_exec(*FAIRLOOP, "serve", env=env, cwd=tmp_path)
    try:
        async with aiohttp.ClientSession() as http:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    async with http.get(f"{base}/healthz") as resp:
                        if resp.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            async with http.get(f"{base}/playground", headers={"Host": "rebind.attacker.example"}) as resp:
                assert resp.status == 421
                assert (await resp.json())["error"] == "wrong_host"
            async with http.get(f"{base}/playground") as resp:
                assert resp.status == 200 and "fairloop playground" in await resp.text()
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)


# ---- each request: peer, Host, forwarding headers ----


@pytest.fixture
async def running(start_app: StartApp) -> Running:
    return await start_app(playground=True)


async def _ask(running: Running, method: str, path: str, *, host: bytes, extra: list[tuple[bytes, bytes]]) -> tuple:
    port = running.server.port
    assert port is not None
    headers = [(b"Content-Type", b"application/json"), *extra]
    answer = await raw_request("127.0.0.1", port, method, path, headers=headers, body=b"{}", host_header=host)
    return answer.status, answer.json() if answer.headers.get("content-type", "").startswith("application/json") else {}


@pytest.mark.parametrize("host", BAD_HOSTS)
async def test_the_playground_refuses_a_host_that_is_not_loopback(running: Running, host: str) -> None:
    wanted = host.format(port=running.server.port).encode()
    for method, path in PLAYGROUND_ROUTES:
        status, body = await _ask(running, method, path, host=wanted, extra=[])
        assert (status, body.get("error")) == (421, "wrong_host"), (method, path, host)
        assert body["detail"] == "The playground only answers requests for 127.0.0.1, [::1] or localhost."


@pytest.mark.parametrize("host", GOOD_HOSTS)
async def test_the_playground_answers_its_loopback_names(running: Running, host: str) -> None:
    wanted = host.format(port=running.server.port).encode()
    status, _ = await _ask(running, "GET", "/playground", host=wanted, extra=[])
    assert status == 200
    status, body = await _ask(running, "POST", "/playground/api/command", host=wanted, extra=[])
    assert (status, body["detail"]) == (400, "Pick who you are (an email) first.")  # the view itself answered


@pytest.mark.parametrize("header", FORWARDING)
async def test_the_playground_refuses_what_came_through_a_proxy(running: Running, header: str) -> None:
    host = f"127.0.0.1:{running.server.port}".encode()
    for method, path in PLAYGROUND_ROUTES:
        status, body = await _ask(running, method, path, host=host, extra=[(header.encode(), b"127.0.0.1")])
        assert (status, body.get("error")) == (403, "forwarded"), (method, path, header)


async def test_the_webhook_is_not_the_playground(running: Running) -> None:
    """/api/interviews needs its token wherever the request comes from; its playground twin needs loopback."""
    status, _ = await running.post_interviews(interview("lo-1"))
    assert status == 200
    async with running.http.post(
        f"{running.url}/api/interviews",
        json=interview("lo-2"),
        headers={"Authorization": f"Bearer {API_TOKEN}", "Host": "fairloop.example.com", "X-Forwarded-For": "1.2.3.4"},
    ) as resp:
        assert resp.status == 200
    async with running.http.post(
        f"{running.url}/playground/api/interviews", json=interview("lo-3"), headers={"Host": "fairloop.example.com"}
    ) as resp:
        assert resp.status == 421


@pytest.fixture
async def outside(tmp_path: Path) -> AsyncIterator[tuple[str, TestServer]]:
    """The app with the playground and Teams without an app id, reachable from this machine's non-loopback address
    too (as behind a port forward): its settings still say 127.0.0.1, so it started."""
    address = outside_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to send from")
    config = make_config(tmp_path, playground=True, teams_allow_unauthenticated=True)
    server = TestServer(init_app(config), host="0.0.0.0")
    await server.start_server()
    try:
        yield address, server
    finally:
        await server.close()


async def test_a_peer_that_is_not_loopback_is_refused(outside: tuple[str, TestServer]) -> None:
    address, server = outside
    assert server.port is not None
    host = f"127.0.0.1:{server.port}".encode()  # even a Host that looks local does not help
    for method, path in [*PLAYGROUND_ROUTES, ("POST", "/api/messages")]:
        answer = await raw_request(address, server.port, method, path, body=b"{}", host_header=host)
        assert (answer.status, answer.json()["error"]) == (403, "not_loopback"), path
    answer = await raw_request(address, server.port, "GET", "/healthz", host_header=host)
    assert answer.status == 200  # the same server answers what is not loopback-only
    answer = await raw_request("127.0.0.1", server.port, "GET", "/playground", host_header=host)
    assert answer.status == 200


# ---- Teams without an app id ----


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    async with connector_knowing(BOSS, MALLORY, ANA) as fake:
        yield fake


@pytest.fixture
async def teams(tmp_path: Path, connector: FakeConnector) -> AsyncIterator[TeamsHarness]:
    client = TestClient(TestServer(init_app(teams_config(tmp_path, admins=[BOSS.email])), host="127.0.0.1"))
    await client.start_server()
    try:
        yield TeamsHarness(client=client, connector=connector)
    finally:
        await client.close()


async def test_unauthenticated_teams_refuses_a_service_url_off_loopback_before_calling_it(
    teams: TeamsHarness,
) -> None:
    evil = await FakeConnector(host="0.0.0.0").start()
    try:
        targets = ["https://evil.example/", "http://169.254.169.254/latest/", "http://localhost.evil.example/"]
        address = outside_address()
        if address is not None:
            targets.append(evil.url_at(address))
        for url in targets:
            activity = teams.activity("msteams-docs.message.personal-received.json", person=MALLORY, text="help")
            activity["serviceUrl"] = url
            response = await teams.post(activity)
            assert response.status == 403, url
            body = await response.json()
            assert body == {
                "error": "service_url_not_loopback",
                "detail": "without an app id, fairloop only calls back a serviceUrl on this machine "
                "(127.0.0.1, [::1], localhost)",
            }
        assert evil.calls == [] and teams.connector.calls == []
    finally:
        await evil.close()


async def test_unauthenticated_teams_believes_no_email_it_is_told(teams: TeamsHarness) -> None:
    """The loopback connector says Mallory is boss@example.com, an admin: she is not, and nothing links them."""
    teams.connector.members[MALLORY.teams_id].email = BOSS.email
    teams.connector.members[MALLORY.aad].email = BOSS.email
    await teams.install(MALLORY)
    (card,) = await teams.say(MALLORY, "goal set all response 90%")
    assert "goal is for fairloop admins" in card_text(card)
    assert not [c for c in teams.connector.calls if c.method == "GET"]  # no member was looked up at all
    async with unit_of_work(teams.app[GRAPH].sessions) as session:
        assert (await session.exec(select(GoalRow))).all() == []
        identities = (await session.exec(select(Identity).where(Identity.platform == "teams"))).all()
    assert identities == []  # her AAD id is linked to no one's person record
