"""PlaygroundOutbox: 'delivers' messages into the database, where the playground page reads them."""

from __future__ import annotations

from adapters.playground import render
from bot.messages import Message
from bot.ports import Delivery, Recipient
from storage.db import Sessions, unit_of_work
from storage.models import PlaygroundPost, utcnow


def _body(message: Message) -> dict[str, str]:
    return {"html": render.message(message), "text": message.text}


class PlaygroundOutbox:
    platform = "playground"

    def __init__(self, *, sessions: Sessions) -> None:
        self._sessions = sessions

    async def _post(self, conversation: str, message: Message) -> Delivery:
        async with unit_of_work(self._sessions) as session:
            post = PlaygroundPost(conversation=conversation, body=_body(message))
            session.add(post)
            await session.flush()
            return Delivery(conversation=conversation, message_id=str(post.id), user_id=conversation)

    async def send_direct(self, *, recipient: Recipient, message: Message) -> Delivery:
        return await self._post(recipient.email, message)

    async def post_channel(self, *, channel: str, message: Message) -> Delivery:
        return await self._post("#" + channel.lstrip("#"), message)

    async def update(self, *, conversation: str, message_id: str, message: Message) -> None:
        async with unit_of_work(self._sessions) as session:
            post = await session.get(PlaygroundPost, int(message_id))
            if post is not None and post.conversation == conversation:
                post.body = _body(message)
                post.updated_at = utcnow()
                session.add(post)
