"""Oracles for Slack payloads: the Block Kit JSON Schema (Tightknit, draft 2020-12) and slack_sdk's models."""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

REPO = Path(__file__).resolve().parents[3]


def thirdparty() -> Path:
    return Path(os.environ.get("FAIRLOOP_THIRDPARTY") or REPO.parent / "shared" / "thirdparty")


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"third-party test material not found at {path} (set FAIRLOOP_THIRDPARTY)")
    return path


@cache
def _schema() -> dict[str, Any]:
    path = need(thirdparty() / "slack" / "block-kit" / "slack-block-kit.schema.json")
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _validator(ref: str | None) -> jsonschema.Draft202012Validator:
    schema = _schema()
    target = schema if ref is None else {"$ref": f"#/$defs/{ref}", "$defs": schema["$defs"]}
    return jsonschema.Draft202012Validator(target, format_checker=jsonschema.FormatChecker())


def _explain(errors: list[jsonschema.ValidationError]) -> str:
    def leaves(e: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
        return [leaf for sub in e.context for leaf in leaves(sub)] if e.context else [e]

    found = [leaf for e in errors for leaf in leaves(e)]
    return "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found[:8])


def check_blocks(blocks: list[dict[str, Any]]) -> None:
    """A message's blocks array: the schema root, and each block through slack_sdk's model."""
    errors = list(_validator(None).iter_errors(blocks))
    assert not errors, f"Block Kit schema: {_explain(errors)}\n{json.dumps(blocks)[:2000]}"
    for raw in blocks:
        parsed = Block.parse(raw)
        assert parsed is not None, f"slack_sdk does not know block {raw.get('type')}"
        parsed.validate_json()
        assert parsed.to_dict()["type"] == raw["type"]


def check_view(view: dict[str, Any]) -> None:
    """A views.open / views.publish body: $defs/modal_view or $defs/home_view, and slack_sdk's View."""
    ref = {"modal": "modal_view", "home": "home_view"}[view["type"]]
    errors = list(_validator(ref).iter_errors(view))
    assert not errors, f"Block Kit {ref}: {_explain(errors)}\n{json.dumps(view)[:2000]}"
    View(**view).validate_json()


def check_recorded(calls: list[Any], hooks: list[dict[str, Any]]) -> int:
    """Validate every Block Kit payload the bot sent to the fake; returns how many distinct ones were checked.

    Payloads that differ only in their digits (prompt ids, times) have the same shape and lengths, so one of
    each is validated: the schema walk costs ~50 ms a payload and a throughput test sends hundreds.
    """
    seen: set[str] = set()

    def first(kind: str, payload: Any) -> bool:
        key = kind + re.sub(r"\d", "0", json.dumps(payload, sort_keys=True))
        if key in seen:
            return False
        seen.add(key)
        return True

    for call in calls:
        blocks, view = call.params.get("blocks"), call.params.get("view")
        if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral") and blocks:
            if first("blocks", blocks):
                check_blocks(blocks)
        elif call.method in ("views.open", "views.publish", "views.update", "views.push") and first("view", view):
            check_view(view)
    for body in hooks:
        if body.get("blocks") and first("blocks", body["blocks"]):
            check_blocks(body["blocks"])
    return len(seen)
