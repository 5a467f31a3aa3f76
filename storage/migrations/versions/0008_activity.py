"""daily activity ledger: the counts every shared figure is summed from

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("sent", "unsent", "undeliverable", "answers", "withdrawals", "edits", "all_followed") + tuple(f"t{i}" for i in range(10))


def _cell() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("team", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "activity",
        *_cell(),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "team", "role", name="uq_activity_cell"),
    )
    op.create_index("ix_activity_day", "activity", ["day"])
    op.create_table(
        "activity_practice",
        *_cell(),
        sa.Column("practice", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("yes", sa.Integer(), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("na", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "team", "role", "practice", name="uq_activity_practice_cell"),
    )
    op.create_index("ix_activity_practice_day", "activity_practice", ["day"])
    op.create_table(
        "activity_reason",
        *_cell(),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("day", "team", "role", "reason", name="uq_activity_reason_cell"),
    )
    op.create_index("ix_activity_reason_day", "activity_reason", ["day"])


def downgrade() -> None:
    op.drop_table("activity_reason")
    op.drop_table("activity_practice")
    op.drop_table("activity")
