"""Request JSON is refused past 64 levels of nesting, and only then, whatever brackets its strings hold."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.web import MAX_DEPTH, BadJson, loads


def nested(depth: int, leaf: object) -> object:
    node = leaf
    for level in range(depth):
        node = [node] if level % 2 else {"k": node, "s": "[{[{"}
    return node


def depth_of(data: object) -> int:
    if isinstance(data, dict):
        return 1 + max((depth_of(v) for v in data.values()), default=0)
    if isinstance(data, list):
        return 1 + max((depth_of(v) for v in data), default=0)
    return 0


@given(st.integers(min_value=1, max_value=MAX_DEPTH + 6), st.text(alphabet="[]{}\"\\ax", max_size=30),
       st.sampled_from(["str", "bytes", "utf-16"]))  # fmt: skip
def test_the_bound_is_the_structure_not_the_text(depth: int, leaf: str, form: str) -> None:
    text = json.dumps(nested(depth, leaf))
    raw: str | bytes = text if form == "str" else text.encode("utf-8" if form == "bytes" else "utf-16")
    assert depth_of(json.loads(text)) == depth
    if depth <= MAX_DEPTH:
        assert loads(raw) == json.loads(text)
    else:
        with pytest.raises(BadJson) as refused:
            loads(raw)
        assert refused.value.code == "too_deep"
