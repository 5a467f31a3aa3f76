"""Schema oracles for the Teams tests: the official Adaptive Card 1.5 and Teams manifest 1.17 schemas."""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

REPO = Path(__file__).resolve().parents[3]


def thirdparty() -> Path:
    return Path(os.environ.get("FAIRLOOP_THIRDPARTY") or REPO.parent / "shared" / "thirdparty")


@cache
def _card_validator() -> jsonschema.Draft6Validator:
    schema = json.loads((thirdparty() / "adaptivecards" / "adaptive-card-1.5.0.schema.json").read_text())
    return jsonschema.Draft6Validator(schema)


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in _leaves(sub)]


def card_errors(card: dict[str, Any]) -> list[str]:
    """Readable reasons a card fails the 1.5 schema; card-level `msteams` is allow-listed (Teams extension)."""
    card = copy.deepcopy(card)
    card.pop("msteams", None)
    reasons = []
    for error in _card_validator().iter_errors(card):
        for leaf in _leaves(error):
            # the root anyOf tries every element type; "type is not X" mismatches are noise
            if leaf.validator == "enum" and leaf.path and leaf.path[-1] == "type":
                continue
            reasons.append(f"{'/'.join(map(str, leaf.absolute_path)) or '<root>'}: {leaf.message}")
    return sorted(set(reasons))


def assert_valid_card(card: dict[str, Any]) -> None:
    errors = card_errors(card)
    assert not errors, "card does not validate against Adaptive Card 1.5:\n" + "\n".join(errors[:20])
    assert card.get("version") == "1.5"


@cache
def manifest_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((thirdparty() / "teams-manifest" / "MicrosoftTeams.schema.v1.17.json").read_text())
    return jsonschema.Draft4Validator(schema)
