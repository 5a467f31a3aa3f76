"""Slack form bodies: the C decoder gives exactly what parse_qs gives, for any body."""

import json
from urllib.parse import parse_qs, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.form import fields
from tests.support.slack.payloads import block_actions

ALPHABET = st.sampled_from(list('%=&+_ \t\r\n;aZ09fFgG{}"\\é€') + ["%2", "%4", "%e2%82%ac", "%C3", "%zz", "=\n"])


@given(st.lists(ALPHABET, max_size=40).map("".join))
@settings(max_examples=3000)
def test_any_payload_field_decodes_as_parse_qs_would(value: str) -> None:
    for body in ("payload=" + value, value, "payload=" + value + "&x=1", "payloads=" + value):
        assert fields(body) == parse_qs(body)


@given(st.text(max_size=200))
@settings(max_examples=1000)
def test_any_encoded_text_round_trips(raw: str) -> None:
    body = urlencode({"payload": raw})
    assert fields(body) == parse_qs(body)


def test_a_real_click_is_decoded_to_its_json() -> None:
    payload = block_actions(user="U1", action_id="checkin.all", value="7 & <8> ✅ 100%", channel="D1", ts="1.2",
                            response_url="https://hooks.slack.com/actions/T1/1/x?a=b&c=d")  # fmt: skip
    body = urlencode({"payload": json.dumps(payload)})
    assert json.loads(fields(body)["payload"][0]) == payload
