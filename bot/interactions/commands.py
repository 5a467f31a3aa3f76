"""The text commands shared by every platform: what they are called, how `stats` reads, help and why."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import UserInputError
from bot.messages import Context, Header, Message, Section
from bot.reports.windows import PERIODS
from bot.settings import Settings
from bot.text import bold, code, link, text, user

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
    ("goal set <team|all> <metric> <target>", text("e.g. ", code("goal set Platform response 90%"))),
)
ADMIN_ONLY = ("goal", "digest")
NEEDS_ASKER = ("me", *ADMIN_ONLY)  # the only commands that need to know who asks
ANONYMOUS = ("feedback",)  # commands whose asker must leave no trace


def _sub(text: str) -> str:
    words = text.strip().split()
    return words[0].lower().lstrip("/") if words else "help"


def needs_asker(text: str) -> bool:
    """Whether answering `text` needs the asker's identity (a profile look-up, their person record). Adapters
    that would have to ask the platform who someone is (Slack's users.info) do so only then."""
    return _sub(text) in NEEDS_ASKER


def anonymous(text: str) -> bool:
    """Whether `text` is on the anonymous feedback path: adapters then pass the bare platform id and neither look
    the asker up nor remember them, even where they otherwise keep a person's address fresh (Teams)."""
    return _sub(text) in ANONYMOUS


_FILTER = re.compile(r"(team|role):\s*(.+?)(?=\s+(?:team|role):|\s+(?:7d|30d|90d|quarter)\b|$)")


@dataclass(frozen=True, kw_only=True)
class StatsQuery:
    period: str = "30d"
    team: str | None = None
    role: str | None = None


def parse_stats(args: list[str]) -> StatsQuery:
    """`30d team:Data Platform role:Senior Engineer`: names may contain spaces."""
    period, team, role = "30d", None, None
    rest = " ".join(args)
    for key, value in _FILTER.findall(rest):
        if key == "team":
            team = value.strip().strip('"')
        else:
            role = value.strip().strip('"')
    for word in _FILTER.sub("", rest).split():
        if word.lower() in PERIODS:
            period = word.lower()
        else:
            raise UserInputError(
                text(
                    "I didn't understand ",
                    user(repr(word)),
                    ". Try ",
                    code("stats 30d team:Platform role:Engineer"),
                    ".",
                )
            )
    return StatsQuery(period=period, team=team or None, role=role or None)


def help_message(unknown: str | None = None) -> Message:
    intro = (
        text("I don't know ", code(user(unknown)), " yet. Here's what I can do:")
        if unknown
        else text("Here's what I can do:")
    )
    return Message(
        text=text(intro, " ", ", ".join(c.split()[0] for c, _ in COMMANDS)),
        blocks=(
            Section(text=intro, bullets=tuple(text(code(c), " — ", d) for c, d in COMMANDS)),
            Section(text=bold("For admins"), bullets=tuple(text(code(c), " — ", d) for c, d in ADMIN_COMMANDS)),
            Context(text="Answers to commands are private to you."),
        ),
        private=True,
    )


def why_message(settings: Settings) -> Message:
    body = text(
        bold("Why we ask."),
        " Structured, fair interviews are how we hire the best people and give every candidate "
        "the same chance. A one-click check-in after each interview shows where our shared practices hold and "
        "where training would help.\n",
        bold("What we keep."),
        " Your answer per practice and the time you answered. Reports show team-level "
        f"aggregates only, and nothing for a group with fewer than {settings.min_group_size} check-ins. Your "
        "private notes are shown to you alone. Candidate names are never stored.\n",
        bold("Legal basis."),
        " Legitimate interest in fair, non-discriminatory hiring and in meeting equal-treatment "
        "duties; you can see your own record any time with ",
        code("me"),
        f", and raw check-ins are deleted after {settings.retention.days} days.\n",
        bold("How figures stay anonymous."),
        " Only whole days that are over, and nothing any combination of figures could narrow to fewer than "
        f"{settings.min_group_size} people: ",
        link(settings.privacy_url, "the privacy policy and its threat model"),
        ".",
    )
    blocks = [Header(text="Why fairloop asks"), Section(text=body)]
    if settings.leadership_message:
        blocks.append(Context(text=settings.leadership_message))
    return Message(text=body.unstyled(), blocks=tuple(blocks), private=True)
