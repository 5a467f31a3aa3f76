"""Hostile text stays text on the pages fairloop serves itself and in what it exports: the playground's messages,
stats and digest, the candidate's feedback form, and the CSV export, each payload put there through HTTP."""

from __future__ import annotations

import csv
import io
import re
from html import escape, unescape
from pathlib import Path

import pytest

from tests.support.app import Running, StartApp
from tests.support.cli import run
from tests.support.core import Clock
from tests.support.hostile import JOINED, PAYLOADS, html_live, slack_live, teams_live
from tests.support.hostile_playground import CHANNEL, EVE, seed

FORMULA = ("=", "+", "-", "@", "\t", "\r")


def visible(page: str) -> str:
    """The words a person reads: tags and styles gone, entities back to characters."""
    return unescape(re.sub(r"<[^>]+>", "", re.sub(r"<style>.*?</style>", "", page, flags=re.S)))


async def _feed(running: Running, who: str) -> dict:
    async with running.http.get(f"{running.url}/playground/api/feed", params={"as": who}) as resp:
        return await resp.json()  # type: ignore[no-any-return]


async def test_every_payload_stays_text_in_the_playground_and_the_candidate_pages(
    start_app: StartApp, clock: Clock
) -> None:
    running = await start_app(min_group_size=1)
    seeded = await seed(running, clock)
    posts = (await _feed(running, EVE))["posts"]
    assert {p["conversation"] for p in posts} == {EVE, "#recruiting-dei-sync", f"#{CHANNEL}"}
    html = [p["html"] for p in posts] + seeded.fragments
    assert [(i, found) for i, fragment in enumerate(html) for found in html_live(fragment)] == []
    shown = "\n".join(visible(fragment) for fragment in html)
    for payload in PAYLOADS:
        assert payload.replace("\n", "") in shown.replace("\n", ""), payload  # line breaks become <br>
    digest = visible(next(p["html"] for p in posts if p["conversation"] == f"#{CHANNEL}"))
    assert "anonymous notes)" in digest and JOINED[:100] in digest

    form, thanks = seeded.pages
    assert html_live(form) == [] and html_live(thanks) == []
    [kept] = re.findall(r"<textarea[^>]*>(.*?)</textarea>", form, flags=re.S)
    assert unescape(kept) == JOINED  # what the candidate typed, back in the box as typed


def test_the_csv_export_never_starts_a_cell_with_a_formula(tmp_path: Path) -> None:
    """Team and role names are the payloads, imported with the CLI; the export is read as a spreadsheet would."""
    rows = ["external_id,role,team,stage,starts_at,ends_at,interviewers"]
    for i, payload in enumerate(PAYLOADS):
        cell = '"' + payload.replace('"', '""') + '"'
        rows.append(f"c-{i},{cell},{cell},onsite,2026-01-05T10:00:00Z,2026-01-05T11:00:00Z,eve@example.com")
    (tmp_path / "hostile.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    env = {"FAIRLOOP_SECRET_KEY": "k" * 32, "FAIRLOOP_MIN_GROUP_SIZE": "1"}
    imported = run(tmp_path, "interviews", "import", str(tmp_path / "hostile.csv"), **env)
    assert imported.returncode == 0, imported.stderr
    exported = run(tmp_path, "export", "--period", "quarter", "--format", "csv", **env)
    assert exported.returncode == 0, exported.stderr
    table = list(csv.reader(io.StringIO(exported.stdout)))
    cells = [cell for row in table for cell in row]
    assert [cell for cell in cells if cell.startswith(FORMULA)] == []
    scopes = {row[0] for row in table[1:]}
    for payload in PAYLOADS:
        assert f"team:{payload}" in scopes or f"'team:{payload}" in scopes, payload


@pytest.mark.parametrize("payload", ["<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>', "<script>x</script>"])
def test_the_html_oracle_sees_markup_and_passes_its_escaped_text(payload: str) -> None:
    assert html_live(f"<p>{payload}</p>") != []
    assert html_live(f"<p>{escape(payload)}</p>") == []


def test_the_chat_oracles_see_live_forms() -> None:
    assert slack_live("<!channel> hi") == ["<!channel>"] and slack_live("&lt;!channel&gt;") == []
    assert slack_live("<https://evil.example/x|Log in>") != [] and slack_live("<https://fairloop.example/|ok>") == []
    assert slack_live("x\n&gt; quote") != [] and slack_live("x\n\u200b&gt; quote") == []
    assert teams_live("[Reset](https://evil.example/sso)") != [] and teams_live("[\u200bReset]\u200b(x)") == []
    assert teams_live("a\n- list item") != [] and teams_live("a\n\u200b- list item") == []
    assert teams_live("see https://evil.example/x") != [] and teams_live("see https:\u200b//evil.example/x") == []
