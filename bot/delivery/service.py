"""Delivery: everything fairloop sends on its own — prompts, reminders, digests, concern alerts and redraws."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot import concerns
from bot.clock import Clock
from bot.config import Alerts, Digest
from bot.delivery import prompts, reminders, runs
from bot.errors import NotFound, UserInputError
from bot.ids import parse_id
from bot.messages import Message
from bot.ports import Delivery as DeliveredTo
from bot.ports import Outbox, Outboxes
from bot.reports.service import Reports
from bot.settings import Settings
from storage.db import Sessions, unit_of_work
from storage.interviews import get_prompt, next_due_at

logger = logging.getLogger(__name__)


class Delivery:
    """The one way out for what fairloop sends on its own. Prompts, reminders and scheduled digests are each
    claimed in the database with a lease renewed while the send runs, retried after an outage, and written back
    with their claim token (lease.py), so replicas send each once and a crash loses none."""

    def __init__(
        self,
        *,
        sessions: Sessions,
        settings: Settings,
        clock: Clock,
        outboxes: Outboxes,
        reports: Reports,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        self._outboxes = outboxes
        self._reports = reports

    # ---- check-in prompts ----
    async def dispatch_due(self, limit: int = 200) -> int:
        return await prompts.dispatch_due(
            sessions=self._sessions, settings=self._settings, outboxes=self._outboxes, now=self._clock, limit=limit
        )

    async def next_due(self) -> datetime | None:
        """When the next prompt not yet due falls due (so dispatch can start on the dot, not at the next tick)."""
        now = self._clock()
        async with unit_of_work(self._sessions) as session:
            upcoming = await next_due_at(session=session, after=now)
        if upcoming is not None and upcoming.tzinfo is None:  # SQLite hands UTC back without its zone
            upcoming = upcoming.replace(tzinfo=UTC)
        return upcoming

    async def send_reminders(self) -> int:
        return await reminders.send_reminders(
            sessions=self._sessions, settings=self._settings, outboxes=self._outboxes, now=self._clock
        )

    async def expire_old(self) -> int:
        return await prompts.expire_old(sessions=self._sessions, settings=self._settings, now=self._clock())

    async def redraw(self, *, prompt_value: str, message: Message) -> None:
        """Put `message` in place of the delivered prompt (after a form, or a click elsewhere than the DM)."""
        prompt_id = parse_id(prompt_value)
        if prompt_id is None:
            return
        async with unit_of_work(self._sessions) as session:
            prompt = await get_prompt(session=session, prompt_id=prompt_id)
        outbox = self._outboxes.get(prompt.platform or "") if prompt else None
        if prompt is None or outbox is None or not (prompt.conversation and prompt.message_id):
            return
        try:
            await outbox.update(conversation=prompt.conversation, message_id=prompt.message_id, message=message)
        except Exception:  # noqa: BLE001 - the answer is recorded; a stale card is not worth an error
            logger.warning("could not update prompt %s in place", prompt.id, exc_info=True)

    # ---- digests ----
    def _home(self) -> Outbox | None:
        """The outbox with a channel of its own, for digests and alerts when fairloop.toml names none."""
        return next((o for o in self._outboxes.values() if o.default_channel), None)

    def digest_spec(self, name: str | None) -> Digest:
        """A declared digest (the first when no name is given), else a joint 7-day one for the default channel."""
        spec = self._settings.digest(name)
        if spec is not None:
            return spec
        if name is not None:
            known = ", ".join(d.name for d in self._settings.digests) or "none configured"
            raise NotFound(f"I don't know a digest called {name!r} ({known}).")
        home = self._home()
        platform, channel = (home.platform, home.default_channel or "") if home else ("playground", "")
        return Digest.model_construct(
            name="sync", platform=platform, channel=channel, cron="0 9 * * mon", timezone=self._settings.timezone,
            period="7d", audience="joint",
        )  # fmt: skip

    async def digest(self, name: str | None) -> tuple[Digest, Message]:
        """The digest as it would post now, with its chart when its channel can show one."""
        spec = self.digest_spec(name)
        outbox = self._outboxes.get(spec.platform)
        chart = outbox is not None and outbox.shows_image(self._settings.base_url)
        return spec, await self._reports.digest(spec, with_chart=chart)

    async def send_digest(self, name: str | None) -> Digest:
        """Post a digest to its channel now."""
        spec, _ = await self._post_digest(name)
        return spec

    async def _post_digest(self, name: str | None) -> tuple[Digest, DeliveredTo]:
        spec, message = await self.digest(name)
        outbox = self._outboxes.get(spec.platform)
        if not spec.channel:
            raise UserInputError("No digest is declared yet: add [[digests]] to fairloop.toml.")
        if outbox is None:
            raise UserInputError(f"The digest {spec.name!r} posts to {spec.platform}, which isn't connected here.")
        delivered = await outbox.post_channel(channel=spec.channel, message=message)
        logger.info("digest %s sent to %s %s", spec.name, spec.platform, spec.channel)
        return spec, delivered

    async def send_scheduled_digest(self, name: str, *, due: datetime) -> bool:
        """Post the digest for its scheduled time `due` at least once and never twice, whichever replicas run it,
        however they crash, and when the hour repeats as clocks go back (bot/delivery/runs.py). A failed post
        raises, and is tried again at the next run."""
        spec = self._settings.digest(name)
        if spec is None:
            return False
        key = f"{spec.name}:{due.astimezone(ZoneInfo(spec.timezone)).replace(tzinfo=None).isoformat()}"

        async def post() -> DeliveredTo:
            return (await self._post_digest(name))[1]

        return await runs.post_once(
            sessions=self._sessions, key=key, post=post, lease=self._settings.delivery_lease, now=self._clock
        )

    # ---- concern alerts ----
    async def post_alert(self, alert: Message) -> None:
        """Attributed concerns reach the DEI channel at once; without one they wait for the next digest."""
        target = concerns.channel_for(self._settings)
        home = self._home()
        if target is None and home is not None and home.default_channel:
            target = Alerts(platform=home.platform, channel=home.default_channel)
        outbox = self._outboxes.get(target.platform) if target else None
        if target is None or outbox is None:
            logger.info("concern stored; no alert channel is connected, so it waits for the next digest")
            return
        try:
            await outbox.post_channel(channel=target.channel, message=alert)
        except Exception:  # noqa: BLE001 - the concern is stored and stays in digests until resolved
            logger.warning("could not post the concern alert to %s %s", target.platform, target.channel, exc_info=True)
