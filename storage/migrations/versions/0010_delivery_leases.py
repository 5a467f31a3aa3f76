"""delivery: reminders planned for a morning and settled for good, digest runs claimed with a lease

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remind_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("reminder", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
        batch_op.create_index("ix_prompt_state_remind", ["state", "remind_at"], unique=False)
    # reminders already sent are settled; the others get their morning planned by the next reminder run
    op.execute("UPDATE prompt SET reminder = 'sent' WHERE reminded_at IS NOT NULL")
    op.create_table(
        "digest_run",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("claim", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("claimed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("posted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("conversation", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    # scheduled digests claimed before this version ("digest:NAME:LOCAL-TIME" keys) count as posted
    op.execute(
        "INSERT INTO digest_run (key, state, attempts, posted_at, created_at) "
        "SELECT substr(key, 8), 'posted', 1, received_at, received_at FROM processedevent WHERE key LIKE 'digest:%'"
    )


def downgrade() -> None:
    op.drop_table("digest_run")
    with op.batch_alter_table("prompt", schema=None) as batch_op:
        batch_op.drop_index("ix_prompt_state_remind")
        batch_op.drop_column("reminder")
        batch_op.drop_column("remind_at")
