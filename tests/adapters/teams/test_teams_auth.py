"""Teams with a real app id: JWT checks against a loopback Azure AD, one cached token, and a loop that never waits on AD."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from botframework.connector.auth.jwt_token_extractor import _OpenIdMetadata

from adapters.teams import auth, build_adapter
from tests.support.teams.fake_aad import SCOPE, new_key
from tests.support.teams.harness import ANA, MIA, RAJ, card_text, teams_config
from tests.support.teams.signed import APP_ID, PASSWORD, SignedHarness

T = TypeVar("T")
STALL = 1.0  # seconds: a /healthz slower than this means the loop waited on Azure AD (which sleeps 1.5 s)


LOOPBACK_NAMES = {"127.0.0.1", "::1", "localhost"}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse (and record) any DNS look-up or connection that would leave loopback, from any thread."""
    refused: list[str] = []
    getaddrinfo, connect = socket.getaddrinfo, socket.socket.connect

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and str(host) not in LOOPBACK_NAMES:
            refused.append(f"resolve {host}")
            raise OSError(f"test: {host} is not loopback")
        return getaddrinfo(host, *args, **kwargs)

    def guarded_connect(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not ipaddress.ip_address(address[0]).is_loopback:
            refused.append(f"connect {address[0]}")
            raise OSError(f"test: {address[0]} is not loopback")
        return connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    yield refused
    assert refused == [], "something tried to leave loopback"


@pytest.fixture
def signed(teams: SignedHarness) -> SignedHarness:
    return teams


async def while_watching(work: Awaitable[T]) -> tuple[T, float]:
    """Run `work` while a ticker on the same loop measures the longest the loop went without serving it."""
    worst = 0.0

    async def tick() -> None:
        nonlocal worst
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            worst = max(worst, time.perf_counter() - started)

    ticker = asyncio.create_task(tick())
    try:
        return await work, worst
    finally:
        ticker.cancel()


async def _until(check: Any, what: str) -> None:
    for _ in range(200):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def test_only_a_correctly_signed_channel_token_reaches_the_bot(signed: SignedHarness) -> None:
    activity = signed.help_message()
    forged = {
        "no token": None,
        "bad signature": signed.token(key=new_key()),
        "wrong audience": signed.token(audience="00000000-0000-0000-0000-000000000000"),
        "wrong issuer": signed.token(iss="https://sts.example.com/"),
        "other service url": signed.token(service_url="https://smba.trafficmanager.net/evil/"),
        "expired": signed.token(exp=int(time.time()) - 3600),
    }
    for case, token in forged.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await signed.client.post("/api/messages", json=activity, headers=headers)
        assert response.status == 401, case
        assert (await response.json())["error"] == "unauthorized", case
    assert signed.connector.calls == []  # no handler ran: no member look-up, no reply
    assert signed.aad.token_requests == []

    cards = await signed.say(ANA, "help")
    assert "Here's what I can do" in card_text(cards[0])
    assert len(signed.aad.metadata_requests) == 1  # the signing keys were fetched once and kept
    assert {call.authorization for call in signed.connector.calls} == {"Bearer aad-token-1"}


async def test_proactive_sends_share_one_token_from_azure_ad(signed: SignedHarness) -> None:
    for person in (ANA, RAJ, MIA):
        await signed.install(person)
    await signed.interview("auth-1", ANA.email, RAJ.email, MIA.email)
    for person in (ANA, RAJ, MIA):
        await signed.wait_for_prompt(person)

    calls = signed.connector.calls
    assert len(signed.connector.posts()) >= 6  # three welcomes, three proactive prompts, plus member look-ups
    assert {call.authorization for call in calls} == {"Bearer aad-token-1"}
    [request] = signed.aad.token_requests  # every one of those calls used the same cached token
    assert request.form["grant_type"] == "client_credentials"
    assert request.form["client_id"] == APP_ID
    assert request.form["client_secret"] == PASSWORD
    assert request.form["scope"] == f"{SCOPE}/.default"


async def test_a_slow_token_endpoint_does_not_stall_the_app(signed: SignedHarness) -> None:
    signed.aad.token_delay = 1.5

    async def first_install() -> float:
        install = asyncio.create_task(signed.install(ANA))  # its member look-up needs the bot's first token
        await _until(lambda: signed.aad.token_requests, "the token request")
        health = await signed.healthz_seconds()
        assert not install.done()
        await install
        return health

    health, stall = await while_watching(first_install())
    assert health < STALL and stall < STALL
    assert signed.connector.calls and signed.connector.calls[0].authorization == "Bearer aad-token-1"


async def test_a_slow_openid_metadata_endpoint_does_not_stall_the_app(signed: SignedHarness) -> None:
    signed.aad.metadata_delay = 1.5

    async def burst() -> tuple[float, list[int]]:
        posts = [asyncio.create_task(signed.post(signed.help_message(p))) for p in (ANA, RAJ, MIA)]
        await _until(lambda: signed.aad.metadata_requests, "the OpenID metadata request")
        health = await signed.healthz_seconds()
        return health, [r.status for r in await asyncio.gather(*posts)]

    (health, statuses), stall = await while_watching(burst())
    assert health < STALL and stall < STALL
    assert statuses == [200, 200, 200]
    assert len(signed.aad.metadata_requests) == 1  # concurrent refreshes shared one download


def test_the_openid_refresh_patch_is_installed_once(tmp_path: Path) -> None:
    settings = teams_config(
        tmp_path, microsoft_app_id=APP_ID, microsoft_app_password=PASSWORD, microsoft_app_type="MultiTenant"
    )
    build_adapter(settings.teams)
    patched = _OpenIdMetadata._refresh
    build_adapter(settings.teams)
    assert patched is _OpenIdMetadata._refresh
    assert patched.__module__ == auth.__name__  # botbuilder's own blocking version is gone
