"""Configuration: env wins over fairloop.toml; every bad value stops start-up with one line naming it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from adapters.slack.settings import SlackSettings
from adapters.teams.settings import TeamsSettings
from bot.settings import SettingsError, parse_duration
from fairloop.config import PARTS, load_config, variables


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0s", timedelta(0)),
        ("30s", timedelta(seconds=30)),
        ("5m", timedelta(minutes=5)),
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("var", "value", "line"),
    [
        (
            "FAIRLOOP_PROMPT_DELAY",
            "5 minutes",
            "FAIRLOOP_PROMPT_DELAY: '5 minutes' is not a duration like 30s, 5m, 24h or 7d",
        ),
        ("FAIRLOOP_MIN_GROUP_SIZE", "0", "FAIRLOOP_MIN_GROUP_SIZE: Input should be greater than or equal to 1"),
        (
            "FAIRLOOP_TIMEZONE",
            "Mars/Olympus",
            "FAIRLOOP_TIMEZONE: 'Mars/Olympus' is not an IANA timezone like Europe/Berlin",
        ),
        (
            "FAIRLOOP_DATABASE_URL",
            "mysql://x",
            "FAIRLOOP_DATABASE_URL: use sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB",
        ),
        ("FAIRLOOP_PROMT_DELAY", "5m", "FAIRLOOP_PROMT_DELAY: unknown setting"),
        ("FAIRLOOP_TEAMS_ALLOW_UNAUTHENTICATED", "1", None),
    ],
)
def test_bad_values_name_the_setting(monkeypatch: pytest.MonkeyPatch, var: str, value: str, line: str | None) -> None:
    monkeypatch.setenv(var, value)
    if line is None:
        assert load_config().teams.on  # allowed on loopback
        monkeypatch.setenv("FAIRLOOP_HOST", "0.0.0.0")
        line = "FAIRLOOP_TEAMS_ALLOW_UNAUTHENTICATED: refused because FAIRLOOP_HOST (0.0.0.0) is not a loopback address"
    with pytest.raises(SettingsError) as caught:
        load_config()
    assert str(caught.value) == line


def test_teams_without_an_app_id_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRLOOP_TEAMS", "1")
    with pytest.raises(SettingsError, match="^MICROSOFT_APP_ID: required to enable Teams"):
        load_config()


def test_toml_fills_in_and_env_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "fairloop.toml"
    path.write_text(
        'admins = ["U0123ABCD", "ana@example.com"]\nmin_group_size = 3\nprompt_delay = "10m"\n'
        '[[practices]]\nkey = "rubric"\nlabel = "scored on the rubric first"\n'
    )
    monkeypatch.setenv("FAIRLOOP_CONFIG", str(path))
    monkeypatch.setenv("FAIRLOOP_MIN_GROUP_SIZE", "7")
    s = load_config().core
    assert s.min_group_size == 7 and s.prompt_delay == timedelta(minutes=10)
    assert [p.key for p in s.practices] == ["rubric"] and s.is_admin("ana@EXAMPLE.com") and not s.is_admin("raj@x.io")


def test_unknown_keys_in_the_file_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "fairloop.toml"
    path.write_text("min_group_sise = 3\n")
    monkeypatch.setenv("FAIRLOOP_CONFIG", str(path))
    with pytest.raises(SettingsError) as caught:
        load_config()
    assert str(caught.value) == f"{path}: min_group_sise: unknown setting"


def test_playground_is_on_by_default_only_on_loopback_without_platforms(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_config().playground_on
    monkeypatch.setenv("FAIRLOOP_HOST", "0.0.0.0")
    assert not load_config().playground_on


def test_the_playground_is_refused_off_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRLOOP_HOST", "0.0.0.0")
    monkeypatch.setenv("FAIRLOOP_PLAYGROUND", "1")
    with pytest.raises(SettingsError) as caught:
        load_config()
    assert str(caught.value).startswith(
        "FAIRLOOP_PLAYGROUND: refused because FAIRLOOP_HOST (0.0.0.0) is not a loopback"
    )


def test_every_variable_is_derived_from_the_settings_classes() -> None:
    names = variables()
    assert {"FAIRLOOP_DATABASE_URL", "FAIRLOOP_PROMPT_DELAY", "SLACK_BOT_TOKEN", "MICROSOFT_APP_ID"} <= names
    assert {"FAIRLOOP_TEAMS", "FAIRLOOP_DISPATCH_INTERVAL", "FAIRLOOP_PLAYGROUND", "FAIRLOOP_API_TOKEN"} <= names
    for part in PARTS.values():  # each class owns its own fields: no setting is declared twice
        assert all(
            not (set(part.model_fields) & set(other.model_fields)) for other in PARTS.values() if other is not part
        )


def test_the_config_path_can_be_given_as_a_setting(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text("min_group_size = 4\n")
    assert load_config(config=str(path)).core.min_group_size == 4


@pytest.mark.parametrize(
    ("build", "line"),
    [
        (lambda: SlackSettings(slack_bot_token="xoxb-1"), "SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN"),
        (lambda: TeamsSettings(microsoft_app_id="a"), "MICROSOFT_APP_PASSWORD: required with MICROSOFT_APP_ID"),
        (
            lambda: TeamsSettings(microsoft_app_id="a", microsoft_app_password="p"),
            "MICROSOFT_APP_TENANT_ID: required for MICROSOFT_APP_TYPE=SingleTenant",
        ),
    ],
)
def test_checks_across_fields_run_however_settings_are_built(build: object, line: str) -> None:
    with pytest.raises(ValueError, match=line):
        build()  # type: ignore[operator]


def test_the_delivery_lease_is_a_duration_of_a_second_or_more(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_config().core.delivery_lease.total_seconds() == 120
    monkeypatch.setenv("FAIRLOOP_DELIVERY_LEASE", "0s")
    with pytest.raises(SettingsError) as caught:
        load_config()
    assert str(caught.value).startswith("FAIRLOOP_DELIVERY_LEASE:")


@pytest.mark.parametrize(
    ("content", "start"),
    [
        (
            '{"TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL": "https://x", "APP_PASSWORD": "p"}',
            "unknown key(s) APP_PASSWORD;",
        ),
        ("[1, 2]", "must hold a JSON object"),
        ("{not json", "cannot read"),
    ],
)
def test_a_teams_cloud_file_holds_only_botbuilders_endpoint_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, start: str
) -> None:
    cloud = tmp_path / "cloud.json"
    cloud.write_text(content)
    monkeypatch.setenv("FAIRLOOP_TEAMS_CLOUD", str(cloud))
    with pytest.raises(SettingsError) as caught:
        load_config()
    assert str(caught.value).startswith("FAIRLOOP_TEAMS_CLOUD: ")
    assert start in str(caught.value) and "\n" not in str(caught.value)
    cloud.write_text('{"CHANNEL_SERVICE": "https://botframework.azure.us", "VALIDATE_AUTHORITY": true}')
    assert load_config().teams.cloud == {"CHANNEL_SERVICE": "https://botframework.azure.us", "VALIDATE_AUTHORITY": True}
