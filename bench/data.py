"""Synthetic interview data for benchmarks: a CSV of N interviews over the last 90 days."""

from __future__ import annotations

import csv
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

TEAMS = ("Platform", "Data", "Design", "Sales", "Mobile", "Security")
ROLES = (
    "Backend Engineer",
    "Data Scientist",
    "Product Designer",
    "Account Executive",
    "iOS Engineer",
    "Security Engineer",
)


def write_csv(path: Path, n: int, *, seed: int = 1) -> Path:
    rnd = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["external_id", "role", "team", "stage", "starts_at", "ends_at", "interviewers", "candidate_ref"])
        for i in range(n):
            t = rnd.randrange(len(TEAMS))
            end = now - timedelta(minutes=rnd.randint(60, 89 * 24 * 60))
            people = {f"i{rnd.randint(0, 39)}.{TEAMS[t].lower()}@example.com" for _ in range(2)}
            w.writerow(
                [
                    f"bench-{i}",
                    ROLES[t],
                    TEAMS[t],
                    "onsite",
                    (end - timedelta(hours=1)).isoformat(),
                    end.isoformat(),
                    ";".join(sorted(people)),
                    f"ref-{i}",
                ]
            )
    return path
