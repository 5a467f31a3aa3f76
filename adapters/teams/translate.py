"""Teams activities -> neutral core events, and conversation references <-> the stored address dict."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationAccount, ConversationReference

from adapters.teams.render import CONTEXT_KEY, FORM_VERB_PREFIX
from bot.events import Actor, ButtonClicked, FormSubmitted

PLATFORM = "teams"
_TAG = re.compile(r"<[^>]+>")


def is_personal(activity: Activity) -> bool:
    conversation = activity.conversation
    return bool(
        conversation and (conversation.conversation_type or "personal") == "personal" and not conversation.is_group
    )


def user_timezone(activity: Activity) -> str | None:
    if activity.local_timezone:
        return activity.local_timezone
    for entity in activity.entities or []:
        props = getattr(entity, "additional_properties", None) or {}
        if getattr(entity, "type", None) == "clientInfo" and props.get("timezone"):
            return str(props["timezone"])
    return None


def actor(activity: Activity, *, email: str | None = None, name: str | None = None) -> Actor:
    """The sender as a core Actor, keyed by AAD object id (the Teams "29:" id when Teams gives none)."""
    sender = activity.from_property
    return Actor(
        platform=PLATFORM,
        user_id=(sender.aad_object_id or sender.id) if sender else "",
        email=email.lower() if email else None,
        display_name=name or (sender.name if sender else None),
        timezone=user_timezone(activity),
    )


def command_text(activity: Activity) -> str:
    """What the person typed, without the @mention of the bot (channels) or HTML markup."""
    text = activity.text if isinstance(activity.text, str) else ""
    for mention in _bot_mentions(activity):
        text = text.replace(mention, " ")
    text = html.unescape(_TAG.sub(" ", text))
    return " ".join(text.split())


def _bot_mentions(activity: Activity) -> list[str]:
    """The `<at>…</at>` texts that mention the bot itself. Tolerant where botbuilder's
    remove_recipient_mention is not: entities without `mentioned`, names with regex characters."""
    bot_id = activity.recipient.id if activity.recipient else None
    found: list[str] = []
    for entity in activity.entities or []:
        if str(getattr(entity, "type", None) or "").lower() != "mention":
            continue
        props = getattr(entity, "additional_properties", None) or {}
        mentioned = props.get("mentioned")
        if not bot_id or not isinstance(mentioned, Mapping) or mentioned.get("id") != bot_id:
            continue
        text, name = props.get("text"), mentioned.get("name")
        if isinstance(text, str) and text:
            found.append(text)
        elif isinstance(name, str) and name:
            found.append(f"<at>{name}</at>")
    return found


def card_event(actor_: Actor, action: Mapping[str, Any]) -> ButtonClicked | FormSubmitted | None:
    """An Action.Execute (`value.action` of an adaptiveCard/action invoke) as a core event."""
    verb = action.get("verb")
    data = action.get("data")
    if not isinstance(verb, str) or not verb or not isinstance(data, Mapping):
        return None
    if verb.startswith(FORM_VERB_PREFIX):
        context = data.get(CONTEXT_KEY)
        values = {str(k): "" if v is None else str(v) for k, v in data.items() if k != CONTEXT_KEY}
        form_id = verb[len(FORM_VERB_PREFIX) :]
        return FormSubmitted(actor=actor_, form_id=form_id, context=str(context or ""), values=values)
    value = data.get("value", "")
    return ButtonClicked(actor=actor_, action_id=verb, value="" if value is None else str(value))


# ---- the address the core stores for a person or channel ----


def address(activity: Activity) -> dict[str, Any]:
    """The serialized ConversationReference of this activity (what continue_conversation needs later)."""
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    data: dict[str, Any] = reference.serialize()
    tenant = _tenant(activity)
    if tenant:
        data.setdefault("conversation", {})["tenantId"] = tenant
    return data


def address_of_reference(ref: ConversationReference) -> dict[str, Any]:
    data: dict[str, Any] = ref.serialize()
    return data


def _tenant(activity: Activity) -> str | None:
    channel_data = activity.channel_data if isinstance(activity.channel_data, Mapping) else {}
    tenant = channel_data.get("tenant") if isinstance(channel_data.get("tenant"), Mapping) else {}
    return tenant.get("id") or (activity.conversation.tenant_id if activity.conversation else None)


def reference(address_: Mapping[str, Any] | None) -> ConversationReference | None:
    """A stored address back into a ConversationReference; None when it cannot reach anyone."""
    if not address_:
        return None
    ref = ConversationReference().deserialize(dict(address_))
    if not ref.service_url or not ref.conversation or not ref.conversation.id:
        return None
    return ref


def encode_conversation(ref: ConversationReference) -> str:
    """Delivery.conversation: "<conversation id> <serviceUrl>" (ids hold no spaces; kept short for the column)."""
    return f"{ref.conversation.id} {ref.service_url}"


def decode_conversation(conversation: str) -> ConversationReference:
    conversation_id, _, service_url = conversation.strip().rpartition(" ")
    if not conversation_id or not service_url.startswith(("https://", "http://")):
        raise ValueError(f"not a Teams conversation key: {conversation!r}")
    return ConversationReference(
        channel_id="msteams", service_url=service_url, conversation=ConversationAccount(id=conversation_id)
    )


def team_name(activity: Activity) -> str:
    """The name a channel is registered under: team name, else conversation name, else its id."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, Mapping) else {}
    team = channel_data.get("team") if isinstance(channel_data.get("team"), Mapping) else {}
    channel = channel_data.get("channel") if isinstance(channel_data.get("channel"), Mapping) else {}
    conversation = activity.conversation
    return str(
        team.get("name") or channel.get("name") or (conversation.name if conversation else None) or conversation.id
    )
