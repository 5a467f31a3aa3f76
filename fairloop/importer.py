"""`fairloop interviews import FILE.csv`: validate and upsert in batches, with a progress bar."""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.intake.records import FieldErrors, InterviewIn, validate_batch
from bot.intake.service import Intake

BATCH = 500
COLUMNS = ("external_id", "role", "team", "stage", "starts_at", "ends_at", "interviewers", "candidate_ref", "status")


def rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [
            c
            for c in ("external_id", "role", "starts_at", "ends_at", "interviewers")
            if c not in (reader.fieldnames or [])
        ]
        if missing:
            raise FieldErrors([{"field": f"column {c}", "message": "missing from the header"} for c in missing])
        for number, raw in enumerate(reader, start=2):
            item: dict[str, Any] = {k: (v or "").strip() for k, v in raw.items() if k in COLUMNS}
            item["interviewers"] = [e.strip() for e in item.get("interviewers", "").split(";") if e.strip()]
            for optional in ("candidate_ref", "status", "team", "stage"):
                if not item.get(optional):
                    item.pop(optional, None)
            yield number, item


def _validate(batch: list[tuple[int, dict[str, Any]]], errors: list[str]) -> list[InterviewIn]:
    good: list[InterviewIn] = []
    for number, item in batch:
        try:
            good += validate_batch(item)
        except FieldErrors as exc:
            errors += [
                f"line {number}: " + (f"{f['field']}: " if f["field"] != "body" else "") + f["message"]
                for f in exc.fields
            ]
    return good


async def import_csv(intake: Intake, path: Path, *, batch_size: int = BATCH) -> int:
    console = Console(stderr=True)
    with path.open(encoding="utf-8-sig") as fh:
        total = max(0, sum(1 for _ in fh) - 1)
    errors: list[str] = []
    imported = 0
    started = time.perf_counter()

    async def work() -> None:
        nonlocal imported
        progress = Progress(
            TextColumn("importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=False,
        )
        with progress:
            task = progress.add_task("import", total=total)
            batch: list[tuple[int, dict[str, Any]]] = []
            for row in rows(path):
                batch.append(row)
                if len(batch) >= batch_size:
                    imported += len(await intake.ingest_valid(_dedupe(_validate(batch, errors)), describe=False))
                    progress.advance(task, len(batch))
                    batch = []
            if batch:
                imported += len(await intake.ingest_valid(_dedupe(_validate(batch, errors)), describe=False))
                progress.advance(task, len(batch))

    try:
        await work()
    except FieldErrors as exc:
        console.print(f"[red]{path}: {exc}")
        return 2
    seconds = time.perf_counter() - started
    print(f"imported {imported} interviews from {path} in {seconds:.1f}s", file=sys.stdout)
    if errors:
        console.print(f"[yellow]{len(errors)} problem(s); those rows were skipped:")
        for line in errors[:20]:
            console.print(f"  {line}")
        if len(errors) > 20:
            console.print(f"  … and {len(errors) - 20} more")
        return 1
    return 0


def _dedupe(items: list[InterviewIn]) -> list[InterviewIn]:
    """The last row for an external_id wins, as if the rows had been sent one by one."""
    return list({i.external_id: i for i in items}.values())
