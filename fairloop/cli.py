"""The `fairloop` command line: serve, demo, db upgrade, interviews import, stats, digest, export, purge, teams-package."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.settings import Settings, SettingsError, load_settings
from fairloop.ats_cli import app as ats_app

app = typer.Typer(add_completion=False, help="fairloop: interview inclusivity check-ins in Slack and Teams.")
db_app = typer.Typer(help="Database commands.")
interviews_app = typer.Typer(help="Interview intake.")
app.add_typer(db_app, name="db")
app.add_typer(interviews_app, name="interviews")
digest_app = typer.Typer(help="Sync digests declared in fairloop.toml.")
app.add_typer(digest_app, name="digest")
app.add_typer(ats_app, name="ats")  # issue 12: ATS connectors


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        typer.echo(f"fairloop: {exc}", err=True)
        raise typer.Exit(2) from None


def _logging(settings: Settings) -> None:
    from fairloop.logs import configure

    configure(settings.log_format)


@app.command()
def serve() -> None:
    """Serve fairloop (HTTP, jobs, and the adapters that are configured)."""
    settings = _settings()
    _logging(settings)
    from aiohttp import web

    from fairloop.app import init_app

    logging.getLogger(__name__).info(
        "fairloop on http://%s:%s%s",
        settings.host,
        settings.port,
        " — playground at /playground" if settings.playground_on else "",
    )
    web.run_app(init_app(settings), host=settings.host, port=settings.port, print=None)


@app.command()
def demo() -> None:
    """Serve with the playground and a seeded sample organisation."""
    settings = _settings(playground=True)
    _logging(settings)
    from bot.sample import load_sample
    from fairloop.offline import with_core

    summary = asyncio.run(
        with_core(settings, lambda core: load_sample(sessions=core.sessions, settings=settings, now=core.clock()))
    )
    typer.echo(f"sample organisation: {summary}")
    from aiohttp import web

    from fairloop.app import init_app

    typer.echo(f"playground: http://{settings.host}:{settings.port}/playground?as=ana@example.com")
    web.run_app(init_app(settings), host=settings.host, port=settings.port, print=None)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (alembic) up to the latest."""
    settings = _settings()
    from storage.db import upgrade_sync

    upgrade_sync(settings.database_url)
    typer.echo("database is up to date")


@interviews_app.command("import")
def interviews_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    batch_size: Annotated[int, typer.Option(min=1, max=5000, help="rows per transaction")] = 500,
) -> None:
    """Import interviews from a CSV file (the webhook's fields as columns; interviewers separated by ';')."""
    settings = _settings()
    from fairloop.importer import import_csv

    code = asyncio.run(import_csv(settings, file, batch_size=batch_size))
    raise typer.Exit(code)


@app.command()
def stats(
    period: Annotated[str, typer.Option(help="7d, 30d, 90d or quarter")] = "30d",
    team: Annotated[str | None, typer.Option(help="only this team")] = None,
    role: Annotated[str | None, typer.Option(help="only this role")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the JSON object")] = False,
) -> None:
    """Print check-in figures (the privacy threshold applies)."""
    settings = _settings()
    from bot.errors import UserInputError
    from bot.stats import as_message
    from fairloop.offline import with_core

    try:
        result = asyncio.run(with_core(settings, lambda core: core.stats(period=period, team=team, role=role)))
    except UserInputError as exc:
        typer.echo(f"fairloop: {exc}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2))
    else:
        message = as_message(result, settings)
        from fairloop.offline import plain

        typer.echo(plain(message))


@digest_app.command("preview")
def digest_preview(name: Annotated[str | None, typer.Argument(help="the digest's name")] = None) -> None:
    """Print a digest as it would be posted now (the first one declared when no name is given)."""
    settings = _settings()
    from fairloop.offline import plain, with_core

    built = _run_or_exit(with_core(settings, lambda core: core.digest(name)))
    typer.echo(plain(built.message))


@digest_app.command("send")
def digest_send(name: Annotated[str | None, typer.Argument(help="the digest's name")] = None) -> None:
    """Post a digest to its channel now."""
    settings = _settings()
    _logging(settings)
    from fairloop.offline import platform_outboxes, with_core

    async def send(core):  # type: ignore[no-untyped-def]
        async with platform_outboxes(settings, core):
            return await core.send_digest(name)

    spec = _run_or_exit(with_core(settings, send))
    typer.echo(f"sent {spec.name} to {spec.channel} ({spec.platform})")


@digest_app.command("schedule")
def digest_schedule(count: Annotated[int, typer.Option(min=1, max=20, help="runs to show")] = 3) -> None:
    """Each digest's next runs, in its own timezone."""
    settings = _settings()
    from datetime import UTC, datetime

    from bot.cron import next_runs

    if not settings.digests:
        typer.echo("no digests are declared (add [[digests]] to fairloop.toml)")
        return
    now = datetime.now(UTC)
    for d in settings.digests:
        runs = ", ".join(f"{r:%a %d %b %Y %H:%M}" for r in next_runs(d.cron, d.timezone, after=now, count=count))
        typer.echo(f"{d.name} ({d.cron}, {d.timezone}, {d.period}, {d.audience} → {d.platform} {d.channel}): {runs}")


def _run_or_exit(work):  # type: ignore[no-untyped-def]
    from bot.errors import FairloopError

    try:
        return asyncio.run(work)
    except FairloopError as exc:
        typer.echo(f"fairloop: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def export(
    period: Annotated[str, typer.Option(help="7d, 30d, 90d or quarter")] = "quarter",
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    out: Annotated[Path | None, typer.Option(help="write here instead of standard output")] = None,
    monthly: Annotated[bool, typer.Option("--monthly", help="the monthly counts kept after retention purges")] = False,
) -> None:
    """Aggregates for compliance reporting: everyone and each team (the privacy threshold applies)."""
    settings = _settings()
    if fmt not in ("csv", "json"):
        typer.echo(f"fairloop: --format {fmt!r}: use csv or json", err=True)
        raise typer.Exit(2)
    from bot import export as exporter
    from fairloop.offline import with_core

    if monthly:
        data = _run_or_exit(
            with_core(settings, lambda core: exporter.monthly(sessions=core.sessions, settings=settings))
        )
        text = exporter.render(data, fmt, exporter.MONTHLY)
    else:
        data = _run_or_exit(
            with_core(
                settings,
                lambda core: exporter.rows(sessions=core.sessions, settings=settings, now=core.clock(), period=period),
            )
        )
        text = exporter.render(data, fmt)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {len(data)} rows to {out}")


@app.command()
def purge() -> None:
    """Apply FAIRLOOP_RETENTION now: older raw check-ins become monthly counts, then are deleted."""
    settings = _settings()
    from fairloop.offline import with_core

    counts = _run_or_exit(with_core(settings, lambda core: core.purge()))
    done = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items() if v) or "nothing"
    typer.echo(f"purged {done} older than {settings.retention.days} days")


@app.command("teams-package")
def teams_package(
    out: Annotated[Path, typer.Option(help="where to write the zip")] = Path("fairloop-teams.zip"),
) -> None:
    """Build the Microsoft Teams app package (manifest and icons) to sideload or publish."""
    settings = _settings()
    from adapters.teams.package import build_package

    try:
        path = build_package(out=out, settings=settings)
    except SettingsError as exc:
        typer.echo(f"fairloop: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {path}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
