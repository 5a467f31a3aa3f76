"""A command starts cheaply: importing the CLI loads no platform SDK and no alembic, which only the commands and
the platforms that need them load (`fairloop stats` is a whole process, started for one answer)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.app import ROOT

HEAVY = ("slack_bolt", "slack_sdk", "botbuilder", "botframework", "msrest", "msal", "alembic", "rich", "PIL")


def loaded_after(code: str) -> set[str]:
    """The top-level packages a fresh interpreter has loaded after running `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_cli_loads_no_platform_sdk_and_no_alembic() -> None:
    assert loaded_after("import fairloop.cli") & set(HEAVY) == set()


def test_a_platform_package_loads_its_sdk_only_when_its_names_are_used() -> None:
    assert "slack_bolt" not in loaded_after("import adapters.slack.settings")
    assert "botbuilder" not in loaded_after("import adapters.teams.settings")
    assert "slack_bolt" in loaded_after("from adapters.slack import SlackPlatform")
    assert "botbuilder" in loaded_after("from adapters.teams import TeamsPlatform")
