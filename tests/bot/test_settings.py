"""Settings: env wins over fairloop.toml; every bad value stops start-up with one line naming it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings, parse_duration


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
        assert load_settings().teams_on  # allowed on loopback
        monkeypatch.setenv("FAIRLOOP_HOST", "0.0.0.0")
        line = "FAIRLOOP_TEAMS_ALLOW_UNAUTHENTICATED: refused because FAIRLOOP_HOST is not a loopback address"
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == line


def test_teams_without_an_app_id_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIRLOOP_TEAMS", "1")
    with pytest.raises(SettingsError, match="^MICROSOFT_APP_ID: required to enable Teams"):
        load_settings()


def test_toml_fills_in_and_env_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "fairloop.toml"
    path.write_text(
        'admins = ["U0123ABCD", "ana@example.com"]\nmin_group_size = 3\nprompt_delay = "10m"\n'
        '[[practices]]\nkey = "rubric"\nlabel = "scored on the rubric first"\n'
    )
    monkeypatch.setenv("FAIRLOOP_CONFIG", str(path))
    monkeypatch.setenv("FAIRLOOP_MIN_GROUP_SIZE", "7")
    s = load_settings()
    assert s.min_group_size == 7 and s.prompt_delay == timedelta(minutes=10)
    assert [p.key for p in s.practices] == ["rubric"] and s.is_admin("ana@EXAMPLE.com") and not s.is_admin("raj@x.io")


def test_unknown_keys_in_the_file_are_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "fairloop.toml"
    path.write_text("min_group_sise = 3\n")
    monkeypatch.setenv("FAIRLOOP_CONFIG", str(path))
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == "min_group_sise: Extra inputs are not permitted"


def test_playground_is_on_by_default_only_on_loopback_without_platforms(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().playground_on
    monkeypatch.setenv("FAIRLOOP_HOST", "0.0.0.0")
    assert not load_settings().playground_on
