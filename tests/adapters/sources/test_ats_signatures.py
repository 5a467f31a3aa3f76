"""The vendors' signature schemes: the shared synthetic test vectors, and any body (hypothesis)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from pathlib import Path

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.sources import ashby, greenhouse, lever
from adapters.sources.ats import connector
from adapters.sources.ats_common import AtsError, BadSignature, Delivery, Runtime
from adapters.sources.ats_settings import AtsSettings


def test_the_shared_greenhouse_vector_verifies_and_a_changed_byte_does_not(thirdparty: Path) -> None:
    raw = (thirdparty / "ats" / "greenhouse-webhook-interview_deleted.json").read_bytes()
    header = {"Signature": "sha256 58eb9e432b291bbb399f9629d2140a21a5c2def58e75d9e6be81a767941434d7"}
    greenhouse.verify("test-secret", raw, header)
    with pytest.raises(BadSignature, match="does not match"):
        greenhouse.verify("test-secret", raw.replace(b"31087450", b"31087451"), header)


def test_the_shared_ashby_vector_verifies_and_another_secret_does_not(thirdparty: Path) -> None:
    raw = (thirdparty / "ats" / "ashby-webhook-interviewScheduleUpdate.json").read_bytes()
    header = {"Ashby-Signature": "sha256=f1f8bd17f4ba91fa44d4612f2b4378cd9e2632597663386b53250d3aff7e5633"}
    ashby.verify("test-secret", raw, header)
    with pytest.raises(BadSignature):
        ashby.verify("other-secret", raw, header)


def test_the_shared_lever_vector_verifies_and_a_changed_triggered_at_does_not(thirdparty: Path) -> None:
    body = json.loads((thirdparty / "ats" / "lever-webhook-interviewCreated.json").read_text())
    assert body["signature"] == "1cb38836fa0225ab80aebdb435403360cedc427d5f85dfec7d1a99d599e66ab4"
    lever.verify("test-signature-token", body)
    with pytest.raises(BadSignature):
        lever.verify("test-signature-token", {**body, "triggeredAt": body["triggeredAt"] + 1})


def test_a_missing_header_is_named() -> None:
    with pytest.raises(BadSignature, match="Ashby-Signature is missing"):
        ashby.verify("s", b"{}", {})
    with pytest.raises(BadSignature, match="Signature header is missing"):
        greenhouse.verify("s", b"{}", {"Signature": "sha1 abc"})


@given(body=st.binary(max_size=2048), secret=st.text(min_size=1, max_size=40), flip=st.integers(min_value=0))
def test_any_body_verifies_with_its_own_digest_and_fails_with_one_bit_changed(
    body: bytes, secret: str, flip: int
) -> None:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    ashby.verify(secret, body, {"Ashby-Signature": f"sha256={digest}"})
    greenhouse.verify(secret, body, {"Signature": f"sha256 {digest.upper()}"})
    if body:
        i = flip % len(body)
        changed = body[:i] + bytes([body[i] ^ 1]) + body[i + 1 :]
        with pytest.raises(BadSignature):
            ashby.verify(secret, changed, {"Ashby-Signature": f"sha256={digest}"})
        with pytest.raises(BadSignature):
            greenhouse.verify(secret, changed, {"Signature": f"sha256 {digest}"})


@given(token=st.text(max_size=64), triggered=st.integers(min_value=0, max_value=2**53))
def test_lever_signs_token_and_triggered_at_only(token: str, triggered: int) -> None:
    signature = hmac.new(b"tok", f"{token}{triggered}".encode(), hashlib.sha256).hexdigest()
    lever.verify("tok", {"token": token, "triggeredAt": triggered, "signature": signature, "data": {"x": 1}})
    with pytest.raises(BadSignature):
        lever.verify("tok", {"token": token + "x", "triggeredAt": triggered, "signature": signature})


def test_lever_accepts_any_of_several_webhook_tokens(thirdparty: Path) -> None:
    body = json.loads((thirdparty / "ats" / "lever-webhook-interviewCreated.json").read_text())
    lever.verify("created-token, test-signature-token ,deleted-token", body)
    with pytest.raises(BadSignature, match="signature field does not match"):
        lever.verify("created-token,deleted-token", body)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
_SHAPES = st.fixed_dictionaries(
    {},
    optional={
        "action": st.sampled_from(["interviewScheduleUpdate", "interview_deleted", "delete_candidate", "ping"]),
        "event": st.sampled_from(["interviewCreated", "interviewDeleted"]),
        "data": _JSON | st.fixed_dictionaries({"interviewSchedule": _JSON}),
        "payload": _JSON,
        "token": st.text(max_size=8),
        "triggeredAt": st.integers(),
        "id": st.text(max_size=8),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=_SHAPES)
def test_any_signed_body_is_a_delivery_nothing_or_an_ats_error_never_a_crash(body: dict) -> None:
    """A signed body we cannot use must come back as a 4xx (or a 503 for a lookup), never an unhandled error."""

    async def attempt() -> None:
        async with aiohttp.ClientSession() as http:
            dead = "http://127.0.0.1:9"  # nothing listens: any lookup fails fast
            ats = AtsSettings(
                ashby_webhook_secret="s", ashby_api_key="k", ashby_api_url=dead,
                lever_webhook_token="s", lever_api_key="k", lever_api_url=dead,
                greenhouse_webhook_secret="s", greenhouse_client_id="c", greenhouse_client_secret="x",
                greenhouse_api_url=dead, greenhouse_token_url=dead,
            )  # fmt: skip
            runtime = Runtime(settings=ats, intake=None, http=http)  # type: ignore[arg-type]  # nothing is applied
            lever_body = {**body, "signature": hmac.new(b"s", f"{body.get('token')}{body.get('triggeredAt')}".encode(),
                                                        hashlib.sha256).hexdigest()}  # fmt: skip
            for vendor, payload in (("ashby", body), ("greenhouse", body), ("lever", lever_body)):
                raw = json.dumps(payload).encode()
                digest = hmac.new(b"s", raw, hashlib.sha256).hexdigest()
                headers = {"Ashby-Signature": f"sha256={digest}", "Signature": f"sha256 {digest}"}
                source = connector(vendor, runtime=runtime, max_wait=0)
                source.api.retries = 0
                try:
                    result = await source.receive(raw, headers)
                except AtsError as exc:
                    assert 400 <= exc.status < 600 and exc.detail
                else:
                    assert result is None or isinstance(result, Delivery)

    asyncio.run(attempt())
