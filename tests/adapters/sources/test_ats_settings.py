"""The connectors' settings are a part of the config like any other: variables derived, one line when wrong."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.settings import SettingsError
from fairloop.config import load_config, variables


def test_every_connector_variable_is_known_and_read(monkeypatch: pytest.MonkeyPatch) -> None:
    assert {
        "FAIRLOOP_ASHBY_WEBHOOK_SECRET", "FAIRLOOP_ASHBY_API_KEY", "FAIRLOOP_LEVER_WEBHOOK_TOKEN",
        "FAIRLOOP_GREENHOUSE_CLIENT_SECRET", "FAIRLOOP_GREENHOUSE_TOKEN_URL", "FAIRLOOP_ATS_SYNC_EVERY",
        "FAIRLOOP_ATS_SYNC_WINDOW",
    } <= variables()  # fmt: skip
    monkeypatch.setenv("FAIRLOOP_LEVER_API_KEY", "lever-key-9f3")
    monkeypatch.setenv("FAIRLOOP_ATS_SYNC_EVERY", "5m")
    ats = load_config().ats
    assert (ats.configured(), ats.lever.api_on, ats.lever.webhook_on) == (["lever"], True, False)
    assert (ats.ats_sync_every, ats.ats_sync_window) == (timedelta(minutes=5), timedelta(days=2))
    assert ats.lever.api_key is not None and "lever-key-9f3" not in repr(ats)  # secrets never reach a log line


def test_fairloop_toml_names_them_by_field_and_a_bad_duration_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    toml = tmp_path / "fairloop.toml"
    toml.write_text('greenhouse_client_id = "c"\ngreenhouse_client_secret = "s"\n')
    assert load_config(config=str(toml)).ats.configured() == ["greenhouse"]
    monkeypatch.setenv("FAIRLOOP_ATS_SYNC_EVERY", "soon")
    with pytest.raises(SettingsError, match=r"^FAIRLOOP_ATS_SYNC_EVERY: 'soon' is not a duration"):
        load_config()
