"""Admin commands: `goal set` and `digest preview|send`, refused politely for everyone else."""

from __future__ import annotations

from dataclasses import replace

from bot import concerns
from bot.delivery.service import Delivery
from bot.errors import PermissionDenied, UserInputError
from bot.events import Actor
from bot.replies import Reply, notice
from bot.reports import goals
from bot.settings import Settings
from bot.text import bold, code, text, user
from storage.db import Sessions, unit_of_work


async def handle(
    *, sub: str, args: list[str], actor: Actor, settings: Settings, sessions: Sessions, delivery: Delivery
) -> Reply:
    if not settings.is_admin(actor.user_id, actor.email):
        raise PermissionDenied(
            text(code(sub), " is for fairloop admins (listed in fairloop.toml). Anyone can use ", code("stats"),
                 " and ", code("goals"), ".")
        )  # fmt: skip
    action = args[0].lower() if args else ""
    if sub == "goal":
        if action != "set":
            raise UserInputError(
                text("Try ", code("goal set Platform response 90%"), " (or ", code("all"), " for everyone).")
            )
        async with unit_of_work(sessions) as session:
            goal = await goals.set_from_words(
                session=session, settings=settings, words=args[1:], set_by=concerns.who(actor)
            )
        return Reply(
            message=notice(
                "Goal set: ", goals.label(goal, settings), ". It shows in ", code("goals"), " and in the digests."
            )
        )
    name = args[1] if len(args) > 1 else None
    if action in ("", "preview"):
        _, message = await delivery.digest(name)
        return Reply(message=replace(message, private=True))  # only the admin sees it
    if action == "send":
        where = await delivery.send_digest(name)
        return Reply(
            message=notice("Sent the ", bold(where.name), " digest to ", user(where.channel), f" ({where.platform}).")
        )
    raise UserInputError(text("Try ", code("digest preview [name]"), " or ", code("digest send [name]"), "."))
