"""Admin commands: `goal set` and `digest preview|send`, refused politely for everyone else."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from bot import concerns, goals
from bot.errors import PermissionDenied, UserInputError
from bot.events import Actor
from bot.replies import Reply, notice
from storage.db import unit_of_work

if TYPE_CHECKING:
    from bot.service import Core


async def handle(*, core: Core, sub: str, args: list[str], actor: Actor) -> Reply:
    if not core.settings.is_admin(actor.user_id, actor.email):
        raise PermissionDenied(
            f"`{sub}` is for fairloop admins (listed in fairloop.toml). Anyone can use `stats` and `goals`."
        )
    action = args[0].lower() if args else ""
    if sub == "goal":
        if action != "set":
            raise UserInputError("Try `goal set Platform response 90%` (or `all` for everyone).")
        async with unit_of_work(core.sessions) as session:
            goal = await goals.set_from_words(
                session=session, settings=core.settings, words=args[1:], set_by=concerns.who(actor)
            )
        return Reply(
            message=notice(f"Goal set: {goals.label(goal, core.settings)}. It shows in `goals` and in the digests.")
        )
    name = args[1] if len(args) > 1 else None
    if action in ("", "preview"):
        return Reply(message=replace((await core.digest(name)).message, private=True))  # only the admin sees it
    if action == "send":
        where = await core.send_digest(name)
        return Reply(message=notice(f"Sent the *{where.name}* digest to {where.channel} ({where.platform})."))
    raise UserInputError("Try `digest preview [name]` or `digest send [name]`.")
