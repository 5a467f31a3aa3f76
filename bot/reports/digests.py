"""The recruitment × DEI sync digest: trends, goals, concerns, feedback, training and recognition in one post."""

from __future__ import annotations

from datetime import datetime

from bot.config import Digest
from bot.messages import Context, Divider, Header, Image, Message, Section
from bot.reports import goals, stats, trend
from bot.reports.format import covers, pct, points
from bot.reports.format import trend as change
from bot.reports.gate import Table
from bot.reports.windows import Window
from bot.settings import Settings
from bot.text import Text, bold, code, join, link, text, user
from storage import reports
from storage.db import Session

TITLES = {"joint": "Recruitment × DEI sync", "recruitment": "Recruitment sync", "dei": "DEI sync"}
QUOTES = 3  # feedback notes quoted in a digest
SHOUT_OUT = 0.9  # the response rate a team's shout-out needs


def _team(name: str) -> Text:
    return user(name) if name else text("no team")


def _teams(table: Table, period: str) -> tuple[Text, dict[str, float]]:
    """'Platform 84% · Sales — not enough responses yet' (all-practices rate) for every team the table knows,
    and the response rates of the teams shown."""
    parts, response = [], {}
    for team in table.teams:
        f = table.figures(period, team)
        parts.append(text(_team(team), f" {pct(f.all_practices_rate)}" if f else f" — {stats.NOT_ENOUGH}"))
        if f is not None and f.response_rate is not None:
            response[team] = f.response_rate
    return join(" · ", parts), response


def _shout_out(table: Table, period: str, now_rates: dict[str, float]) -> Text | None:
    if not now_rates:
        return None
    team, rate = max(sorted(now_rates.items()), key=lambda item: item[1])
    if rate < SHOUT_OUT:
        return None
    before = table.figures(f"previous {period}", team)
    running = ""
    if before is not None and (before.response_rate or 0) >= SHOUT_OUT:
        running = f", {pct(SHOUT_OUT)} or more two periods running"
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


async def _feedback(session: Session, w: Window, k: int) -> Text:
    """Anonymous notes and candidate answers, released only once the period holds at least k of them."""
    items = await reports.feedback_between(session=session, first=w.first, last=w.last)  # never today's, still coming
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
    *, session: Session, settings: Settings, digest: Digest, table: Table, now: datetime, chart: str | None = None
) -> Message:
    """The digest for `digest`'s period: whole days before the table's day, aggregates only, as the gate allows."""
    k, zone = settings.min_group_size, settings.zone
    w = table.windows[digest.period]
    title = f"{TITLES[digest.audience]} · {w.days()}"
    f, prev = table.figures(digest.period), table.figures(f"previous {digest.period}")
    blocks: list = [Header(text=title)]
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
    team_line, rates = _teams(table, digest.period)
    if team_line:
        blocks.append(Section(text=text("Teams: ", team_line)))
    goal_lines = await goals.lines(session=session, settings=settings, table=table, period=digest.period)
    if goal_lines:
        blocks.append(Section(text=text("Goals: ", join(" · ", goal_lines))))
    if dei:
        blocks.append(Section(text=await _concerns(session, now)))
        blocks.append(Section(text=await _feedback(session, w, k)))
    shout = _shout_out(table, digest.period, rates) if f is not None else None
    if shout:
        blocks.append(Section(text=shout))
    if chart is not None and f is not None:
        blocks.append(Image(url=chart, alt=trend.describe(trend.weekly(table, zone))))
    if settings.leadership_message:
        blocks += [Divider(), Context(text=settings.leadership_message)]
    blocks.append(
        Context(
            text=text("Aggregates only; groups under the privacy threshold are never shown. Ask me ", code("why"), ". ",
                      covers(w, settings))
        )
    )  # fmt: skip
    plain = title + (f": {f.checkins} check-ins, response {pct(f.response_rate)}" if f else f": {stats.NOT_ENOUGH}")
    return Message(text=plain, blocks=tuple(blocks))
