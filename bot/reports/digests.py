"""The recruitment × DEI sync digest: trends, goals, concerns, feedback, training and recognition in one post."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Digest
from bot.messages import Context, Divider, Header, Image, Message, Section
from bot.reports import goals, stats, trend
from bot.reports.format import pct, points
from bot.reports.format import trend as change
from bot.reports.periods import Window, start_of_day, whole_days
from bot.reports.privacy import publishable
from bot.settings import Settings
from bot.text import Text, bold, code, join, link, text, user
from storage import reports
from storage import stats as q
from storage.db import Session

TITLES = {"joint": "Recruitment × DEI sync", "recruitment": "Recruitment sync", "dei": "DEI sync"}
QUOTES = 3  # feedback notes quoted in a digest
SHOUT_OUT = 0.9  # the response rate a team's shout-out needs


def span_label(w: Window, zone: ZoneInfo) -> str:
    """'16–22 Nov' (or '28 Nov – 4 Dec') for the days the window covers, in the digest's timezone."""
    first, last = w.start.astimezone(zone).date(), (w.end - timedelta(microseconds=1)).astimezone(zone).date()
    if first.month == last.month:
        return f"{first.day}–{last.day} {last:%b}"
    return f"{first.day} {first:%b} – {last.day} {last:%b}"


def _team(name: str) -> Text:
    return user(name) if name else text("no team")


async def _teams(session: Session, w: Window, k: int) -> tuple[Text, dict[str, float]]:
    """'Platform 84% · Sales — not enough responses yet' (all-practices rate) and response rates of shown teams."""
    counts = await q.checkin_counts(session=session, start=w.start, end=w.end, by="team")
    shown = publishable({t: n for t, (n, _) in counts.items()}, k)
    parts = [
        text(_team(t), f" {pct(ok / n)}") if t in shown else text(_team(t), f" — {stats.NOT_ENOUGH}")
        for t, (n, ok) in sorted(counts.items())
    ]
    prompts = await q.prompt_counts(session=session, start=w.start, end=w.end, by="team")
    response = {}
    for team in shown:
        states = prompts.get(team, {})
        delivered = sum(states.get(s, 0) for s in stats.DELIVERED)
        if delivered:
            response[team] = states.get("answered", 0) / delivered
    return join(" · ", parts), response


async def _shout_out(session: Session, w: Window, k: int, now_rates: dict[str, float]) -> Text | None:
    if not now_rates:
        return None
    team, rate = max(sorted(now_rates.items()), key=lambda item: item[1])
    if rate < SHOUT_OUT:
        return None
    _, before = await _teams(session, w.previous(), k)
    running = f", {pct(SHOUT_OUT)} or more two periods running" if before.get(team, 0) >= SHOUT_OUT else ""
    return text("Shout-out: ", _team(team), f" team, {pct(rate)} response{running}. Thank you!")


async def _concerns(session: Session, now: datetime) -> Text:
    waiting = await reports.open_concerns(session=session)
    if not waiting:
        return text("Open concerns: none.")
    oldest = waiting[0]
    created = oldest.created_at if oldest.created_at.tzinfo else oldest.created_at.replace(tzinfo=now.tzinfo)
    days = max(0, (now - created).days)
    owner = text("owner ", user(oldest.owner)) if oldest.owner else text("not yet acknowledged")
    return text(f"Open concerns: {len(waiting)} (oldest {days} day{'s' if days != 1 else ''}, ", owner, ").")


async def _feedback(session: Session, w: Window, zone: ZoneInfo, k: int) -> Text:
    """Anonymous notes and candidate answers, released only once the period holds at least k of them."""
    first, last = w.start.astimezone(zone).date(), (w.end - timedelta(microseconds=1)).astimezone(zone).date()
    items = await reports.feedback_between(session=session, first=first, last=last)  # never today's, still coming
    if not items:
        return text("Feedback: none this period.")
    if len(items) < k:
        return text(f"Feedback: {len(items)} so far; shared once there are {k}, so no one can be singled out.")
    notes = [f.text.strip() for f in items if f.text.strip()]
    quoted = join(", ", [text("“", user(n[:140]), "…”" if len(n) > 140 else "”") for n in notes[:QUOTES]])
    ratings = [f.rating for f in items if f.rating is not None]
    rated = f" Candidates rated respect and inclusion {sum(ratings) / len(ratings):.1f}/5." if len(ratings) >= k else ""
    return text(f"Feedback ({len(items)} anonymous notes): ", quoted or "ratings only", f".{rated}")


def _within(change_: str) -> str:
    """A change inside parentheses that are already open: '(response 91%, ▲4 pts)'."""
    return f", {change_}" if change_ else ""


async def build(
    *, session: Session, settings: Settings, digest: Digest, now: datetime, chart: str | None = None
) -> Message:
    """The digest message for `digest`'s period up to `now` (aggregates only, the threshold applied)."""
    zone, k = ZoneInfo(digest.timezone), settings.min_group_size
    cut = start_of_day(now, zone)  # whole days, up to today 00:00
    w = whole_days(digest.period, today=cut, zone=zone)
    title = f"{TITLES[digest.audience]} · {span_label(w, zone)}"
    overall = await stats.compute(session=session, settings=settings, now=cut, period=digest.period, fixed=w)
    blocks: list = [Header(text=title)]
    f, prev = overall.figures, overall.previous
    if f is None:
        blocks.append(Section(text=f"Check-ins: {stats.NOT_ENOUGH} (figures appear once there are {k})."))
    else:
        response = _within(points(f.response_rate, prev.response_rate if prev else None))
        adherence = change(f.all_practices_rate, prev.all_practices_rate if prev else None)
        blocks.append(
            Section(
                text=text(
                    bold(f"Check-ins {f.checkins}"),
                    f" (response {pct(f.response_rate)}{response}) · all practices followed "
                    f"{pct(f.all_practices_rate)}{adherence}",
                )
            )
        )
    recruiting, dei = digest.audience in ("joint", "recruitment"), digest.audience in ("joint", "dei")
    if f is not None and recruiting:
        rated = [(rate, p) for p in settings.practices if (rate := f.practices.get(p.key)) is not None]
        if rated:
            rate, practice = min(rated, key=lambda t: t[0])
            if rate < 0.9:
                weakest = f"Weakest practice: {practice.short or practice.label} {pct(rate)} → training: "
                blocks.append(Section(text=text(weakest, link(settings.training_url))))
    team_line, rates = await _teams(session, w, k)
    if team_line:
        blocks.append(Section(text=text("Teams: ", team_line)))
    goal_lines = await goals.lines(session=session, settings=settings, now=cut, period=digest.period, fixed=w)
    if goal_lines:
        blocks.append(Section(text=text("Goals: ", join(" · ", goal_lines))))
    if dei:
        blocks.append(Section(text=await _concerns(session, now)))
        blocks.append(Section(text=await _feedback(session, w, zone, k)))
    shout = await _shout_out(session, w, k, rates) if f is not None else None
    if shout:
        blocks.append(Section(text=shout))
    if chart is not None and f is not None:
        points_ = await trend.weekly(session=session, end=cut, k=k)
        blocks.append(Image(url=chart, alt=trend.describe(points_)))
    if settings.leadership_message:
        blocks += [Divider(), Context(text=settings.leadership_message)]
    blocks.append(
        Context(
            text=text("Aggregates only; groups under the privacy threshold are never shown. Ask me ", code("why"), ".")
        )
    )
    plain = title + (f": {f.checkins} check-ins, response {pct(f.response_rate)}" if f else f": {stats.NOT_ENOUGH}")
    return Message(text=plain, blocks=tuple(blocks))
