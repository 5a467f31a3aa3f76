"""Keep botbuilder's blocking Azure AD I/O off the event loop: cached outbound credentials, threaded key refresh.

botbuilder 4.17 talks to Azure AD with synchronous HTTP from inside coroutines: msrest signs every
Bot Connector call with the synchronous `get_access_token` (MSAL over `requests`), and the JWT check
on /api/messages downloads the channel's OpenID keys with `requests.get` and no timeout. Both would
stall every request of the app while Azure AD answers (or forever if it never does).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from logging import Logger
from typing import Any

import requests
from botframework.connector.auth import MicrosoftAppCredentials, PasswordServiceClientCredentialFactory
from botframework.connector.auth.jwt_token_extractor import _OpenIdMetadata
from msal import ConfidentialClientApplication
from msrest.authentication import Authentication

logger = logging.getLogger(__name__)

HTTP_TIMEOUT = (5.0, 10.0)  # seconds (connect, read) for each request to Azure AD
TOKEN_WAIT = 30.0  # seconds: MSAL may make three requests (discovery, metadata, token), each retried once
METADATA_WAIT = 20.0  # seconds: the OpenID metadata document, then the signing keys

CredentialsKey = tuple[str, str, str, bool]


class CachingCredentialFactory(PasswordServiceClientCredentialFactory):
    """botbuilder's password factory, but one credentials object (one MSAL token cache) per
    (app id, scope, login endpoint, validate authority), with its token fetched in a thread.

    botbuilder builds new credentials, hence an empty MSAL cache, for every connector client, and msrest
    then asks for the token synchronously on the loop. Fetching it here first, in a thread, leaves msrest's
    later synchronous call an in-memory cache hit.
    """

    def __init__(self, app_id: str, password: str, tenant_id: str | None = None, *, logger: Logger | None = None):
        super().__init__(app_id, password, tenant_id, logger=logger)
        self._credentials: dict[CredentialsKey, Authentication] = {}
        self._locks: dict[CredentialsKey, asyncio.Lock] = {}

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Authentication:
        if await self.is_authentication_disabled():
            return await super().create_credentials(app_id, oauth_scope, login_endpoint, validate_authority)
        key = (app_id, oauth_scope, login_endpoint, validate_authority)
        credentials = self._credentials.get(key)
        if credentials is None:
            credentials = await super().create_credentials(app_id, oauth_scope, login_endpoint, validate_authority)
            self._credentials[key] = credentials
        if isinstance(credentials, MicrosoftAppCredentials):
            # one fetch at a time per credentials: concurrent first sends share one token, not one each
            async with self._locks.setdefault(key, asyncio.Lock()):
                await asyncio.wait_for(asyncio.to_thread(_fetch_token, credentials, validate_authority), TOKEN_WAIT)
        return credentials


def _fetch_token(credentials: MicrosoftAppCredentials, validate_authority: bool) -> None:
    """In a worker thread: build the MSAL app once, then get (or silently refresh) the token into its cache."""
    if credentials.app is None:
        # what botbuilder's private __get_msal_app builds, plus a timeout, and validate_authority passed on:
        # botbuilder drops it, so a custom login endpoint would ask login.microsoftonline.com to vouch for it
        credentials.app = ConfidentialClientApplication(
            client_id=credentials.microsoft_app_id,
            client_credential=credentials.microsoft_app_password,
            authority=credentials.oauth_endpoint,
            validate_authority=validate_authority,
            timeout=HTTP_TIMEOUT,
        )
    credentials.get_access_token()


def _fetch_keys(url: str) -> list[dict[str, Any]]:
    """In a worker thread: the same two GETs as botbuilder's _OpenIdMetadata._refresh, with timeouts."""
    response = requests.get(url, timeout=HTTP_TIMEOUT)
    response.raise_for_status()
    keys = requests.get(response.json()["jwks_uri"], timeout=HTTP_TIMEOUT)
    keys.raise_for_status()
    return list(keys.json()["keys"])


async def _refresh_off_loop(self: _OpenIdMetadata) -> None:
    """Replacement for _OpenIdMetadata._refresh: the download runs in a thread, bounded by METADATA_WAIT.

    Concurrent refreshes of one metadata URL share a single download, so a burst of requests with forged
    tokens (which trigger refreshes while the keys are missing) cannot fill the thread pool.
    """
    loop = asyncio.get_running_loop()
    pending: asyncio.Future[list[dict[str, Any]]] | None = self.__dict__.get("_fairloop_pending")
    if pending is None or pending.done() or pending.get_loop() is not loop:
        pending = asyncio.ensure_future(asyncio.wait_for(asyncio.to_thread(_fetch_keys, self.url), METADATA_WAIT))
        pending.add_done_callback(lambda done: done.cancelled() or done.exception())  # retrieved even if unawaited
        self.__dict__["_fairloop_pending"] = pending
    keys = await asyncio.shield(pending)
    self.keys = keys
    self.last_updated = datetime.now()


def patch_openid_refresh() -> None:
    """Route botbuilder's OpenID key refresh through a thread; idempotent.

    The one patch we make to a library: botbuilder-python is archived upstream, so its blocking
    `requests.get` inside `async def _refresh` will not be fixed there, and nothing public lets us
    replace it (JwtTokenExtractor builds its _OpenIdMetadata itself, in a class-level cache).
    """
    if _OpenIdMetadata._refresh is not _refresh_off_loop:
        _OpenIdMetadata._refresh = _refresh_off_loop  # type: ignore[method-assign]
        logger.debug("teams: botbuilder's OpenID metadata refresh now runs in a worker thread")
