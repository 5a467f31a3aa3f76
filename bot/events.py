"""Incoming events, translated by adapters from platform payloads into neutral form."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class Actor:
    """Who did something: a platform identity, with an email when the platform told us one."""

    platform: str  # "slack" | "teams" | "playground"
    user_id: str  # Slack user id, Teams AAD object id, playground email
    email: str | None = None
    display_name: str | None = None
    timezone: str | None = None
    # what the adapter vouches this person may do beyond the admins list (the playground, in a local trial
    # with no admins configured, lets anyone pick up concerns: "concerns")
    grants: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class ButtonClicked:
    """`in_place` is False when the button was not on the prompt message itself (e.g. Slack's App Home):
    the core then updates the delivered prompt through the Outbox."""

    actor: Actor
    action_id: str
    value: str
    in_place: bool = True
    # the platform's request, as Directory.replay_key: claimed in the transaction that records the click, so a
    # replay of it is acknowledged and ignored, and a click that was not recorded is not taken for seen ("": the
    # adapter checked for replays itself)
    delivery: str = ""


@dataclass(frozen=True, kw_only=True)
class FormSubmitted:
    actor: Actor
    form_id: str
    context: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CommandIssued:
    actor: Actor
    text: str
