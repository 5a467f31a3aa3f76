"""Tables of counts only, never a person: the daily activity ledger every shared figure is summed from, and the
monthly rollups kept when raw check-ins are purged."""

from __future__ import annotations

from datetime import date

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class Rollup(SQLModel, table=True):
    """Monthly aggregates kept when raw check-ins are purged (FAIRLOOP_RETENTION): counts only, no people.

    practice "" holds the check-in counts (`yes` = check-ins, `no` = all practices followed); other rows
    hold one practice's yes/no/n.a. counts.
    """

    __table_args__ = (UniqueConstraint("month", "team", "role", "practice", name="uq_rollup_cell"),)
    id: int | None = Field(default=None, primary_key=True)
    month: date
    team: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)
    practice: str = Field(default="", max_length=64)
    yes: int = 0
    no: int = 0
    na: int = 0


class Activity(SQLModel, table=True):
    """What happened on one day (in FAIRLOOP_TIMEZONE) for one team × role: counts only, added to in the same
    transaction as the event and never rewritten for a day that is over. Every shared figure is summed from here.

    `sent`/`unsent`: prompts delivered / withdrawn ("not my interview"); `answers`/`withdrawals`/`edits`:
    check-ins given, dropped and changed; `all_followed` is net; `t0`..`t9` count first answers by time taken.
    """

    __table_args__ = (UniqueConstraint("day", "team", "role", name="uq_activity_cell"),)
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    team: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)
    sent: int = 0
    unsent: int = 0
    undeliverable: int = 0
    answers: int = 0
    withdrawals: int = 0
    edits: int = 0
    all_followed: int = 0
    t0: int = 0
    t1: int = 0
    t2: int = 0
    t3: int = 0
    t4: int = 0
    t5: int = 0
    t6: int = 0
    t7: int = 0
    t8: int = 0
    t9: int = 0


class ActivityPractice(SQLModel, table=True):
    """Per-practice answers given (net of changes) on one day for one team × role."""

    __tablename__ = "activity_practice"
    __table_args__ = (UniqueConstraint("day", "team", "role", "practice", name="uq_activity_practice_cell"),)
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    team: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)
    practice: str = Field(max_length=64)
    yes: int = 0
    no: int = 0
    na: int = 0


class ActivityReason(SQLModel, table=True):
    """Why prompts could not be delivered, counted per day for one team × role."""

    __tablename__ = "activity_reason"
    __table_args__ = (UniqueConstraint("day", "team", "role", "reason", name="uq_activity_reason_cell"),)
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(index=True)
    team: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)
    reason: str = Field(max_length=300)
    n: int = 0
