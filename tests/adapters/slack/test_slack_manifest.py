"""manifest.yml is a Slack app manifest that Slack's own schema (slackapi/manifest-schema v0.5.0) accepts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from tests.support.slack.blockkit import REPO, need, thirdparty

BASE = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    folder = need(thirdparty() / "slack" / "manifest-schema")
    registry: Registry = Registry()
    for version in ("1.0.0", "2.0.0"):
        schema = _load(folder / f"manifest.schema.{version}.json")
        registry = registry.with_resource(f"{BASE}manifest.schema.{version}.json", Resource.from_contents(schema))
    router = _load(folder / "manifest.schema.json")
    return jsonschema.Draft7Validator(router, registry=registry, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load((REPO / "manifest.yml").read_text(encoding="utf-8"))


def test_manifest_is_valid_for_slack(validator: jsonschema.Draft7Validator, manifest: dict[str, Any]) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest)]
    assert errors == []


def test_the_oracle_tells_good_from_bad(validator: jsonschema.Draft7Validator) -> None:
    tests = need(thirdparty() / "slack" / "manifest-schema" / "tests")
    assert validator.is_valid(_load(tests / "v1.manifest.valid.json"))
    assert not validator.is_valid(_load(tests / "v1.manifest.invalid.json"))


def test_manifest_declares_what_fairloop_uses_and_nothing_more(manifest: dict[str, Any]) -> None:
    features = manifest["features"]
    assert features["bot_user"]["always_online"] is True
    assert [c["command"] for c in features["slash_commands"]] == ["/fairloop"]
    assert features["app_home"]["home_tab_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert scopes == {"chat:write", "im:write", "users:read", "users:read.email", "commands"}
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    urls = {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        features["slash_commands"][0]["url"],
    }
    assert urls == {"https://YOUR-HOST/slack/events"}
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False
