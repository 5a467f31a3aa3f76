"""An answer that got a 200 is kept: `fairloop serve` as a real process, stopped with SIGTERM the moment a click has
its 200 (as a rolling deploy does), then started again; every acknowledged click is in the database."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func
from sqlmodel import select

from storage import db
from storage.models import CheckIn, Prompt
from tests.support.app import API_TOKEN, interview
from tests.support.processes import Served, eventually, fleet, serve_env
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import BOT_TOKEN, SIGNING_SECRET, signed
from tests.support.slack.world import FORM, click_body
from tests.support.teams.fake_aad import FakeAAD
from tests.support.teams.fake_connector import FakeConnector
from tests.support.teams.harness import Person, actions_of, activity, invoke
from tests.support.teams.signed import bearer, process_env

BURSTS = 6  # restarts
SLACK_PER_BURST, TEAMS_PER_BURST = 3, 1  # clicks in flight when the first of them gets its 200


def slack_people(n: int) -> list[tuple[str, str]]:
    return [(f"s{i}@example.com", f"U0S{i:06d}") for i in range(n)]


def teams_people(n: int) -> list[Person]:
    return [Person(f"29:1t{i}-process", str(uuid.UUID(int=i + 1)), f"Teams {i}", f"t{i}@example.com") for i in range(n)]


async def test_every_acknowledged_click_is_kept_when_sigterm_follows_its_200(tmp_path: Path) -> None:
    n_slack, n_teams = BURSTS * SLACK_PER_BURST, BURSTS * TEAMS_PER_BURST
    fake = FakeSlack(token=BOT_TOKEN)
    for email, user in slack_people(n_slack):
        fake.add_user(email, user)
    connector = FakeConnector()
    for p in teams_people(n_teams):
        connector.add_member(user_id=p.teams_id, aad_object_id=p.aad, name=p.name, email=p.email)
    await fake.start()
    await connector.start()
    aad = await FakeAAD(folder=tmp_path).start()
    database = f"sqlite+aiosqlite:///{tmp_path / 'stops.db'}"
    env = serve_env(
        tmp_path, FAIRLOOP_DATABASE_URL=database, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
        FAIRLOOP_SLACK_API_URL=fake.base_url, **process_env(aad, tmp_path),
    )  # fmt: skip
    engine = db.make_engine(database)
    try:
        async with fleet(tmp_path) as crew, aiohttp.ClientSession() as http:
            server = await crew.add("serve", env).start()
            clicks = await _prompts_out(server, http, fake, connector, aad, engine)
            acknowledged, unanswered = await _bursts(server, http, clicks)
            recorded = await _checked_in(engine)
    finally:
        await engine.dispose()
        await connector.close()
        await aad.close()
        await fake.stop()
    print(f"\nclicks acknowledged {len(acknowledged)}, recorded {len(recorded & acknowledged)}, "
          f"unanswered (no 200: Slack/Teams show an error) {len(unanswered)}, restarts {server.starts - 1}")  # fmt: skip
    assert len(acknowledged) >= 20, (acknowledged, unanswered)
    assert acknowledged - recorded == set(), f"acknowledged but lost: {sorted(acknowledged - recorded)}"


async def _prompts_out(
    server: Served, http: aiohttp.ClientSession, fake: FakeSlack, connector: FakeConnector, aad: FakeAAD, engine: Any
) -> list[tuple[int, str, Any, dict[str, str]]]:
    """Interviews in, every DM out; the clicks to make, as (prompt id, route, body): Slack's and Teams' mixed."""
    teams = teams_people(BURSTS * TEAMS_PER_BURST)
    for person in teams:  # installed in Teams: fairloop keeps their chat, so their prompts go there
        install = activity(connector.url, "installationUpdate.add-personal.json", person=person)
        async with http.post(f"{server.url}/api/messages", json=install, headers=bearer(aad, connector.url)) as r:
            assert r.status == 200, await r.text()
    emails = [e for e, _ in slack_people(BURSTS * SLACK_PER_BURST)] + [p.email for p in teams]
    batch = {"interviews": [interview(f"stop-{i}", emails=(e,)) for i, e in enumerate(emails)]}
    async with http.post(
        f"{server.url}/api/interviews", json=batch, headers={"Authorization": f"Bearer {API_TOKEN}"}
    ) as r:
        assert r.status == 200, await r.text()

    async def all_sent() -> bool:
        async with engine.connect() as conn:
            states = (await conn.execute(select(Prompt.state))).scalars().all()
        return len(states) == len(emails) and set(states) == {"sent"}

    await eventually(all_sent, within=60, what="every prompt sent")
    users = {u: e for e, u in slack_people(BURSTS * SLACK_PER_BURST)}
    slack = [
        (int(dm["metadata"]["event_payload"]["prompt_id"]), "/slack/events", click_body(fake, dm, user=dm["channel"].replace("D", "U", 1)), {})
        for dm in fake.called("chat.postMessage")
        if dm["channel"].replace("D", "U", 1) in users
    ]  # fmt: skip
    teams_clicks = []
    for person in teams:
        [card] = [c for c in connector.cards(connector.posts(person.conversation)) if "checkin.all" in actions_of(c)]
        action = actions_of(card)["checkin.all"]
        click = invoke(connector.url, person, action)
        teams_clicks.append((int(action["data"]["value"]), "/api/messages", click, bearer(aad, connector.url)))
    assert len(slack) == BURSTS * SLACK_PER_BURST and len(teams_clicks) == BURSTS * TEAMS_PER_BURST
    mixed = []
    for b in range(BURSTS):
        mixed += (
            slack[b * SLACK_PER_BURST : (b + 1) * SLACK_PER_BURST]
            + teams_clicks[b * TEAMS_PER_BURST : (b + 1) * TEAMS_PER_BURST]
        )
    return mixed


async def _bursts(
    server: Served, http: aiohttp.ClientSession, clicks: list[tuple[int, str, Any, dict[str, str]]]
) -> tuple[set[int], set[int]]:
    """Each burst: its clicks at once; SIGTERM the moment the first 200 arrives; the rest get whatever the stopping
    server answers; then start again. Returns the prompt ids whose click got a 200, and those that got none."""
    per = SLACK_PER_BURST + TEAMS_PER_BURST
    acknowledged: set[int] = set()
    unanswered: set[int] = set()
    for b in range(BURSTS):
        if not server.running:
            await server.start()
        burst = clicks[b * per : (b + 1) * per]
        tasks = {
            asyncio.create_task(_click(http, server.url, route, body, auth)): pid for pid, route, body, auth in burst
        }
        pending = set(tasks)
        stopped = False
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            if not stopped and any(t.result() == 200 for t in done):
                server.signal(15)  # SIGTERM, immediately after a 200
                stopped = True
        for task, pid in tasks.items():
            (acknowledged if task.result() == 200 else unanswered).add(pid)
        assert stopped, f"burst {b}: no click got a 200: {[t.result() for t in tasks]}\n{server.tail()}"
        assert await server.wait() == 0, server.tail()
    return acknowledged, unanswered


async def _click(http: aiohttp.ClientSession, url: str, route: str, body: Any, auth: dict[str, str]) -> int:
    """POST one click; its HTTP status, or 0 when the stopping server never answered it."""
    try:
        if route == "/slack/events":
            async with http.post(url + route, data=body.encode(), headers=signed(body, FORM)) as r:
                return r.status
        async with http.post(url + route, json=body, headers=auth) as r:
            return r.status
    except aiohttp.ClientError:
        return 0


async def _checked_in(engine: Any) -> set[int]:
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(CheckIn))).scalar_one() >= 0
        return set((await conn.execute(select(CheckIn.prompt_id))).scalars().all())
