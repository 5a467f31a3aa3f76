"""A fake Azure AD and Bot Framework OpenID endpoint: a real HTTPS aiohttp server on loopback.

It runs on its own event loop in a thread, like the real Azure AD runs elsewhere: if botbuilder ever
called it synchronously from the app's loop again, the app would stall (measurably) instead of
deadlocking the test. MSAL accepts only https authorities, so the server has a self-signed
certificate for 127.0.0.1; point `REQUESTS_CA_BUNDLE` at `ca_file` so `requests` trusts it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm

TOKEN_ISSUER = "https://api.botframework.com"  # what the Bot Framework channel puts in "iss"
SCOPE = "https://api.botframework.com"  # the audience of the bot's outbound tokens
KEY_ID = "fake-aad-key-1"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake-aad.test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "fake-aad.pem", folder / "fake-aad.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@dataclass
class TokenRequest:
    form: dict[str, str]
    at: float = field(default_factory=time.monotonic)


@dataclass
class FakeAAD:
    """`await FakeAAD(folder=tmp).start()`; tenant discovery, client-credentials tokens, OpenID metadata, JWKS."""

    folder: Path
    tenant: str = "fake-tenant"
    token_delay: float = 0.0  # seconds the token endpoint sleeps before answering
    metadata_delay: float = 0.0  # seconds the OpenID metadata endpoint sleeps before answering
    token_requests: list[TokenRequest] = field(default_factory=list)
    metadata_requests: list[float] = field(default_factory=list)  # time.monotonic() of each arrival
    signing_key: rsa.RSAPrivateKey = field(default_factory=new_key)
    ca_file: Path | None = None
    _port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _runner: web.AppRunner | None = None

    # ---- addresses botbuilder is configured with ----
    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._port}"

    @property
    def login_url(self) -> str:
        """TO_CHANNEL_FROM_BOT_LOGIN_URL: the MSAL authority (tenant included)."""
        return f"{self.url}/{self.tenant}"

    @property
    def openid_url(self) -> str:
        """TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL."""
        return f"{self.url}/botframework/v1/.well-known/openidconfiguration"

    def access_tokens(self) -> list[str]:
        return [f"aad-token-{n}" for n in range(1, len(self.token_requests) + 1)]

    # ---- tokens the "channel" sends to the bot ----
    def channel_token(
        self, *, audience: str, service_url: str, key: rsa.RSAPrivateKey | None = None, **claims: Any
    ) -> str:
        now = int(time.time())
        payload = {"iss": TOKEN_ISSUER, "aud": audience, "serviceurl": service_url, "nbf": now - 60}
        payload |= {"exp": now + 3600, **claims}
        return jwt.encode(payload, key or self.signing_key, algorithm="RS256", headers={"kid": KEY_ID})

    # ---- lifecycle: a loop of its own in a thread ----
    async def start(self) -> FakeAAD:
        cert_file, key_file = _self_signed(self.folder)
        self.ca_file = cert_file
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_file, key_file)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-aad", daemon=True)
        self._thread.start()
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._serve(context), self._loop))
        return self

    async def close(self) -> None:
        if self._loop is None or self._thread is None:
            return
        if self._runner is not None:
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop))
        self._loop.call_soon_threadsafe(self._loop.stop)
        await asyncio.to_thread(self._thread.join, 5)
        self._loop.close()

    async def _serve(self, context: ssl.SSLContext) -> None:
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._tenant_discovery)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/botframework/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/botframework/v1/keys", self._keys)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        self._port = self._runner.addresses[0][1]

    # ---- handlers ----
    async def _tenant_discovery(self, request: web.Request) -> web.Response:
        base = f"{self.url}/{request.match_info['tenant']}"
        return web.json_response(
            {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.token_requests.append(TokenRequest(form=form))
        token = f"aad-token-{len(self.token_requests)}"
        await asyncio.sleep(self.token_delay)
        return web.json_response({"token_type": "Bearer", "expires_in": 3600, "access_token": token})

    async def _metadata(self, request: web.Request) -> web.Response:
        self.metadata_requests.append(time.monotonic())
        await asyncio.sleep(self.metadata_delay)
        return web.json_response({"issuer": TOKEN_ISSUER, "jwks_uri": f"{self.url}/botframework/v1/keys"})

    async def _keys(self, request: web.Request) -> web.Response:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.signing_key.public_key()))
        jwk |= {"kid": KEY_ID, "use": "sig", "endorsements": ["msteams"]}
        return web.json_response({"keys": [jwk]})
