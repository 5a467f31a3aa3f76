"""anonymous feedback: random keys, tables laid out in key order, one-time link markers with no day

Feedback rows get a random 128-bit key instead of a counter, and both anonymous tables lose SQLite's rowid
(WITHOUT ROWID), so that neither an id nor the order of rows tells when, or after what, a note arrived. The
marker table keeps only the marker: markers of links used more than 31 days ago are dropped (those links have
expired), the rest are kept as they are, so a link used before the upgrade stays used. Existing feedback is
carried over, written in the order of its new keys.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import secrets
from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LINKS_LAST = timedelta(days=31)  # candidate links expire 30 days after the interview


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _feedback_table(key: sa.Column, *, with_rowid: bool) -> sa.Table:
    return op.create_table(
        "feedback",
        key,
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint(key.name),
        sqlite_with_rowid=with_rowid,
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("PRAGMA secure_delete = ON")  # the pages of the old tables are overwritten as they are freed
    notes = [dict(r) for r in bind.execute(sa.text("SELECT source, category, rating, text, day FROM feedback")).mappings()]
    recent = date.today() - LINKS_LAST
    used = sorted(d for d, day in bind.execute(sa.text("SELECT digest, day FROM feedbacklinkused")) if _day(day) >= recent)
    op.drop_table("feedback")
    op.drop_table("feedbacklinkused")

    feedback = _feedback_table(sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False), with_rowid=False)
    op.create_index("ix_feedback_day_source", "feedback", ["day", "source"], unique=False)
    markers = op.create_table(
        "feedbacklinkused",
        sa.Column("marker", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("marker"),
        sqlite_with_rowid=False,
    )
    keyed = sorted((secrets.token_hex(16), note) for note in notes)
    op.bulk_insert(feedback, [{**note, "id": key, "day": _day(note["day"])} for key, note in keyed])
    op.bulk_insert(markers, [{"marker": m} for m in used])
    if bind.dialect.name == "postgresql":
        # keep a note's text in its row (compressed if need be) rather than in TOAST, whose value ids count up
        op.execute("ALTER TABLE feedback ALTER COLUMN text SET STORAGE MAIN")


def downgrade() -> None:
    bind = op.get_bind()
    notes = [dict(r) for r in bind.execute(sa.text("SELECT source, category, rating, text, day FROM feedback ORDER BY id")).mappings()]
    used = [m for (m,) in bind.execute(sa.text("SELECT marker FROM feedbacklinkused ORDER BY marker"))]
    op.drop_table("feedback")
    op.drop_table("feedbacklinkused")
    feedback = _feedback_table(sa.Column("id", sa.Integer(), nullable=False), with_rowid=True)
    op.create_index("ix_feedback_day_source", "feedback", ["day", "source"], unique=False)
    links = op.create_table(
        "feedbacklinkused",
        sa.Column("digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("digest"),
    )
    op.create_index("ix_feedbacklinkused_day", "feedbacklinkused", ["day"], unique=False)
    op.bulk_insert(feedback, [{**note, "day": _day(note["day"])} for note in notes])
    op.bulk_insert(links, [{"digest": m, "day": date.today()} for m in used])
