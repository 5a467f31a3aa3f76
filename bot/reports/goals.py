"""Goals: targets for response and adherence, from fairloop.toml and `goal set`, checked against stats."""

from __future__ import annotations

from bot.config import METRICS, Goal, parse_target
from bot.errors import UserInputError
from bot.messages import Context, Header, Message, Section
from bot.reports import stats, windows
from bot.reports.format import covers, pct
from bot.reports.gate import Table
from bot.settings import Settings
from bot.text import Text, code, join, text, user
from storage import reports
from storage import stats as q
from storage.db import Session

EVERYONE = ("all", "everyone", "*", "-")


async def effective(*, session: Session, settings: Settings) -> list[Goal]:
    """fairloop.toml's goals, each replaced by one set in chat for the same team and metric."""
    chosen = {(g.team, g.metric): g for g in settings.goals}
    for row in await reports.list_goals(session=session):
        chosen[(row.team, row.metric)] = Goal(team=row.team, metric=row.metric, target=row.target)
    order = ["response", "all_practices", *(p.key for p in settings.practices)]
    return sorted(chosen.values(), key=lambda g: (g.team, order.index(g.metric) if g.metric in order else 99, g.metric))


def metric_label(metric: str, settings: Settings) -> str:
    if metric == "response":
        return "response"
    if metric == "all_practices":
        return "all practices"
    p = settings.practice(metric)
    return (p.short or p.label) if p else metric


def value_of(metric: str, figures: stats.Figures) -> float | None:
    if metric == "response":
        return figures.response_rate
    if metric == "all_practices":
        return figures.all_practices_rate
    return figures.practices.get(metric)


def label(goal: Goal, settings: Settings) -> Text:
    """'Platform: all practices ≥ 95%', or 'response ≥ 90%' for everyone."""
    who = text(user(goal.team), ": ") if goal.team else text()
    return text(who, f"{metric_label(goal.metric, settings)} ≥ {pct(goal.target)}")


def describe(goal: Goal, figures: stats.Figures | None, settings: Settings) -> Text:
    """'response ≥ 90% ✓' when met, 'all practices ≥ 80% (78%)' when not, a note when figures are hidden."""
    head = label(goal, settings)
    value = value_of(goal.metric, figures) if figures else None
    if figures is None:
        return text(head, f" ({stats.NOT_ENOUGH})")
    if value is None:
        return text(head, " (no answers yet)")
    return text(head, " ✓") if value >= goal.target else text(head, f" ({pct(value)})")


async def lines(*, session: Session, settings: Settings, table: Table, period: str) -> list[Text]:
    """Each goal against its team's figures over the period, as the gate publishes them."""
    out = []
    for goal in await effective(session=session, settings=settings):
        team = next((t for t in table.teams if t.lower() == goal.team.lower()), goal.team) if goal.team else None
        out.append(describe(goal, table.figures(period, team), settings))
    return out


async def goals_message(*, session: Session, settings: Settings, table: Table) -> Message:
    found = await lines(session=session, settings=settings, table=table, period="30d")
    body = (
        Section(bullets=tuple(found))
        if found
        else Section(text=text("No goals yet. An admin can add one: ", code("goal set all response 90%"), "."))
    )
    w = table.windows["30d"]
    return Message(
        text=text("Goals: ", join("; ", found) if found else "none yet"),
        blocks=(
            Header(text=f"Goals · {windows.label(w)}"),
            body,
            Context(
                text=f"Team goals, never individual ones. Figures follow the privacy threshold. {covers(w, settings)}"
            ),
        ),
        private=True,
    )


async def set_from_words(*, session: Session, settings: Settings, words: list[str], set_by: str) -> Goal:
    """`goal set <team|all> <metric> <target>`; team names may contain spaces."""
    if len(words) < 3:
        raise UserInputError(
            text("Try ", code("goal set Platform response 90%"), " (or ", code("all"), " for everyone).")
        )
    *team_words, metric, target_text = words
    team = " ".join(team_words).strip().strip('"')
    if team.lower() in EVERYONE:
        team = ""
    else:
        known = await q.distinct_values(session=session, column="team")
        match = next((t for t in known if t.lower() == team.lower()), None)
        if match is None:
            listed = text(" Known: ", join(", ", [user(k) for k in known[:12]]), ".") if known else text()
            raise UserInputError(text("I don't know a team called ", user(repr(team)), ".", listed))
        team = match
    chosen = METRICS.get(metric.lower(), metric.lower())
    allowed = {"response", "all_practices", *(p.key for p in settings.practices)}
    if chosen not in allowed:
        raise UserInputError(
            text("I don't know the metric ", user(repr(metric)), f". Try one of: {', '.join(sorted(allowed))}.")
        )
    try:
        target = parse_target(target_text)
    except ValueError as exc:
        raise UserInputError(f"That target doesn't work: {exc}. Try 90% or 0.9.") from None
    goal = Goal(team=team, metric=chosen, target=target)
    await reports.set_goal(session=session, team=goal.team, metric=goal.metric, target=goal.target, set_by=set_by)
    return goal
