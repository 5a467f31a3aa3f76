"""The check-in messages and forms, built from the neutral message model."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.messages import Actions, Button, Choice, ChoiceInput, Context, Form, Header, Message, Section, TextInput
from bot.settings import Practice, Settings

ALL, DETAIL, CONCERN, NOT_MINE, CHANGE, LATER = (
    "checkin.all",
    "checkin.detail",
    "checkin.concern",
    "checkin.not_mine",
    "checkin.change",
    "checkin.later",
)
ANSWERS = (Choice(value="yes", label="Yes"), Choice(value="no", label="No"), Choice(value="na", label="Not applicable"))
FIRST_TIME = (
    "*New here? fairloop in three lines.*\n"
    "After each interview you get one quick check-in on our shared interview practices.\n"
    "Only team-level aggregates are ever reported, never a single interviewer; your notes stay private to you."
)


def when(starts: datetime, ends: datetime, zone: ZoneInfo, now: datetime) -> str:
    s, e = starts.astimezone(zone), ends.astimezone(zone)
    day = "today" if s.date() == now.astimezone(zone).date() else s.strftime("%a %d %b")
    return f"{day} {s:%H:%M}–{e:%H:%M} ({s.tzname()})"


def headline(
    *, role: str, stage: str, starts: datetime, ends: datetime, zone: ZoneInfo, now: datetime, team: str = ""
) -> str:
    parts = [f"*{role}*", stage, team, when(starts, ends, zone, now)]  # team: the ATS department, when known
    return " · ".join(p for p in parts if p)


def _practice_list(practices: tuple[Practice, ...]) -> str:
    return "\n".join(f"• {p.label}" for p in practices)


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
    title: str,
    settings: Settings,
    first_time: bool = False,
    status: str = "",
    reminder: bool = False,
    later: bool = False,
) -> Message:
    """The check-in DM: role, stage and time (never the candidate), the checklist and four actions."""
    blocks: list = [Header(text="Quick inclusivity check-in" + (" · reminder" if reminder else ""))]
    if first_time:
        blocks.append(Section(text=FIRST_TIME))
    blocks += [
        Section(text=title),
        Section(text="How did it go? Our shared practices:\n" + _practice_list(settings.practices)),
    ]
    if status:
        blocks.append(Section(text=status))
    blocks += [
        _ask_buttons(prompt_id, later=later),
        Context(text="Takes one click. Only aggregates are reported — why we ask: `why`"),
    ]
    plain = title.replace("*", "")
    return Message(text=f"Quick inclusivity check-in · {plain}", blocks=tuple(blocks))


def recorded_message(
    *, prompt_id: int, title: str, summary: str, tips: tuple[Practice, ...], settings: Settings
) -> Message:
    """The same DM after an answer: what was recorded, a private tip where it helps, and a way to change it."""
    blocks: list = [Header(text="Quick inclusivity check-in"), Section(text=title), Section(text=summary)]
    if tips:
        lines = "\n".join(f"• {p.tip or p.label}" for p in tips)
        blocks.append(Section(text=f"_Just for you:_\n{lines}\nA 10-minute refresher: {settings.training_url}"))
    blocks += [
        Actions(buttons=(Button(label="Change answer", action_id=CHANGE, value=str(prompt_id)),)),
        Context(text="Only aggregates are reported — why we ask: `why`"),
    ]
    return Message(text=summary.replace("*", ""), blocks=tuple(blocks))


def detail_form(
    *, prompt_id: int, title: str, settings: Settings, initial: dict[str, str] | None = None, note: str = ""
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
        intro=title,
        context=str(prompt_id),
    )


def concern_form(*, prompt_id: int, title: str) -> Form:
    return Form(
        form_id=CONCERN,
        title="Raise a concern",
        submit_label="Send to DEI",
        intro=f"{title}\nYour concern goes to the DEI team with your name so they can follow up with you.",
        inputs=(TextInput(input_id="text", label="What happened?", multiline=True, optional=False, max_length=3000),),
        context=str(prompt_id),
    )
