"""Where FAIRLOOP_SECRET_KEY comes from: the setting, or (SQLite) a private file beside the database — never the
database itself, because the key unlocks the one-time markers of candidate links and a backup must not carry it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import stat
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.settings import SettingsError
from storage import db
from storage.people import delete_setting, get_setting

logger = logging.getLogger(__name__)
STORED = "secret_key"  # where versions before 0007 kept the key they generated: the `setting` table


def key_file(database_url: str) -> Path | None:
    """`<database file>.secret` for a SQLite file; None for PostgreSQL (the key comes from the environment) and for
    an in-memory database (its key lives as long as it does)."""
    url = make_url(database_url)
    name = url.database
    if url.get_backend_name() != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(f"{name}.secret")


async def secret_key(*, database_url: str, configured: str | None, sessions: db.Sessions) -> str:
    """The configured key; else (SQLite) the one in the key file, made on first start. A key an older version kept
    in the database moves to the file (so links already sent keep working) and leaves the database."""
    async with db.unit_of_work(sessions) as session:
        stored = await get_setting(session=session, key=STORED)
    path = key_file(database_url)
    key = configured
    if path is not None and (key is None or stored is not None):
        kept = await asyncio.to_thread(_keep, path, stored or secrets.token_urlsafe(32))
        key = key or kept
    if stored is not None:
        async with db.unit_of_work(sessions) as session:
            await delete_setting(session=session, key=STORED)
        await db.checkpoint(sessions)
        logger.info("the generated secret key was removed from the database%s", f" (kept in {path})" if path else "")
    return key or secrets.token_urlsafe(32)


def _keep(path: Path, value: str) -> str:
    """The key in `path`; if there is none yet, `value` written there first (mode 0600). The first writer wins."""
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mkstemp creates it 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(value + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(FileExistsError):  # another process wrote it a moment ago: theirs wins
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise SettingsError(f"FAIRLOOP_SECRET_KEY: {path} is empty; restore it from a backup or set the variable")
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        logger.warning("%s can be read by other users; chmod 600 it", path)
    return key
