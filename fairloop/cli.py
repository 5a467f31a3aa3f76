"""The `fairloop` command line: serve, worker, demo, db upgrade, interviews import, stats, digest, export, purge, teams-package."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from bot.settings import SettingsError
from fairloop.ats_cli import app as ats_app
from fairloop.config import Config, load_config

T = TypeVar("T")
STOP_WITHIN = 10.0  # seconds a stopping server gives the requests in flight
app = typer.Typer(add_completion=False, help="fairloop: interview inclusivity check-ins in Slack and Teams.")
db_app = typer.Typer(help="Database commands.")
interviews_app = typer.Typer(help="Interview intake.")
app.add_typer(db_app, name="db")
app.add_typer(interviews_app, name="interviews")
digest_app = typer.Typer(help="Sync digests declared in fairloop.toml.")
app.add_typer(digest_app, name="digest")
app.add_typer(ats_app, name="ats")  # issue 12: the ATS connectors


def _config(**overrides: object) -> Config:
    try:
        return load_config(**overrides)
    except SettingsError as exc:
        typer.echo(f"fairloop: {exc}", err=True)
        raise typer.Exit(2) from None


def _logging(config: Config) -> None:
    from fairloop.logs import configure

    configure(config.server.log_format)


def _refusal_in_one_line(run: Callable[[], Awaitable[T]]) -> T:
    """Run `run()` to completion, and say a core refusal (an unknown period, a team too small) in one line."""
    from bot.errors import FairloopError

    try:
        return asyncio.run(run())
    except FairloopError as exc:
        typer.echo(f"fairloop: {exc}", err=True)
        raise typer.Exit(2) from None


def _with_reports(config: Config, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work(reports)` on the reports service alone (fairloop/wiring.py): no platform, no web stack."""
    from fairloop.wiring import reports

    async def run() -> T:
        async with reports(config) as service:
            return await work(service)

    return _refusal_in_one_line(run)


