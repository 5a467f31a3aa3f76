"""A database reader with a backup: every table as stored, the order rows physically lie in, and every way such a
reader could tie an anonymous answer to its interview (`ties`)."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.tokens import Signer
from storage import db

ANONYMOUS = {"feedback": "id", "feedbacklinkused": "marker"}  # table -> its key
LEGACY = {"feedbacklinkused": "digest"}  # the marker column before migration 0007
CONTENT = {"source", "category", "rating", "text", "day"}  # what an answer says, and its day


@dataclass
class Dump:
    """What a backup holds. `tables`: rows in the order a plain scan returns them. `layout`: the keys of the
    anonymous tables in the order they were physically laid down (SQLite: page cells from the end of the page
    backwards; PostgreSQL: ctid). `versions`: PostgreSQL's xmin (the writing transaction) in the same order."""

    tables: dict[str, list[dict[str, Any]]]
    layout: dict[str, list[Any]] = field(default_factory=dict)
    versions: dict[str, list[str]] = field(default_factory=dict)

    def key_of(self, table: str) -> str:
        row = (self.tables.get(table) or [{}])[0]
        return next(k for k in (ANONYMOUS[table], LEGACY.get(table, "")) if k in row)


# ---- reading ----
def read_sqlite(path: Path, into: Path) -> Dump:
    """Back the file up as `sqlite3 .backup` would (pages copied verbatim), then read the copy."""
    with closing(sqlite3.connect(path)) as live, closing(sqlite3.connect(into)) as copy:
        live.backup(copy)
    with closing(sqlite3.connect(into)) as conn:
        conn.row_factory = sqlite3.Row
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        tables = {n: [dict(r) for r in conn.execute(f'SELECT * FROM "{n}"')] for n in names}
        roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_master WHERE type = 'table'").fetchall())
    raw = into.read_bytes()
    layout = {name: laid_down(raw, roots[name]) for name in ANONYMOUS if name in roots}
    return Dump(tables=tables, layout=layout)


async def read_postgres(url: str) -> Dump:
    engine = db.make_engine(url)
    try:
        async with engine.connect() as conn:
            names = (await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))).scalars()
            tables = {
                n: [dict(r) for r in (await conn.execute(text(f'SELECT * FROM "{n}"'))).mappings()] for n in names
            }
            layout, versions = {}, {}
            for name, key in ANONYMOUS.items():
                rows = (await conn.execute(text(f"SELECT {key}, xmin::text FROM {name} ORDER BY ctid"))).all()
                layout[name], versions[name] = [r[0] for r in rows], [r[1] for r in rows]
    finally:
        await engine.dispose()
    return Dump(tables=tables, layout=layout, versions=versions)


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        byte = data[at + i]
        if i == 8:
            return (value << 8) | byte, at + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, at + i + 1
    raise AssertionError("unreachable")


def _first_field(data: bytes, at: int) -> Any:
    """The first value of the record at `at` (a table's key comes first in a WITHOUT ROWID table's records)."""
    header, body = _varint(data, at)
    kind, _ = _varint(data, body)
    start = at + header
    if kind >= 13 and kind % 2:
        return data[start : start + (kind - 13) // 2].decode()
    sizes = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}
    return int.from_bytes(data[start : start + sizes[kind]], "big", signed=True) if kind in sizes else kind - 8


def laid_down(raw: bytes, root: int) -> list[Any]:
    """The keys on a table's b-tree pages in the order their cells were written: SQLite fills a page from its end
    backwards, so on a page left alone the cell nearest the end arrived first."""
    size = int.from_bytes(raw[16:18], "big") or 65536
    out: list[Any] = []
    pages = [root]
    while pages:
        number = pages.pop(0)
        page = raw[(number - 1) * size : number * size]
        head = 100 if number == 1 else 0
        kind, count = page[head], int.from_bytes(page[head + 3 : head + 5], "big")
        interior = kind in (2, 5)
        pointers = head + (12 if interior else 8)
        offsets = [int.from_bytes(page[pointers + 2 * i : pointers + 2 * i + 2], "big") for i in range(count)]
        if interior:
            pages += [int.from_bytes(page[o : o + 4], "big") for o in offsets]
            pages.append(int.from_bytes(page[head + 8 : head + 12], "big"))
            continue
        cells = []
        for offset in offsets:
            _, at = _varint(page, offset)  # payload size
            if kind == 13:  # a rowid table's leaf: the rowid is the key
                cells.append((offset, _varint(page, at)[0]))
            else:
                cells.append((offset, _first_field(page, at)))
        out += [key for _, key in sorted(cells, reverse=True)]
    return out


# ---- tying answers to interviews ----
def _when(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _markers_from(secret: str, interview: dict[str, Any]) -> Iterable[str]:
    """Every way fairloop has made, or might make, a link's marker from a key and the interview."""
    token = Signer(secret_key=secret).feedback_token(int(interview["id"]), issued_at=_when(interview["ends_at"]))
    label = f"candidate-link:{interview['id']}"
    yield hashlib.sha256(token.encode()).hexdigest()
    yield hashlib.sha256(label.encode()).hexdigest()
    yield hmac.new(secret.encode(), label.encode(), hashlib.sha256).hexdigest()
    yield hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def _ranks_in_arrival(order: list[Any], arrived: list[Any]) -> bool:
    return [k for k in order if k in arrived] == arrived


def ties(dump: Dump, *, arrived: list[Any]) -> list[str]:
    """How a reader of `dump` could tie candidate answers to interviews. `arrived`: the feedback keys in the order
    the answers came in (the test knows it; the reader does not); interviews ended in that order too."""
    found: list[str] = []
    interviews = dump.tables["interview"]
    known = {str(v) for row in interviews for k, v in row.items() if k not in ("role", "team", "stage", "status")}
    for table in ANONYMOUS:
        for row in dump.tables.get(table, []):
            for column, value in row.items():
                if column in CONTENT:  # the answer itself: a rating of 3 is not interview 3
                    continue
                if value is not None and str(value) in known:
                    found.append(f"{table}.{column} holds a value of an interview ({value})")
    secrets = {str(v) for rows in dump.tables.values() for row in rows for v in row.values() if isinstance(v, str)}
    markers = {row[dump.key_of("feedbacklinkused")] for row in dump.tables.get("feedbacklinkused", [])}
    for interview in interviews:
        for secret in secrets:
            if markers & set(_markers_from(secret, interview)):
                found.append(f"the marker of interview {interview['id']} is computed from a value in the database")
                break
    keys = [row[dump.key_of("feedback")] for row in dump.tables["feedback"]]
    if all(isinstance(k, int) for k in keys):
        found.append("feedback keys are sequence numbers, which count the answers as they arrive")
    orders = {"a plain scan": keys, **{f"the {t} layout": v for t, v in dump.layout.items() if t == "feedback"}}
    if dump.versions.get("feedback") and len(set(dump.versions["feedback"])) > 1:
        orders["xmin"] = [k for _, k in sorted(zip(dump.versions["feedback"], dump.layout["feedback"], strict=True))]
    for name, order in orders.items():
        if order != sorted(keys) and _ranks_in_arrival(order, arrived):
            found.append(f"{name} lists the answers in the order they arrived")
    marker_versions = set(dump.versions.get("feedbacklinkused", []))
    if any(marker_versions & {v} for v in dump.versions.get("feedback", [])) and len(marker_versions) > 1:
        found.append("a marker and an answer were written by the same transaction (xmin)")
    return found
