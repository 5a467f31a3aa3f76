"""`fairloop ats sync VENDOR [--since 7d]` and `fairloop ats test VENDOR`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from adapters.sources.ats_settings import VENDORS
from bot.settings import SettingsError, parse_duration

if TYPE_CHECKING:  # the connectors, the graph and rich load when an ats command runs, not with every command
    from adapters.sources.ats import SyncResult
    from adapters.sources.ats_common import Runtime
    from fairloop.config import Config

T = TypeVar("T")
app = typer.Typer(help="ATS connectors: Ashby, Lever, Greenhouse.")


def _vendor(value: str) -> str:
    if value not in VENDORS:
        raise typer.BadParameter(f"use one of {', '.join(VENDORS)}")
    return value


def _config() -> Config:
    from fairloop.config import load_config

    try:
        return load_config()
    except SettingsError as exc:
        typer.echo(f"fairloop: {exc}", err=True)
        raise typer.Exit(2) from None


def _on_graph(config: Config, work: Callable[[Runtime], Awaitable[T]], *, refusal: str = "") -> T:
    """Run `work` on the wired graph's ATS runtime (no platform listens); an ATS refusal is said in one line.
    (`fairloop.cli._with_graph` does the same for the other commands; importing it here would go round in a circle.)"""
    from adapters.sources.ats_common import AtsError
    from fairloop.compose import build

    async def run() -> T:
        async with build(config, serve=False) as graph:
            return await work(graph.ats)

    try:
        return asyncio.run(run())
    except AtsError as exc:
        typer.echo(f"fairloop: {refusal}{exc.detail}", err=True)
        raise typer.Exit(1) from None


@app.command("sync")
def sync_command(
    vendor: Annotated[str, typer.Argument(callback=_vendor, help="ashby, lever or greenhouse")],
    since: Annotated[str, typer.Option(help="how far back: 7d, 24h, ...")] = "7d",
) -> None:
    """Backfill and reconcile interviews from the ATS (safe to run again: it upserts by external id)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from adapters.sources.ats import sync

    config = _config()
    try:
        window = parse_duration(since)
    except ValueError as exc:
        typer.echo(f"fairloop: --since: {exc}", err=True)
        raise typer.Exit(2) from None
    console = Console(stderr=True)
    started = time.perf_counter()

    async def work(runtime: Runtime) -> SyncResult:
        progress = Progress(
            TextColumn(f"syncing {vendor}"), BarColumn(), TextColumn("{task.completed} seen"), TimeElapsedColumn(),
            console=console,
        )  # fmt: skip
        with progress:
            task = progress.add_task(vendor, total=None)
            return await sync(
                vendor, runtime=runtime, since=datetime.now(UTC) - window,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )  # fmt: skip

    result = _on_graph(config, work)
    seconds = time.perf_counter() - started
    typer.echo(f"{vendor}: {result.seen} seen, {result.imported} interviews imported in {seconds:.1f}s")
    for line in result.failed[:20]:
        typer.echo(f"  skipped {line}", err=True)
    raise typer.Exit(1 if result.failed else 0)


@app.command("test")
def test_command(vendor: Annotated[str, typer.Argument(callback=_vendor, help="ashby, lever or greenhouse")]) -> None:
    """Check the API credentials against the ATS and print what they can see (nothing is imported)."""
    from adapters.sources.ats import check

    config = _config()
    lines = _on_graph(config, lambda runtime: check(vendor, runtime=runtime), refusal=f"{vendor}: ")
    for line in lines:
        typer.echo(line)
    hook = config.ats.vendor(vendor).webhook_on
    typer.echo(f"webhook POST /ats/{vendor}: {'configured' if hook else 'not configured (see docs/ats.md)'}")
