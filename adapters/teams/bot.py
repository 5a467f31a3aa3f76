"""The Teams ActivityHandler: translate each activity, ask the core, render its Reply as a card."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount
from msrest.exceptions import ClientException, DeserializationError

from adapters.teams import render, translate
from adapters.teams.outbox import message_activity
from bot.errors import FairloopError
from bot.events import Actor, ButtonClicked, CommandIssued, FormSubmitted
from bot.feedback.anonymous import FORM_ID as ANONYMOUS_FORM
from bot.interactions.commands import anonymous
from bot.interactions.service import Interactions
from bot.messages import Context, Message, Section, paragraph
from bot.people import Directory
from bot.replies import Reply
from bot.text import bold, code, text, user
from storage.db import unavailable

logger = logging.getLogger(__name__)

CARD_ACTION = "adaptiveCard/action"
ALREADY = paragraph("Already received — thank you.", private=True)
PRIVATE_IN_CHANNEL = paragraph(
    "I answer that in our 1:1 chat, so it stays private to you: open fairloop in Teams and ask me there."
)


class TeamsBot(ActivityHandler):
    """Thin: every decision is the core's; this class only moves data between Teams and the core."""

    def __init__(self, *, interactions: Interactions, directory: Directory, authenticated: bool) -> None:
        self._interactions = interactions
        self._directory = directory
        self._authenticated = authenticated

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.type in (ActivityTypes.message, ActivityTypes.invoke) and activity.id:
            conversation = activity.conversation.id if activity.conversation else ""
            if not await self._directory.first_delivery(f"teams:{conversation}:{activity.id}"):
                await _seen_before(turn_context)  # the same activity again (a retry or a replay): nothing is done
                return
        try:
            await super().on_turn(turn_context)
        except (ClientException, DeserializationError) as exc:  # the Bot Connector did not take a reply (an apology
            # would not reach it either); the activity itself was handled, so sending it again would repeat it
            kind = turn_context.activity.type
            logger.warning(
                "teams: a reply to a %s activity did not reach the Bot Connector (%s)", kind, type(exc).__name__
            )
        except Exception as exc:
            if unavailable(exc):
                raise  # /api/messages answers 503 with Retry-After: no apology, the activity comes again
            logger.exception("teams %s activity failed", turn_context.activity.type)
            if turn_context.activity.type == ActivityTypes.invoke:
                body = render.error_response(500, "InternalError", "fairloop could not handle that; please try again")
                await _invoke_reply(turn_context, InvokeResponse(status=500, body=body))
            elif turn_context.activity.type == ActivityTypes.message:
                await turn_context.send_activity(
                    "Sorry, something went wrong on my side. Please try again in a minute."
                )

    # ---- who is speaking; keep their conversation reference fresh ----
    async def _actor(self, context: TurnContext) -> Actor:
        activity = context.activity
        email = name = None
        sender = activity.from_property
        if self._authenticated and sender and sender.id and translate.is_personal(activity):
            try:
                member = await TeamsInfo.get_member(context, sender.id)
                email = member.email or member.user_principal_name
                name = member.name
            except Exception as exc:  # noqa: BLE001 - the look-up is a nicety; the turn goes on without it
                logger.warning("teams member look-up failed: %s", exc)
        actor = translate.actor(activity, email=email, name=name)
        if translate.is_personal(activity) and actor.user_id:
            await self._directory.remember_person(actor, translate.address(activity))
        return actor

    # ---- installs ----
    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._installed(turn_context)

    async def on_members_added_activity(self, members_added: list[ChannelAccount], turn_context: TurnContext) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(m.id == bot_id for m in members_added or []):
            await self._installed(turn_context)

    async def _installed(self, context: TurnContext) -> None:
        activity = context.activity
        if translate.is_personal(activity):
            actor = await self._actor(context)
            if await self._directory.first_time(f"teams:welcome:{actor.user_id}", forever=True):
                reply = await self._interactions.on_command(CommandIssued(actor=actor, text="help"))
                if reply.message:
                    await context.send_activity(message_activity(reply.message))
        elif activity.conversation and activity.conversation.conversation_type == "channel":
            name = translate.team_name(activity)
            await self._directory.remember_channel(
                platform=translate.PLATFORM, name=name, address=translate.address(activity)
            )
            logger.info("teams: registered channel %r", name)
            if await self._directory.first_time(f"teams:channel:{activity.conversation.id}", forever=True):
                # tells whoever added the bot the exact name digests and alerts must use
                await context.send_activity(message_activity(_channel_hello(name)))

    # ---- text commands ----
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        asked = translate.command_text(activity)
        # `feedback` leaves no trace: no member look-up, and the asker's address is not kept
        actor = translate.actor(activity) if anonymous(asked) else await self._actor(turn_context)
        try:
            reply = await self._interactions.on_command(CommandIssued(actor=actor, text=asked))
        except FairloopError as exc:
            reply = Reply(notice=paragraph(exc.text))
        private = any(m.private for m in (reply.message, reply.notice) if m) or reply.form is not None
        if private and not translate.is_personal(activity):
            await turn_context.send_activity(message_activity(PRIVATE_IN_CHANNEL))
            return
        if reply.form is not None:
            await turn_context.send_activity(
                Activity(type="message", attachments=[render.attachment(render.render_form(reply.form))])
            )
        for message in (reply.message, reply.notice):
            if message is not None:
                await turn_context.send_activity(message_activity(message))

    # ---- Action.Execute ----
    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        activity = turn_context.activity
        if activity.name != CARD_ACTION:
            return InvokeResponse(
                status=400, body=render.error_response(400, "NotSupported", f"invoke {activity.name!r}")
            )
        value = activity.value if isinstance(activity.value, Mapping) else {}
        action = value.get("action")
        if not isinstance(action, Mapping) or action.get("type") != "Action.Execute":
            return InvokeResponse(
                status=400, body=render.error_response(400, "BadRequest", "expected an Action.Execute")
            )
        unknown = action.get("verb") == render.FORM_VERB_PREFIX + ANONYMOUS_FORM  # its sender stays unknown
        actor = translate.actor(activity) if unknown else await self._actor(turn_context)
        shared: list[Message] = []
        body = await self._card_action(actor, action, shared=shared)
        if shared and activity.reply_to_id and not translate.is_personal(activity):
            await _replace_for_all(turn_context, activity.reply_to_id, shared[0])
        return InvokeResponse(status=int(body.get("statusCode", 200)), body=body)

    async def _card_action(
        self, actor: Actor, action: Mapping[str, Any], *, shared: list[Message] | None = None
    ) -> dict[str, Any]:
        """One Action.Execute -> the invoke body: the card that replaces the clicked one. A button's
        non-private answer is also appended to `shared`, for everyone else in a channel to see."""
        event = translate.card_event(actor, action)
        if event is None:
            return render.error_response(400, "BadRequest", "the card action carries no verb or data")
        try:
            if isinstance(event, ButtonClicked):
                reply = await self._interactions.on_button(event)
            else:
                reply = await self._interactions.on_form(event)
        except FairloopError as exc:
            reply = Reply(notice=paragraph(exc.text))
        if isinstance(event, FormSubmitted) and reply.errors:
            form = reply.form or (await self._interactions.on_button(_reopen(event))).form
            if form is None:
                return render.error_response(400, "BadRequest", "; ".join(reply.errors.values()))
            return render.card_response(render.render_form(form, errors=reply.errors, values=event.values))
        if reply.form is not None:
            return render.card_response(render.render_form(reply.form))
        if shared is not None and isinstance(event, ButtonClicked) and reply.message and not reply.message.private:
            shared.append(reply.message)
        message = reply.message or reply.notice or Message(text="Done.")
        if reply.message is not None and reply.notice is not None:
            # a form answered: the updated prompt comes back with the private thank-you under it
            message = Message(
                text=message.text, blocks=(*message.blocks, Context(text=reply.notice.text)), private=message.private
            )
        return render.card_response(render.render_message(message))


