"""PlaygroundOutbox: 'delivers' messages into the database, where the playground page reads them."""

from __future__ import annotations

from adapters.playground import render
from bot.delivery.lease import before_sending
from bot.messages import Message
from bot.ports import Delivery, Recipient
from storage import playground as posts
from storage.db import Sessions, unit_of_work

CHANNEL = "recruiting-dei-sync"  # where a local trial's digests and concern alerts appear


def body(message: Message) -> dict[str, str]:
    return {"html": render.message(message), "text": str(message.text)}


class PlaygroundOutbox:
    platform = "playground"
    default_channel = CHANNEL

    def __init__(self, *, sessions: Sessions) -> None:
        self._sessions = sessions

    def shows_image(self, url: str) -> bool:
        return True  # the page is on this machine: it can show an image from any address

    async def _post(self, conversation: str, message: Message) -> Delivery:
        await before_sending()
        async with unit_of_work(self._sessions) as session:
            post_id = await posts.add_post(session=session, conversation=conversation, body=body(message))
        return Delivery(conversation=conversation, message_id=str(post_id), user_id=conversation)

    async def send_direct(self, *, recipient: Recipient, message: Message) -> Delivery:
        return await self._post(recipient.email, message)

    async def post_channel(self, *, channel: str, message: Message) -> Delivery:
        return await self._post("#" + channel.lstrip("#"), message)

    async def update(self, *, conversation: str, message_id: str, message: Message) -> None:
        if not message_id.isdigit():
            return
        async with unit_of_work(self._sessions) as session:
            await posts.update_post(
                session=session, post_id=int(message_id), body=body(message), visible_to=conversation
            )

    async def replace(self, *, post_id: int, message: Message, seen_by: str) -> None:
        """A click's reply in place of the clicked post, when `seen_by` can see it (their DM, or a channel)."""
        async with unit_of_work(self._sessions) as session:
            await posts.update_post(session=session, post_id=post_id, body=body(message), visible_to=seen_by)

    async def feed(self, email: str) -> dict[str, object]:
        async with unit_of_work(self._sessions) as session:
            rows = await posts.feed(session=session, email=email)
            people = await posts.people(session=session)
        shown = [
            {
                "id": p.id,
                "conversation": p.conversation,
                "html": p.body.get("html", ""),
                "updated": p.updated_at.isoformat(),
            }
            for p in rows
        ]
        return {"as": email, "posts": shown, "people": people}
