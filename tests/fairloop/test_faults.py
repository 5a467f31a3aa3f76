"""Faults, counted in DMs: three `fairloop serve` replicas on one PostgreSQL database send check-ins through Slack
and Teams fakes that answer a fifth of the sends with 429 or 5xx; one replica is SIGKILLed while its sends wait for
an answer; the database goes away for a while. Every interviewer gets exactly one check-in DM, and a digest due in
all three replicas is posted once for its time."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from storage import db
from storage.models import DigestRun
from tests.support.postgres import Relay, needs_postgres, throwaway_database
from tests.support.processes import Served, eventually, fleet, serve_env
from tests.support.replicas import (
    DmCount,
    channel_posts,
    one_each,
    post_interviews,
    prompt_states,
    slack_dms,
    teams_dms,
    until_settled,
)
from tests.support.slack.fake_slack import FakeSlack
from tests.support.slack.signing import BOT_TOKEN, SIGNING_SECRET
from tests.support.teams.fake_aad import FakeAAD
from tests.support.teams.fake_connector import FakeConnector
from tests.support.teams.harness import Person, activity
from tests.support.teams.signed import bearer, process_env

SLACK_PEOPLE, TEAMS_PEOPLE, REPLICAS = 120, 30, 3
LEASE, OUTAGE = 4, 2.0  # seconds: the product's 2-minute lease and a one-minute outage, scaled 1/30
FAULTS = 0.2  # share of sends answered 429 or 5xx
DIGEST = "C0DIGEST"


def teams_people() -> list[Person]:
    return [Person(f"29:1f{i}-fault", str(uuid.UUID(int=1000 + i)), f"Fault {i}", f"tf{i}@example.com")
            for i in range(TEAMS_PEOPLE)]  # fmt: skip


@needs_postgres
async def test_faults_kills_and_an_outage_leave_every_interviewer_exactly_one_dm(tmp_path: Path) -> None:
    fake = FakeSlack(token=BOT_TOKEN, limits={"chat.postMessage": 30})
    slack_emails = [f"sf{i}@example.com" for i in range(SLACK_PEOPLE)]
    for i, email in enumerate(slack_emails):
        fake.add_user(email, f"U0SF{i:05d}")
    connector = FakeConnector()
    for p in teams_people():
        connector.add_member(user_id=p.teams_id, aad_object_id=p.aad, name=p.name, email=p.email)
    (tmp_path / "fairloop.toml").write_text(
        f'[[digests]]\nname = "minutely"\nplatform = "slack"\nchannel = "{DIGEST}"\ncron = "* * * * *"\n'
    )
    await fake.start()
    await connector.start()
    aad = await FakeAAD(folder=tmp_path).start()
    try:
        async with throwaway_database() as url, Relay(url) as relay, fleet(tmp_path) as crew:
            engine = db.make_engine(url)  # the test's own view of the database, not through the relay
            try:
                replicas = [
                    crew.add(f"replica-{r}", serve_env(
                        tmp_path, FAIRLOOP_CONFIG=str(tmp_path / "fairloop.toml"), FAIRLOOP_DATABASE_URL=relay.url,
                        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
                        FAIRLOOP_SLACK_API_URL=fake.base_url_for(f"r{r}"), **process_env(aad, tmp_path),
                        FAIRLOOP_DELIVERY_LEASE=f"{LEASE}s",
                    ))
                    for r in range(REPLICAS)
                ]  # fmt: skip
                await asyncio.gather(*(r.start() for r in replicas))
                await _install(replicas[1], connector, aad)
                fake.faults.rate = connector.faults.rate = FAULTS
                total = SLACK_PEOPLE + TEAMS_PEOPLE
                await post_interviews(replicas[0].url, one_each(slack_emails + [p.email for p in teams_people()], "f"))
                await _delivered(fake, connector, at_least=total // 5)
                killed = await _kill_mid_send(replicas, fake, connector, engine)
                marks = {"killed": time.monotonic()}
                await _delivered(fake, connector, at_least=total * 3 // 5)
                relay.cut()  # the database goes away for everyone
                marks["cut"] = time.monotonic()
                await asyncio.sleep(OUTAGE)
                relay.restore()
                marks["restored"] = time.monotonic()
                states = await until_settled(engine, total, within=180)
                await asyncio.sleep(2 * LEASE)  # a claim left to lapse would have been sent again by now
                async with engine.connect() as conn:
                    runs = (await conn.execute(select(DigestRun.key, DigestRun.state))).all()
            finally:
                await engine.dispose()
    finally:
        await connector.close()
        await aad.close()
        await fake.stop()
    count = DmCount(expected=total, per_person=slack_dms(fake) + teams_dms(connector))
    posted = [key for key, state in runs if state == "posted"]
    print(f"\n{count}; faults injected: Slack {dict(fake.faults.injected)}, Teams {dict(connector.faults.injected)}; "
          f"SIGKILLed {killed}, cutting off {fake.faults.dropped + connector.faults.dropped} sends; database outage "
          f"{OUTAGE:.0f}s ({relay.refused} connections refused); digest runs posted {len(posted)}, "
          f"posts in the channel {channel_posts(fake, DIGEST)}; Slack DMs sent twice: {_twice(fake, marks)}")  # fmt: skip
    assert states == {"sent": total}
    assert (count.delivered, count.duplicates) == (total, 0), count
    assert sum(fake.faults.injected.values()) > 0 and sum(connector.faults.injected.values()) > 0
    assert fake.faults.dropped + connector.faults.dropped > 0  # the kill did cut sends off mid-flight
    assert relay.refused > 0  # the outage was felt
    assert posted and channel_posts(fake, DIGEST) == len(posted) == len(set(posted))


async def _recorded_all_answers(engine: AsyncEngine, fake: FakeSlack, connector: FakeConnector) -> bool:
    held = sum(fake.faults.held.values())  # Slack counts a call on arrival; Teams, once it is answered 201
    accepted = len(slack_dms(fake) + teams_dms(connector)) - held  # people who have their DM
    states = await prompt_states(engine)
    return states["sent"] + states["answered"] >= accepted


def _twice(fake: FakeSlack, marks: dict[str, float]) -> list[str]:
    """Who sent each Slack DM that arrived twice, and when (seconds from the kill, the cut and the restore)."""
    sends = [c for c in fake.calls if c.method == "chat.postMessage" and c.status == 200 and c.params.get("metadata")]
    twice = {channel for channel, n in slack_dms(fake).items() if n > 1}
    return [f"{c.params['channel']} by {c.replica} at " + ", ".join(f"{k}{c.at - t:+.2f}s" for k, t in marks.items())
            for c in sends if c.params["channel"] in twice]  # fmt: skip


async def _install(replica: Served, connector: FakeConnector, aad: FakeAAD) -> None:
    """Teams people install the app (its welcome card is not a check-in): fairloop keeps their chat."""
    async with aiohttp.ClientSession() as http:
        for person in teams_people():
            install = activity(connector.url, "installationUpdate.add-personal.json", person=person)
            async with http.post(f"{replica.url}/api/messages", json=install, headers=bearer(aad, connector.url)) as r:
                assert r.status == 200, await r.text()


async def _delivered(fake: FakeSlack, connector: FakeConnector, *, at_least: int) -> None:
    async def enough() -> bool:
        return sum((slack_dms(fake) + teams_dms(connector)).values()) >= at_least

    await eventually(enough, within=120, what=f"{at_least} DMs delivered", every=0.05)


async def _kill_mid_send(replicas: list[Served], fake: FakeSlack, connector: FakeConnector, engine: AsyncEngine) -> str:
    """Hold every send at the platforms until a replica has sends waiting for an answer, then SIGKILL it. Which one
    that is depends on who claimed the prompts left (each keeps many sends going, so two may have all of them).
    The kill waits until every answer given before the hold has been recorded (on a loaded machine that can take
    seconds), so what it cuts off is sends in flight, not the moment between a platform's answer and its record
    (the at-least-once window the README describes)."""
    fake.faults.hold()
    connector.faults.hold()

    def waiting() -> Served | None:
        held = {r.name: fake.faults.held[r.name.replace("replica-", "r")] for r in replicas}
        most = max(replicas, key=lambda r: (held[r.name], r.name))
        return most if held[most.name] > 0 else None

    try:
        victim = await eventually(lambda: asyncio.sleep(0, result=waiting()), within=60,
                                  what="a replica's sends waiting at Slack")  # fmt: skip
        await asyncio.sleep(1.0)
        await eventually(lambda: _recorded_all_answers(engine, fake, connector), within=60,
                         what="the answers given before the hold recorded")  # fmt: skip
        held = ", ".join(f"{r.name} {fake.faults.held[r.name.replace('replica-', 'r')]}" for r in replicas)
        await victim.kill()
        await asyncio.sleep(0.3)  # its connections are closed now
        return f"{victim.name} (Slack sends held: {held})"
    finally:
        fake.faults.release()
        connector.faults.release()
