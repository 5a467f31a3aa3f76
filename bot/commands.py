"""Text commands shared by every platform: help, stats, me, why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import stats
from bot.errors import UserInputError
from bot.messages import Actions, Button, Context, Fields, Header, Message, Section
from bot.periods import PERIODS
from bot.settings import Settings
from storage import stats as q
from storage.models import Person

COMMANDS = (
    ("help", "what I can do"),
    ("stats [7d|30d|90d|quarter] [team:<name>] [role:<name>]", "check-in figures, private to you"),
    ("me", "your own record, private to you"),
    ("feedback", "anonymous feedback on how we hire: nothing about you is kept"),
    ("goals", "our team goals and where we stand"),
    ("why", "why we ask, what we keep, and the legal basis"),
)
ADMIN_COMMANDS = (
    ("digest preview|send [<name>]", "see a sync digest now, or post it to its channel"),
    ("goal set <team|all> <metric> <target>", "e.g. `goal set Platform response 90%`"),
)
REMINDERS_OFF, REMINDERS_ON = "me.reminders_off", "me.reminders_on"


@dataclass(frozen=True, kw_only=True)
class StatsQuery:
    period: str = "30d"
    team: str | None = None
    role: str | None = None


def parse_stats(args: list[str]) -> StatsQuery:
    period, team, role = "30d", None, None
    rest = " ".join(args)
    # names may contain spaces: "team:Data Platform role:Senior Engineer"
    import re

    for key, value in re.findall(r"(team|role):\s*(.+?)(?=\s+(?:team|role):|\s+(?:7d|30d|90d|quarter)\b|$)", rest):
        if key == "team":
            team = value.strip().strip('"')
        else:
            role = value.strip().strip('"')
    leftover = re.sub(r"(team|role):\s*(.+?)(?=\s+(?:team|role):|\s+(?:7d|30d|90d|quarter)\b|$)", "", rest).split()
    for word in leftover:
        if word.lower() in PERIODS:
            period = word.lower()
        else:
            raise UserInputError(f"I didn't understand {word!r}. Try `stats 30d team:Platform role:Engineer`.")
    return StatsQuery(period=period, team=team or None, role=role or None)


def help_message(unknown: str | None = None) -> Message:
    lines = "\n".join(f"• `{c}` — {d}" for c, d in COMMANDS)
    admin = "\n".join(f"• `{c}` — {d}" for c, d in ADMIN_COMMANDS)
    intro = f"I don't know `{unknown}` yet. Here's what I can do:" if unknown else "Here's what I can do:"
    return Message(
        text=f"{intro} " + ", ".join(c.split()[0] for c, _ in COMMANDS),
        blocks=(
            Section(text=f"{intro}\n{lines}"),
            Section(text=f"*For admins*\n{admin}"),
            Context(text="Answers to commands are private to you."),
        ),
        private=True,
    )


def why_message(settings: Settings) -> Message:
    text = (
        "*Why we ask.* Structured, fair interviews are how we hire the best people and give every candidate "
        "the same chance. A one-click check-in after each interview shows where our shared practices hold and "
        "where training would help.\n"
        "*What we keep.* Your answer per practice and the time you answered. Reports show team-level "
        f"aggregates only, and nothing for a group with fewer than {settings.min_group_size} check-ins. Your "
        "private notes are shown to you alone. Candidate names are never stored.\n"
        "*Legal basis.* Legitimate interest in fair, non-discriminatory hiring and in meeting equal-treatment "
        "duties; you can see your own record any time with `me`, and raw check-ins are deleted after "
        f"{settings.retention.days} days."
    )
    blocks = [Header(text="Why fairloop asks"), Section(text=text)]
    if settings.leadership_message:
        blocks.append(Context(text=settings.leadership_message))
    return Message(text=text.replace("*", ""), blocks=tuple(blocks), private=True)


async def me_message(*, session: AsyncSession, person: Person, settings: Settings, now: datetime) -> Message:
    w = stats.window("90d", now=now, zone=settings.zone)
    rec = await q.person_counts(session=session, person_id=person.id or 0, start=w.start, end=w.end)
    states = rec["states"]
    asked = sum(states.get(s, 0) for s in stats.DELIVERED)
    answered = states.get("answered", 0)
    lines = []
    for p in settings.practices:
        v = rec["practices"].get(p.key, {})
        lines.append(
            f"• {p.short or p.label}: {stats.pct(stats._rate(v.get('yes', 0), v.get('yes', 0) + v.get('no', 0)))}"
        )
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
                ("All practices followed", stats.pct(stats._rate(rec["all_followed"], rec["checkins"]))),
                ("Waiting for you", str(states.get("sent", 0))),
                ("Reminders", "on" if person.reminders else "off"),
            )
        ),
        Section(text="*Each practice*\n" + "\n".join(lines)),
        Actions(buttons=(toggle,)),
        Context(text="Only you can see this. Nobody else gets figures about a single interviewer."),
    )
    return Message(
        text=f"You answered {answered} of {asked} check-ins in the last 90 days.", blocks=blocks, private=True
    )
