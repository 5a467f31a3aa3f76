"""A person's own views: home (pending check-ins, their record, the team's headline) and `me`, private to them."""

from __future__ import annotations

from datetime import datetime

from bot.checkins import cards
from bot.checkins.answers import Loaded, title_of
from bot.events import Actor
from bot.messages import Actions, Button, Context, Divider, Fields, Header, Message, Section
from bot.people import resolve_person
from bot.reports import stats
from bot.reports.format import pct
from bot.settings import Settings
from bot.text import bold, text
from storage import stats as q
from storage.db import Session
from storage.interviews import pending_prompts_of
from storage.models import Person

REMINDERS_OFF, REMINDERS_ON = "me.reminders_off", "me.reminders_on"


async def home_message(*, session: Session, actor: Actor, settings: Settings, now: datetime) -> Message:
    blocks: list = [Header(text="fairloop")]
    person = await resolve_person(session=session, actor=actor)
    pending = await pending_prompts_of(session=session, person_id=person.id or 0) if person else []
    if person is not None and pending:
        blocks.append(Section(text=bold(f"Waiting for you ({len(pending)})")))
        for prompt, interview in pending:
            title = title_of(Loaded(prompt=prompt, interview=interview, person=person), settings, now)
            card = cards.prompt_message(prompt_id=prompt.id or 0, title=title, settings=settings)
            blocks += [Section(text=title), *[b for b in card.blocks if isinstance(b, Actions)]]
        blocks.append(Divider())
    else:
        blocks.append(Section(text="Nothing waiting for you — thank you for keeping up."))
    if person is not None:
        start = stats.window("90d", now=now, zone=settings.zone).start
        mine = await q.person_counts(session=session, person_id=person.id or 0, start=start, end=now)
        asked = sum(mine["states"].get(s, 0) for s in stats.DELIVERED)
        answered = mine["states"].get("answered", 0)
        followed = pct(stats.rate(mine["all_followed"], mine["checkins"]))
        blocks.append(
            Section(
                text=text(
                    bold("Your last 90 days:"), f" {answered} of {asked} check-ins answered · all practices {followed}"
                )
            )
        )
    team = await stats.compute(session=session, settings=settings, now=now, period="30d")
    if team.figures is None:
        blocks.append(Section(text=text(bold("Everyone, last 30 days:"), f" {stats.NOT_ENOUGH}")))
    else:
        f = team.figures
        blocks.append(
            Section(
                text=text(
                    bold("Everyone, last 30 days:"),
                    f" response {pct(f.response_rate)} · all practices {pct(f.all_practices_rate)} · {f.checkins} check-ins",
                )
            )
        )
    blocks.append(Context(text="Commands: help · stats · me · why. Only aggregates are ever reported."))
    return Message(text="fairloop home", blocks=tuple(blocks))


async def me_message(*, session: Session, person: Person, settings: Settings, now: datetime) -> Message:
    """The person's own record over 90 days, live (it is theirs), with the reminders switch."""
    w = stats.window("90d", now=now, zone=settings.zone)
    rec = await q.person_counts(session=session, person_id=person.id or 0, start=w.start, end=w.end)
    states = rec["states"]
    asked = sum(states.get(s, 0) for s in stats.DELIVERED)
    answered = states.get("answered", 0)
    lines = []
    for p in settings.practices:
        v = rec["practices"].get(p.key, {})
        lines.append(f"{p.short or p.label}: {pct(stats.rate(v.get('yes', 0), v.get('yes', 0) + v.get('no', 0)))}")
    toggle = (
        Button(label="Turn reminders off", action_id=REMINDERS_OFF)
        if person.reminders
        else Button(label="Turn reminders on", action_id=REMINDERS_ON)
    )
    blocks = (
        Header(text="Your check-ins · last 90 days"),
        Fields(
            items=(
                ("Answered", f"{answered} of {asked}"),
                ("All practices followed", pct(stats.rate(rec["all_followed"], rec["checkins"]))),
                ("Waiting for you", str(states.get("sent", 0))),
                ("Reminders", "on" if person.reminders else "off"),
            )
        ),
        Section(text=bold("Each practice"), bullets=tuple(lines)),
        Actions(buttons=(toggle,)),
        Context(text="Only you can see this. Nobody else gets figures about a single interviewer."),
    )
    return Message(
        text=f"You answered {answered} of {asked} check-ins in the last 90 days.", blocks=blocks, private=True
    )
