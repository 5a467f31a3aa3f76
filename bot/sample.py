"""A sample organisation (teams, roles, interviewers, six weeks of interviews and check-ins) for demos."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from bot.settings import Settings
from storage import db
from storage.checkins import save_checkin
from storage.db import Session, Sessions, unit_of_work
from storage.interviews import interviews_by_external_ids
from storage.models import CheckIn, Interview, Prompt
from storage.people import get_people_by_emails

TEAMS = {
    "Platform": (["Senior Backend Engineer", "Site Reliability Engineer"], 0.9, 0.85),
    "Data": (["Data Scientist", "Analytics Engineer"], 0.95, 0.8),
    "Design": (["Product Designer"], 0.85, 0.75),
    "Sales": (["Account Executive"], 0.6, 0.6),
}
PEOPLE = {
    "Platform": ["ana", "raj", "lena", "tom", "mei"],
    "Data": ["sofia", "omar", "kim", "jonas"],
    "Design": ["ines", "paul", "zoe"],
    "Sales": ["marco", "eva"],
}
STAGES = ("phone screen", "technical", "onsite", "final")
DOMAIN = "example.com"
RECENT = timedelta(days=2)


async def load_sample(
    *, sessions: Sessions, settings: Settings, now: datetime, weeks: int = 6, seed: int = 7
) -> dict[str, Any]:
    """Insert the sample once (external ids start with 'sample-'); loading it again changes nothing."""
    rnd = random.Random(seed)
    async with unit_of_work(sessions) as session:
        if await interviews_by_external_ids(session=session, external_ids=["sample-0"]):
            return {"loaded": False, "detail": "The sample organisation is already loaded."}
        emails = [f"{n}@{DOMAIN}" for names in PEOPLE.values() for n in names]
        people = await get_people_by_emails(session=session, emails=emails)
        for email, person in people.items():
            person.display_name = person.display_name or email.split("@")[0].capitalize()
        await db.save(session, *people.values())
        counts = {"interviews": 0, "prompts": 0, "checkins": 0}
        start = now - timedelta(weeks=weeks)
        n = 0
        day = start
        while day < now - timedelta(hours=2):
            if day.weekday() < 5:
                for _ in range(rnd.randint(3, 7)):
                    team = rnd.choice(list(TEAMS))
                    roles, respond, adhere = TEAMS[team]
                    begins = day.replace(hour=rnd.randint(8, 16), minute=0, second=0, microsecond=0)
                    if begins + timedelta(hours=1) > now:
                        continue
                    iv = Interview(
                        external_id=f"sample-{n}",
                        role=rnd.choice(roles),
                        team=team,
                        stage=rnd.choice(STAGES),
                        starts_at=begins,
                        ends_at=begins + timedelta(hours=1),
                        candidate_ref=f"cand-{n}",
                    )
                    n += 1
                    await db.save(session, iv)
                    for who in rnd.sample(PEOPLE[team], k=min(2, len(PEOPLE[team]))):
                        person = people[f"{who}@{DOMAIN}"]
                        due = iv.ends_at + settings.prompt_delay
                        answered = rnd.random() < respond
                        # the last two days' unanswered prompts go out for real, so the playground has DMs to answer
                        fresh = not answered and due > now - RECENT
                        prompt = Prompt(
                            interview_id=iv.id or 0,
                            person_id=person.id or 0,
                            due_at=due,
                            team=team,
                            role=iv.role,
                            platform="playground",
                            sent_at=None if fresh else due,
                            state="answered"
                            if answered
                            else "scheduled"
                            if fresh
                            else ("expired" if due < now - settings.prompt_expires else "sent"),
                        )
                        await db.save(session, prompt)
                        counts["prompts"] += 1
                        if answered:
                            await _checkin(session, rnd, prompt, settings, adhere)
                            counts["checkins"] += 1
                    counts["interviews"] += 1
            day += timedelta(days=1)
    return {"loaded": True, **counts, "people": len(emails), "teams": len(TEAMS)}


async def _checkin(session: Session, rnd: random.Random, prompt: Prompt, settings: Settings, adhere: float) -> None:
    delay = int(rnd.expovariate(1 / 5400))
    answers = {p.key: "yes" if rnd.random() < adhere + (1 - adhere) * 0.6 else "no" for p in settings.practices}
    if rnd.random() < 0.15:
        answers[settings.practices[-1].key if len(settings.practices) > 2 else settings.practices[0].key] = "na"
    all_ok = all(v != "no" for v in answers.values())
    row = CheckIn(
        prompt_id=prompt.id or 0,
        person_id=prompt.person_id,
        team=prompt.team,
        role=prompt.role,
        kind="all" if all_ok and rnd.random() < 0.7 else "detail",
        all_followed=all_ok,
        due_at=prompt.due_at,
        answer_seconds=delay,
        answered_at=prompt.due_at + timedelta(seconds=delay),
    )
    await save_checkin(session=session, checkin=row, answers=answers)
    prompt.answered_at = row.answered_at
    await db.save(session, prompt)


def interview_for(email: str, *, now: datetime) -> dict[str, Any]:
    """A sample onsite that ended twenty minutes ago with `email` on the panel, so its prompt arrives now."""
    ends = now.replace(second=0, microsecond=0) - timedelta(minutes=20)
    return {
        "external_id": f"sample-you-{email}",
        "role": "Senior Backend Engineer",
        "team": "Platform",
        "stage": "onsite",
        "starts_at": (ends - timedelta(hours=1)).isoformat(),
        "ends_at": ends.isoformat(),
        "interviewers": [{"email": email}, {"email": f"raj@{DOMAIN}"}],
    }