def _with_graph(config: Config, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work(graph)` on a wired fairloop (no platform listens), and say a core refusal in one line."""
    from fairloop.compose import build

    async def run() -> T:
        async with build(config, serve=False) as graph:
            return await work(graph)

    return _refusal_in_one_line(run)


def _serve(config: Config) -> None:
    from aiohttp import web

    # on SIGTERM: stop listening, let requests in flight finish (a click is recorded before its 200), then stop
    # the jobs and let Slack's follow-ups finish (fairloop/app.py, adapters/slack), then exit
    web.run_app(
        serving_app(config), host=config.server.host, port=config.server.port, print=None, shutdown_timeout=STOP_WITHIN
    )


def serving_app(config: Config) -> Any:
    """The app `fairloop serve` runs: the one app (fairloop/app.py), whose start-up heap is then set aside."""
    from fairloop.app import init_app

    application = init_app(config)
    application.on_startup.append(_settle_heap)  # runs after the graph is wired: aiohttp starts cleanup contexts first
    return application


async def _settle_heap(app: object) -> None:
    """Once everything is imported and wired, take what start-up built (modules, mappers, SDK clients: ~140,000
    objects that live as long as the process) out of the cyclic collector's reach. Otherwise every full collection
    walks them all again, in the middle of requests: on the click bench each one stopped the loop for up to 87 ms
    (7 ms with them frozen), and the p99 of clicks went from 161-176 ms to 94-100 ms (docs/PERFORMANCE.md)."""
    gc.collect()
    gc.freeze()


@app.command()
def serve() -> None:
    """Serve fairloop (HTTP, jobs, and the adapters that are configured)."""
    config = _config()
    _logging(config)
    logging.getLogger(__name__).info(
        "fairloop on http://%s:%s%s",
        config.server.host,
        config.server.port,
        " — playground at /playground" if config.playground_on else "",
    )
    _serve(config)


@app.command()
def worker() -> None:
    """Apply the Slack clicks serving processes queued (FAIRLOOP_SLACK_CLICK_QUEUE=1), until stopped."""
    config = _config()
    if not (config.slack.enabled and config.slack.slack_click_queue):
        typer.echo(
            "fairloop: the worker applies queued Slack clicks: set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and "
            "FAIRLOOP_SLACK_CLICK_QUEUE=1, as for `fairloop serve`",
            err=True,
        )
        raise typer.Exit(2)
    _logging(config)
    from fairloop.worker import run

    asyncio.run(run(config))


@app.command()
def demo() -> None:
    """Serve with the playground and a seeded sample organisation."""
    config = _config(playground=True)
    _logging(config)
    summary = _with_graph(config, lambda graph: graph.intake.load_sample())
    typer.echo(f"sample organisation: {summary}")
    typer.echo(f"playground: http://{config.server.host}:{config.server.port}/playground?as=ana@example.com")
    _serve(config)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (alembic) up to the latest."""
    config = _config()
    from storage.db import upgrade_sync

    upgrade_sync(config.server.database_url)
    typer.echo("database is up to date")


@interviews_app.command("import")
def interviews_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    batch_size: Annotated[int, typer.Option(min=1, max=5000, help="rows per transaction")] = 500,
) -> None:
    """Import interviews from a CSV file (the webhook's fields as columns; interviewers separated by ';')."""
    config = _config()
    from fairloop.importer import import_csv

    code = _with_graph(config, lambda graph: import_csv(graph.intake, file, batch_size=batch_size))
    raise typer.Exit(code)


@app.command()
def stats(
    period: Annotated[str, typer.Option(help="7d, 30d, 90d or quarter")] = "30d",
    team: Annotated[str | None, typer.Option(help="only this team")] = None,
    role: Annotated[str | None, typer.Option(help="only this role")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the JSON object")] = False,
) -> None:
    """Print check-in figures (the privacy threshold applies)."""
    config = _config()
    from adapters.terminal import render
    from bot.reports.format import as_message

    result = _with_reports(config, lambda reports: reports.stats(period=period, team=team, role=role))
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2))
    else:
        typer.echo(render(as_message(result, config.core)))


@digest_app.command("preview")
def digest_preview(name: Annotated[str | None, typer.Argument(help="the digest's name")] = None) -> None:
    """Print a digest as it would be posted now (the first one declared when no name is given)."""
    config = _config()
    from adapters.terminal import render

    _, message = _with_graph(config, lambda graph: graph.delivery.digest(name))
    typer.echo(render(message))


@digest_app.command("send")
def digest_send(name: Annotated[str | None, typer.Argument(help="the digest's name")] = None) -> None:
    """Post a digest to its channel now."""
    config = _config()
    _logging(config)
    spec = _with_graph(config, lambda graph: graph.delivery.send_digest(name))
    typer.echo(f"sent {spec.name} to {spec.channel} ({spec.platform})")


@digest_app.command("schedule")
def digest_schedule(count: Annotated[int, typer.Option(min=1, max=20, help="runs to show")] = 3) -> None:
    """Each digest's next runs, in its own timezone."""
    config = _config()
    from datetime import UTC, datetime

    from bot.crontab import next_runs

    if not config.core.digests:
        typer.echo("no digests are declared (add [[digests]] to fairloop.toml)")
        return
    now = datetime.now(UTC)
    for d in config.core.digests:
        runs = ", ".join(f"{r:%a %d %b %Y %H:%M}" for r in next_runs(d.cron, d.timezone, after=now, count=count))
        typer.echo(f"{d.name} ({d.cron}, {d.timezone}, {d.period}, {d.audience} → {d.platform} {d.channel}): {runs}")


@app.command()
def export(
    period: Annotated[str, typer.Option(help="7d, 30d, 90d or quarter")] = "quarter",
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    out: Annotated[Path | None, typer.Option(help="write here instead of standard output")] = None,
    monthly: Annotated[bool, typer.Option("--monthly", help="the monthly counts kept after retention purges")] = False,
) -> None:
    """Aggregates for compliance reporting: everyone and each team (the privacy threshold applies)."""
    config = _config()
    if fmt not in ("csv", "json"):
        typer.echo(f"fairloop: --format {fmt!r}: use csv or json", err=True)
        raise typer.Exit(2)
    from bot.reports import export as exporter

    if monthly:
        data = _with_reports(config, lambda reports: reports.monthly())
        text = exporter.render(data, fmt, exporter.MONTHLY)
    else:
        data = _with_reports(config, lambda reports: reports.export(period=period))
        text = exporter.render(data, fmt)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {len(data)} rows to {out}")


@app.command()
def purge() -> None:
    """Apply FAIRLOOP_RETENTION now: older raw check-ins become monthly counts, then are deleted."""
    config = _config()
    counts = _with_graph(config, lambda graph: graph.retention.purge())
    done = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items() if v) or "nothing"
    typer.echo(f"purged {done} older than {config.core.retention.days} days")


@app.command("teams-package")
def teams_package(
    out: Annotated[Path, typer.Option(help="where to write the zip")] = Path("fairloop-teams.zip"),
) -> None:
    """Build the Microsoft Teams app package (manifest and icons) to sideload or publish."""
    config = _config()
    from adapters.teams.package import build_package

    try:
        path = build_package(out=out, app_id=config.teams.microsoft_app_id, base_url=config.core.base_url)
    except SettingsError as exc:
        typer.echo(f"fairloop: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {path}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
