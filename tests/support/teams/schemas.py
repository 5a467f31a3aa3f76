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


def _for_schema(card: Any) -> Any:
    """The card as the 1.5 schema should see it: Teams' card-level `msteams` object is allow-listed.

    The schema forbids additional properties, and `msteams` (full width, mention entities) is a Teams
    extension that the schema does not know, so an object there is removed before validating.
    """
    if isinstance(card, dict) and isinstance(card.get("msteams"), dict):
        card = copy.deepcopy(card)
        card.pop("msteams")
    return card


def card_is_valid(card: Any) -> bool:
    """The verdict: the 1.5 schema accepts it AND it is a top-level AdaptiveCard of version "1.5"."""
    return (
        _card_validator().is_valid(_for_schema(card))
        and isinstance(card, dict)
        and card.get("type") == "AdaptiveCard"
        and card.get("version") == "1.5"
    )


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    if not error.context:
        return [error]
    return [leaf for sub in error.context for leaf in _leaves(sub)]


def _where(error: jsonschema.ValidationError) -> str:
    return "/".join(map(str, error.absolute_path)) or "<root>"


def card_errors(card: Any) -> list[str]:
    """Readable reasons, for failure messages only: never decide validity from this list (card_is_valid does)."""
    if card_is_valid(card):
        return []
    reasons: set[str] = set()
    top = list(_card_validator().iter_errors(_for_schema(card)))
    for error in top:
        for leaf in _leaves(error):
            # the root anyOf tries every element type; "type is not X" mismatches are noise
            if leaf.validator == "enum" and leaf.path and leaf.path[-1] == "type":
                continue
            reasons.add(f"{_where(leaf)}: {leaf.message}")
    if top and not reasons:  # everything was filtered as noise: say the unfiltered top-level reason
        reasons.update(f"{_where(e)}: {e.message[:300]}" for e in top)
    if not isinstance(card, dict) or card.get("type") != "AdaptiveCard":
        reasons.add(f"type: {card.get('type') if isinstance(card, dict) else card!r} is not 'AdaptiveCard'")
    elif card.get("version") != "1.5":
        reasons.add(f"version: {card.get('version')!r} is not '1.5'")
    return sorted(reasons)


def assert_valid_card(card: Any) -> None:
    assert card_is_valid(card), "card is not a valid Adaptive Card 1.5:\n" + "\n".join(card_errors(card)[:20])


@cache
def manifest_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((thirdparty() / "teams-manifest" / "MicrosoftTeams.schema.v1.17.json").read_text())
    return jsonschema.Draft4Validator(schema)