def _channel_hello(name: str) -> Message:
    body = text(
        "Hello! fairloop will post the recruiting and DEI digests and concern alerts here. "
        "This channel is registered as ",
        bold(user(name)),
        ": use ",
        code('channel = "', user(name), '"'),
        " with ",
        code('platform = "teams"'),
        " in fairloop.toml.",
    )
    return Message(text=body.unstyled(), blocks=(Section(text=body),))


def _reopen(event: FormSubmitted) -> ButtonClicked:
    """The button that opened this form (form ids are the action ids that open them; context is its value)."""
    return ButtonClicked(actor=event.actor, action_id=event.form_id, value=event.context)


async def _replace_for_all(context: TurnContext, message_id: str, message: Message) -> None:
    """An invoke response only replaces the clicker's copy of the card; in a channel (a concern alert
    acknowledged by one of the DEI team) the posted message itself is updated so everyone sees it."""
    try:
        await context.update_activity(message_activity(message, activity_id=message_id))
    except Exception:  # noqa: BLE001 - the action is recorded and the clicker sees the new card
        logger.warning("teams: could not update message %s for the whole channel", message_id, exc_info=True)


async def _seen_before(context: TurnContext) -> None:
    if context.activity.type == ActivityTypes.invoke:  # an invoke must be answered, or Teams shows an error
        body = render.card_response(render.render_message(ALREADY))
        await _invoke_reply(context, InvokeResponse(status=200, body=body))


async def _invoke_reply(context: TurnContext, response: InvokeResponse) -> None:
    await context.send_activity(Activity(type=ActivityTypes.invoke_response, value=response))
