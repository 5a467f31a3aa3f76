"""Text commands, the same on every platform: which subcommand does what."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import admin, anonymous, checkins, commands, goals, stats
from bot.events import CommandIssued
from bot.replies import Reply, notice
from storage.db import unit_of_work

if TYPE_CHECKING:
    from bot.service import Core


async def answer(*, core: Core, event: CommandIssued) -> Reply:
    """The private answer to `help`, `why`, `stats`, `me`, `feedback`, `goals` and the admin commands."""
    words = event.text.strip().split()
    sub = words[0].lower().lstrip("/") if words else "help"
    if sub == "help":
        return Reply(message=commands.help_message())
    if sub == "why":
        return Reply(message=commands.why_message(core.settings))
    if sub == "stats":
        return Reply(message=stats.as_message(await core.stats(**vars(commands.parse_stats(words[1:]))), core.settings))
    if sub == "me":
        async with unit_of_work(core.sessions) as session:
            person = await checkins.resolve_person(session=session, actor=event.actor)
            if person is None:
                return Reply(message=notice("I don't have a record for you yet — it starts with your first check-in."))
            return Reply(
                message=await commands.me_message(
                    session=session, person=person, settings=core.settings, now=core.clock()
                )
            )
    if sub == "feedback":
        return Reply(form=anonymous.form())
    if sub == "goals":
        async with unit_of_work(core.sessions) as session:
            return Reply(message=await goals.goals_message(session=session, settings=core.settings, now=core.clock()))
    if sub in ("goal", "digest"):
        return await admin.handle(core=core, sub=sub, args=words[1:], actor=event.actor)
    return Reply(message=commands.help_message(unknown=sub))
