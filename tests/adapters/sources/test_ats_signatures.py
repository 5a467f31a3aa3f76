"""The vendors' signature schemes: the shared synthetic test vectors, and any body (hypothesis)."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.sources import ashby, greenhouse, lever
from adapters.sources.ats_common import BadSignature


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
