"""A command starts cheaply: importing the CLI loads no platform SDK and no alembic, which only the commands and
the platforms that need them load (`fairloop stats` is a whole process, started for one answer)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.app import ROOT
from tests.support.cli import environment, run

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


def test_stats_loads_neither_the_web_stack_nor_a_platform_nor_the_services_it_does_not_use(tmp_path: Path) -> None:
    """`fairloop stats` reads the activity ledger and prints: even where Slack is configured, it starts no
    platform and imports no HTTP stack, no SDK and none of the services that send, intake or answer clicks."""
    assert run(tmp_path, "db", "upgrade").returncode == 0  # migrated already (migrating loads alembic)
    env = environment(tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s" * 32)
    probe = (
        "import json, sys\nfrom fairloop.cli import main\nsys.argv = ['fairloop', 'stats', '--json']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout[: done.stdout.rindex("\n[")])["period"] == "30d"  # the answer came first
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    top = {m.split(".")[0] for m in loaded}
    assert top & {*HEAVY, "aiohttp"} == set()
    services = {"bot.delivery.service", "bot.interactions.service", "bot.intake.service", "bot.feedback.service"}
    assert loaded & services == set()
    assert "adapters.web" not in loaded
