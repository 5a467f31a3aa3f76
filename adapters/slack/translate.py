"""Translate Slack payloads (interactivity, slash commands, events) into the core's neutral events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.events import Actor, ButtonClicked, CommandIssued, FormSubmitted

PLATFORM = "slack"


@dataclass(frozen=True, kw_only=True)
class Profile:
    """What users.info told us about a person; it fills in the Actor beyond the bare user id."""

    email: str | None = None
    display_name: str | None = None
    timezone: str | None = None


@dataclass(frozen=True, kw_only=True)
class ClickSource:
    """Where a click came from, so the answer lands in the same place."""

    surface: str  # "message" | "home" | "modal"
    channel: str | None = None
    ts: str | None = None
    response_url: str | None = None


def user_id_of(body: Mapping[str, Any]) -> str:
    """The acting user's id in any Slack payload shape (interactivity, slash command, event)."""
    user = body.get("user")
    if isinstance(user, Mapping):
        return str(user.get("id") or "")
    if isinstance(user, str):
        return user
    event = body.get("event")
    if isinstance(event, Mapping) and isinstance(event.get("user"), str):
        return str(event["user"])
    return str(body.get("user_id") or "")


def actor(user_id: str, profile: Profile | None = None) -> Actor:
    p = profile or Profile()
    return Actor(
        platform=PLATFORM,
        user_id=user_id,
        email=p.email,
        display_name=p.display_name,
        timezone=p.timezone,
    )


def profile_from_user(user: Mapping[str, Any]) -> Profile:
    """users.info / users.lookupByEmail `user` object -> Profile."""
    prof = user.get("profile") or {}
    name = prof.get("display_name") or prof.get("real_name") or user.get("real_name") or user.get("name")
    return Profile(email=prof.get("email") or None, display_name=name or None, timezone=user.get("tz") or None)


def button_clicked(body: Mapping[str, Any], who: Actor, *, delivery: str = "") -> ButtonClicked | None:
    """A block_actions payload -> ButtonClicked for its first button action (None if it has none)."""
    for action in body.get("actions") or ():
        if isinstance(action, Mapping) and action.get("type") == "button":
            return ButtonClicked(
                actor=who,
                action_id=str(action.get("action_id") or ""),
                value=str(action.get("value") or ""),
                in_place=click_source(body).surface == "message",  # from Home: the core redraws the DM itself
                delivery=delivery,
            )
    return None


def click_source(body: Mapping[str, Any]) -> ClickSource:
    container = body.get("container") or {}
    kind = container.get("type")
    if kind == "view":
        view = body.get("view") or {}
        return ClickSource(surface="home" if view.get("type") == "home" else "modal")
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return ClickSource(surface="message", channel=channel, ts=ts, response_url=body.get("response_url"))


def _state_value(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    if kind in ("radio_buttons", "static_select", "external_select"):
        selected = element.get("selected_option") or {}
        return str(selected.get("value") or "")
    if kind == "checkboxes":
        return ",".join(str(o.get("value")) for o in element.get("selected_options") or ())
    if kind == "users_select":
        return str(element.get("selected_user") or "")
    if kind == "datepicker":
        return str(element.get("selected_date") or "")
    return str(element.get("value") or "")


def form_values(view: Mapping[str, Any]) -> dict[str, str]:
    """view.state.values {block_id: {action_id: element}} -> {input_id: value}; block_id is the input_id."""
    values: dict[str, str] = {}
    state = (view.get("state") or {}).get("values") or {}
    for block_id, elements in state.items():
        if not isinstance(elements, Mapping):
            continue
        for element in elements.values():
            if isinstance(element, Mapping):
                values[str(block_id)] = _state_value(element).strip()
    return values


def form_submitted(body: Mapping[str, Any], who: Actor) -> FormSubmitted:
    view = body.get("view") or {}
    return FormSubmitted(
        actor=who,
        form_id=str(view.get("callback_id") or ""),
        context=str(view.get("private_metadata") or ""),
        values=form_values(view),
    )


def command_text(body: Mapping[str, Any]) -> str:
    """What followed /fairloop, spaces collapsed; an empty command means help."""
    return " ".join(str(body.get("text") or "").split()) or "help"


def command_issued(body: Mapping[str, Any], who: Actor) -> CommandIssued:
    """/fairloop <text> -> CommandIssued."""
    return CommandIssued(actor=who, text=command_text(body))


def title_of(body: Mapping[str, Any]) -> str:
    """The submitted modal's title, for the view that replaces it."""
    title = (body.get("view") or {}).get("title") or {}
    return str(title.get("text") or "fairloop") if isinstance(title, Mapping) else "fairloop"


def address(body: Mapping[str, Any]) -> dict[str, str]:
    """What we keep to reach a Slack user later: team, user id and, when the request came from it, the DM channel."""
    team = body.get("team")
    team_id = team.get("id") if isinstance(team, Mapping) else (team or body.get("team_id"))
    out = {"user_id": user_id_of(body)}
    if team_id:
        out["team_id"] = str(team_id)
    where = [body.get("container"), body.get("channel"), body.get("event")]
    found = [w.get("channel_id") or w.get("id") or w.get("channel") for w in where if isinstance(w, Mapping)]
    channel = next((c for c in [*found, body.get("channel_id")] if isinstance(c, str) and c), None)
    if channel and channel.startswith("D"):
        out["dm_channel"] = channel
    return out
