"""A person's home view: pending check-ins with their buttons, their own record, the team's headline."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot import cards, checkins, stats
from bot.events import Actor
from bot.messages import Context, Divider, Header, Message, Section
from bot.settings import Settings
from storage.interviews import pending_prompts_of


async def home_message(*, session: AsyncSession, actor: Actor, settings: Settings, now: datetime) -> Message:
    blocks: list = [Header(text="fairloop")]
    person = await checkins.resolve_person(session=session, actor=actor)
    pending = await pending_prompts_of(session=session, person_id=person.id or 0) if person else []
    if pending:
        blocks.append(Section(text=f"*Waiting for you ({len(pending)})*"))
        for prompt, interview in pending:
            loaded = checkins.Loaded(prompt=prompt, interview=interview, person=person)  # type: ignore[arg-type]
            title = checkins.title_of(loaded, settings, now)
            card = cards.prompt_message(prompt_id=prompt.id or 0, title=title, settings=settings)
            blocks += [Section(text=title), *[b for b in card.blocks if type(b).__name__ == "Actions"]]
        blocks.append(Divider())
    else:
        blocks.append(Section(text="Nothing waiting for you — thank you for keeping up."))
    if person is not None:
        mine = await stats.q.person_counts(
            session=session,
            person_id=person.id or 0,
            start=stats.window("90d", now=now, zone=settings.zone).start,
            end=now,
        )
        asked = sum(mine["states"].get(s, 0) for s in stats.DELIVERED)
        blocks.append(
            Section(
                text=f"*Your last 90 days:* {mine['states'].get('answered', 0)} of {asked} check-ins answered "
                f"· all practices {stats.pct(stats._rate(mine['all_followed'], mine['checkins']))}"
            )
        )
    team = await stats.compute(session=session, settings=settings, now=now, period="30d")
    if team.figures is None:
        blocks.append(Section(text=f"*Everyone, last 30 days:* {stats.NOT_ENOUGH}"))
    else:
        f = team.figures
        blocks.append(
            Section(
                text=f"*Everyone, last 30 days:* response {stats.pct(f.response_rate)} · "
                f"all practices {stats.pct(f.all_practices_rate)} · {f.checkins} check-ins"
            )
        )
    blocks.append(Context(text="Commands: help · stats · me · why. Only aggregates are ever reported."))
    return Message(text="fairloop home", blocks=tuple(blocks))
