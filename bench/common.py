"""Shared pieces of the harness: the result record, percentiles, sizes for full and quick runs."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"  # scratch files (databases, logs, profiles); ignored by git


@dataclass
class Result:
    """One figure as `bench/results.json` lists it; `bound` and `notes` feed docs/PERFORMANCE.md only."""

    name: str
    value: float | None
    unit: str
    baseline: float | None
    ratio: float | None
    target: str
    met: bool | None
    baseline_is: str = ""
    bound: str = ""
    notes: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: d[k] for k in ("name", "value", "unit", "baseline", "ratio", "target", "met")}


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100): the smallest sample with at least p% of samples at or below it."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


async def timed(fn: Callable[[], Awaitable[Any]], runs: int) -> tuple[float, Any]:
    """(median seconds over `runs` calls, the last call's answer)."""
    samples, answer = [], None
    for _ in range(runs):
        started = time.perf_counter()
        answer = await fn()
        samples.append(time.perf_counter() - started)
    return sorted(samples)[len(samples) // 2], answer


def quick() -> bool:
    return os.environ.get("BENCH_QUICK", "") not in ("", "0")


class BenchFailure(AssertionError):
    """A benchmark gave a wrong answer (lost or duplicate DMs, figures unlike the SQL baseline's)."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BenchFailure(message)
