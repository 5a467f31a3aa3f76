"""once-only keys that are never purged get their own prefix instead of the Teams adapter's

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op


revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE processedevent SET key = 'once:' || key WHERE key LIKE 'teams:welcome:%' OR key LIKE 'teams:channel:%'")


def downgrade() -> None:
    op.execute("UPDATE processedevent SET key = substr(key, 6) WHERE key LIKE 'once:teams:%'")
