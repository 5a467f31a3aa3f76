"""The check-in messages and forms, built from the neutral message model."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.messages import Actions, Button, Choice, ChoiceInput, Context, Form, Header, Message, Section, TextInput
from bot.settings import Practice, Settings
from bot.text import Text, bold, code, italic, join, link, text, user

ALL, DETAIL, CONCERN, NOT_MINE, CHANGE, LATER = (
    "checkin.all",
    "checkin.detail",
    "checkin.concern",
    "checkin.not_mine",
    "checkin.change",
    "checkin.later",
)
ANSWERS = (Choice(value="yes", label="Yes"), Choice(value="no", label="No"), Choice(value="na", label="Not applicable"))
FIRST_TIME = text(
    bold("New here? fairloop in three lines."),
    "\nAfter each interview you get one quick check-in on our shared interview practices.\n"
    "Only team-level aggregates are ever reported, never a single interviewer; your notes stay private to you.",
)
WHY = text("Only aggregates are reported — why we ask: ", code("why"))


def when(starts: datetime, ends: datetime, zone: ZoneInfo, now: datetime) -> str:
    s, e = starts.astimezone(zone), ends.astimezone(zone)
    day = "today" if s.date() == now.astimezone(zone).date() else s.strftime("%a %d %b")
    return f"{day} {s:%H:%M}–{e:%H:%M} ({s.tzname()})"


def headline(
    *, role: str, stage: str, team: str, starts: datetime, ends: datetime, zone: ZoneInfo, now: datetime
) -> Text:
    """'*Senior Backend Engineer* · onsite · Platform · today 10:00–11:00 (UTC)'; role, stage and team (the ATS
    department, when known) come from the ATS."""
    parts = [bold(user(role)), user(stage), user(team), text(when(starts, ends, zone, now))]
    return join(" · ", [p for p in parts if p])


def _ask_buttons(prompt_id: int, *, later: bool = False) -> Actions:
    v = str(prompt_id)
    buttons = [
        Button(label="All practices followed", action_id=ALL, value=v, style="primary"),
        Button(label="Answer in detail", action_id=DETAIL, value=v),
        Button(label="Raise a concern", action_id=CONCERN, value=v),
        Button(label="Not my interview", action_id=NOT_MINE, value=v),
    ]
    if later:
        buttons.append(Button(label="Remind me later", action_id=LATER, value=v))
    return Actions(buttons=tuple(buttons))


def prompt_message(
    *,
    prompt_id: int,
    title: Text,
    settings: Settings,
    first_time: bool = False,
    status: Text | str = "",
    reminder: bool = False,
    later: bool = False,
) -> Message:
    """The check-in DM: role, stage and time (never the candidate), the checklist and four actions."""
    blocks: list = [Header(text="Quick inclusivity check-in" + (" · reminder" if reminder else ""))]
    if first_time:
        blocks.append(Section(text=FIRST_TIME))
    blocks += [
        Section(text=title),
        Section(text="How did it go? Our shared practices:", bullets=tuple(p.label for p in settings.practices)),
    ]
    if status:
        blocks.append(Section(text=status))
    blocks += [_ask_buttons(prompt_id, later=later), Context(text=text("Takes one click. ", WHY))]
    return Message(text=text("Quick inclusivity check-in · ", title), blocks=tuple(blocks))


def recorded_message(
    *, prompt_id: int, title: Text, summary: Text, tips: tuple[Practice, ...], settings: Settings
) -> Message:
    """The same DM after an answer: what was recorded, a private tip where it helps, and a way to change it."""
    blocks: list = [Header(text="Quick inclusivity check-in"), Section(text=title), Section(text=summary)]
    if tips:
        blocks += [
            Section(text=italic("Just for you:"), bullets=tuple(p.tip or p.label for p in tips)),
            Section(text=text("A 10-minute refresher: ", link(settings.training_url))),
        ]
    blocks += [
        Actions(buttons=(Button(label="Change answer", action_id=CHANGE, value=str(prompt_id)),)),
        Context(text=WHY),
    ]
    return Message(text=summary, blocks=tuple(blocks))


def detail_form(
    *, prompt_id: int, title: Text, settings: Settings, initial: dict[str, str] | None = None, note: str = ""
) -> Form:
    initial = initial or {}
    inputs: list = [
        ChoiceInput(
            input_id=p.key, label=p.label[:1].upper() + p.label[1:], choices=ANSWERS, initial=initial.get(p.key)
        )
        for p in settings.practices
    ]
    inputs.append(
        TextInput(
            input_id="note",
            label="Private note (only you can see it)",
            multiline=True,
            optional=True,
            max_length=2000,
            initial=note,
        )
    )
    return Form(
        form_id=DETAIL,
        title="Check-in details",
        submit_label="Record",
        inputs=tuple(inputs),
        intro=title.unstyled(),
        context=str(prompt_id),
    )


def concern_form(*, prompt_id: int, title: Text, text_so_far: str = "") -> Form:
    return Form(
        form_id=CONCERN,
        title="Raise a concern",
        submit_label="Send to DEI",
        intro=text(
            title.unstyled(), "\nYour concern goes to the DEI team with your name so they can follow up with you."
        ),
        inputs=(
            TextInput(
                input_id="text",
                label="What happened?",
                multiline=True,
                optional=False,
                max_length=3000,
                initial=text_so_far,
            ),
        ),
        context=str(prompt_id),
    )
