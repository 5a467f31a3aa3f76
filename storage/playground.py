"""The playground's messages: what its outbox delivered (a DM to an email, or a post in a '#channel')."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Person, PlaygroundPost, utcnow


async def add_post(*, session: AsyncSession, conversation: str, body: dict[str, Any]) -> int:
    post = PlaygroundPost(conversation=conversation, body=body)
    session.add(post)
    await session.flush()
    return post.id or 0


async def update_post(*, session: AsyncSession, post_id: int, body: dict[str, Any], visible_to: str) -> bool:
    """Replace a post's body when `visible_to` (an email) can see it: their own DM, or any channel post."""
    post = await session.get(PlaygroundPost, post_id)
    if post is None or not (post.conversation == visible_to or post.conversation.startswith("#")):
        return False
    post.body, post.updated_at = body, utcnow()
    session.add(post)
    return True


async def feed(*, session: AsyncSession, email: str, limit: int = 100) -> list[PlaygroundPost]:
    """The person's DMs and every channel post, oldest first (the latest `limit`)."""
    rows = await session.exec(
        select(PlaygroundPost)
        .where(or_(PlaygroundPost.conversation == email, col(PlaygroundPost.conversation).startswith("#")))
        .order_by(col(PlaygroundPost.id).desc())
        .limit(limit)
    )
    return list(rows)[::-1]


async def people(*, session: AsyncSession, limit: int = 200) -> list[str]:
    return list(await session.exec(select(Person.email).order_by(Person.email).limit(limit)))
