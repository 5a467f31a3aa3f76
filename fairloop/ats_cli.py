"""`fairloop ats sync VENDOR [--since 7d]` and `fairloop ats test VENDOR`."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from adapters.sources.ats import VENDORS, check, sync
from adapters.sources.ats_common import AtsError
from adapters.sources.ats_settings import AtsSettings
from bot.settings import Settings, SettingsError, load_settings, parse_duration

app = typer.Typer(help="ATS connectors: Ashby, Lever, Greenhouse.")


def _vendor(value: str) -> str:
    if value not in VENDORS:
        raise typer.BadParameter(f"use one of {', '.join(VENDORS)}")
    return value


def _settings() -> tuple[Settings, AtsSettings]:
    try:
        return load_settings(), AtsSettings()
    except (SettingsError, ValueError) as exc:
        typer.echo(f"fairloop: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command("sync")
def sync_command(
    vendor: Annotated[str, typer.Argument(callback=_vendor, help="ashby, lever or greenhouse")],
    since: Annotated[str, typer.Option(help="how far back: 7d, 24h, ...")] = "7d",
) -> None:
    """Backfill and reconcile interviews from the ATS (safe to run again: it upserts by external id)."""
    settings, ats = _settings()
    try:
        window = parse_duration(since)
    except ValueError as exc:
        typer.echo(f"fairloop: --since: {exc}", err=True)
        raise typer.Exit(2) from None
    from fairloop.ats_wiring import cli_runtime
    from fairloop.offline import with_core

    console = Console(stderr=True)
    started = time.perf_counter()

    async def work(core):  # type: ignore[no-untyped-def]
        progress = Progress(
            TextColumn(f"syncing {vendor}"), BarColumn(), TextColumn("{task.completed} seen"), TimeElapsedColumn(),
            console=console,
        )  # fmt: skip
        async with cli_runtime(core) as runtime:
            with progress:
                task = progress.add_task(vendor, total=None)
                return await sync(
                    vendor, settings=ats, runtime=runtime, since=datetime.now(UTC) - window,
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                )  # fmt: skip

    try:
        result = asyncio.run(with_core(settings, work))
    except AtsError as exc:
        typer.echo(f"fairloop: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    seconds = time.perf_counter() - started
    typer.echo(f"{vendor}: {result.seen} seen, {result.imported} interviews imported in {seconds:.1f}s")
    for line in result.failed[:20]:
        typer.echo(f"  skipped {line}", err=True)
    raise typer.Exit(1 if result.failed else 0)


@app.command("test")
def test_command(vendor: Annotated[str, typer.Argument(callback=_vendor, help="ashby, lever or greenhouse")]) -> None:
    """Check the API credentials against the ATS and print what they can see."""
    _, ats = _settings()
    from fairloop.ats_wiring import plain_runtime

    async def work() -> list[str]:
        async with plain_runtime() as runtime:
            return await check(vendor, settings=ats, runtime=runtime)

    try:
        lines = asyncio.run(work())
    except AtsError as exc:
        typer.echo(f"fairloop: {vendor}: {exc.detail}", err=True)
        raise typer.Exit(1) from None
    for line in lines:
        typer.echo(line)
    hook = getattr(ats, vendor).webhook_on
    typer.echo(f"webhook POST /ats/{vendor}: {'configured' if hook else 'not configured (see docs/ats.md)'}")
