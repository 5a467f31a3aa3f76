"""SQLModel tables. Times are aware UTC. Candidate names are never stored: only an opaque ref."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True, max_length=320)
    display_name: str | None = Field(default=None, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    reminders: bool = True
    first_prompted_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Identity(SQLModel, table=True):
    """A person's account on one platform, with what the adapter needs to reach them."""

    __table_args__ = (
        UniqueConstraint("platform", "user_id", name="uq_identity_platform_user"),
        Index("ix_identity_person_platform", "person_id", "platform"),
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    platform: str = Field(max_length=20)
    user_id: str = Field(max_length=200)
    address: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class Interview(SQLModel, table=True):
    __table_args__ = (Index("ix_interview_team_role", "team", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(unique=True, index=True, max_length=200)
    role: str = Field(max_length=200)
    team: str = Field(default="", max_length=200)
    stage: str = Field(default="", max_length=100)
    starts_at: datetime
    ends_at: datetime
    candidate_ref: str | None = Field(default=None, max_length=200)
    status: str = Field(default="scheduled", max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Prompt(SQLModel, table=True):
    """The outbox: one check-in prompt per interviewer per interview."""

    __table_args__ = (
        UniqueConstraint("interview_id", "person_id", name="uq_prompt_interview_person"),
        Index("ix_prompt_state_due", "state", "due_at"),
        Index("ix_prompt_due_state", "due_at", "state"),
        Index("ix_prompt_state_remind", "state", "remind_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    state: str = Field(default="scheduled", max_length=20)
    due_at: datetime
    # denormalised so stats aggregate in one table scan without joins
    team: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)
    platform: str | None = Field(default=None, max_length=20)
    conversation: str | None = Field(default=None, max_length=512)  # Teams: conversation id + service URL
    message_id: str | None = Field(default=None, max_length=300)
    reason: str | None = Field(default=None, max_length=300)
    # the lease of whoever is sending this prompt's current message: the prompt while scheduled, then its reminder
    claim: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None
    attempts: int = 0
    sent_at: datetime | None = None
    remind_at: datetime | None = None  # the working morning its one reminder is for (set when the prompt is sent)
    reminder: str | None = Field(default=None, max_length=20)  # settled: sent | opted_out | missed | undeliverable
    reminded_at: datetime | None = None
    snoozed_until: datetime | None = None  # "Remind me later" on the reminder: one more, at this time
    answered_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class CheckIn(SQLModel, table=True):
    """An interviewer's answer: one per prompt; answering again edits it."""

    __table_args__ = (Index("ix_checkin_due_team_role", "due_at", "team", "role"),)
    id: int | None = Field(default=None, primary_key=True)
    prompt_id: int = Field(foreign_key="prompt.id", unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    team: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)
    kind: str = Field(max_length=20)  # all | detail | concern
    all_followed: bool
    note: str | None = Field(default=None, max_length=2000)  # private to the interviewer
    answer_seconds: int = 0
    due_at: datetime  # the prompt's due time: the period a check-in counts in
    answered_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CheckInAnswer(SQLModel, table=True):
    """Per-practice answer; a row per practice so adherence aggregates in SQL."""

    __table_args__ = (
        UniqueConstraint("checkin_id", "practice", name="uq_answer_checkin_practice"),
        Index("ix_answer_practice", "practice", "value"),
    )
    id: int | None = Field(default=None, primary_key=True)
    checkin_id: int = Field(foreign_key="checkin.id", index=True)
    practice: str = Field(max_length=64)
    value: str = Field(max_length=8)  # yes | no | na


class Concern(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    prompt_id: int | None = Field(default=None, foreign_key="prompt.id", index=True)
    reporter_id: int | None = Field(default=None, foreign_key="person.id")
    team: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)
    text: str = Field(max_length=4000)
    status: str = Field(default="open", max_length=20)  # open | acknowledged | resolved
    owner: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ProcessedEvent(SQLModel, table=True):
    """Platform event ids already handled, so retries never double-count."""

    key: str = Field(primary_key=True, max_length=200)
    received_at: datetime = Field(default_factory=utcnow, index=True)


class DigestRun(SQLModel, table=True):
    """One scheduled time of one digest (`key`: name and local time): claimed, with a lease, by whichever replica
    posts it, then posted. A claim whose lease lapsed unposted (a crash) is taken over; a posted run never again."""

    __tablename__ = "digest_run"
    key: str = Field(primary_key=True, max_length=200)
    state: str = Field(default="claimed", max_length=20)  # claimed | posted
    claim: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None
    attempts: int = 0
    posted_at: datetime | None = None
    conversation: str | None = Field(default=None, max_length=512)
    message_id: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow)


class QueuedClick(SQLModel, table=True):
    """A one-click answer acknowledged before it was applied (FAIRLOOP_SLACK_CLICK_QUEUE): the platform's payload,
    trimmed to what applying it needs (who, which button, where), and its replay key. Applied by `fairloop worker`
    (adapters/slack/queue.py), which claims rows with a lease and deletes each once applied; nothing stays here."""

    __tablename__ = "queued_click"
    __table_args__ = (Index("ix_queued_click_claim", "claimed_until", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    delivery: str = Field(max_length=200)
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    queued_at: datetime = Field(default_factory=utcnow)
    claimed_until: datetime | None = None


class Setting(SQLModel, table=True):
    """Key/value settings and secrets the process generates for itself (e.g. the secret key)."""

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(max_length=4000)


class PlaygroundPost(SQLModel, table=True):
    """Messages the playground outbox delivered: a DM (conversation = email) or a channel post."""

    id: int | None = Field(default=None, primary_key=True)
    conversation: str = Field(index=True, max_length=320)
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Channel(SQLModel, table=True):
    """A channel the bot can post to (Teams stores the conversation reference here)."""

    __table_args__ = (UniqueConstraint("platform", "name", name="uq_channel_platform_name"),)
    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=20)
    name: str = Field(max_length=300)
    address: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


def random_key() -> str:
    """128 random bits: a key that says nothing about when, or after what, its row was written."""
    return secrets.token_hex(16)


class Feedback(SQLModel, table=True):
    """Anonymous feedback. No user id, interview id, message id or time finer than the day, by design; the key is
    random and the table lies in key order (SQLite: WITHOUT ROWID; PostgreSQL: clustered daily), so neither an id
    nor the order of rows says when, or after what, a note arrived."""

    __table_args__ = (Index("ix_feedback_day_source", "day", "source"), {"sqlite_with_rowid": False})
    id: str = Field(default_factory=random_key, primary_key=True, max_length=32)
    source: str = Field(default="candidate", max_length=20)  # candidate (the emailed link) | colleague (`feedback`)
    category: str | None = Field(default=None, max_length=40)
    rating: int | None = None  # candidate form: 1 (not at all) .. 5 (completely) respectful and inclusive
    text: str = Field(default="", max_length=2000)
    day: date


class FeedbackLinkUsed(SQLModel, table=True):
    """The one-time markers of candidate links already used: HMAC-SHA256(FAIRLOOP_SECRET_KEY, "candidate-link:<id>"),
    a key that is not in the database, so no one reading it can tell which interview a marker stands for. Nothing
    else: no day, no order (WITHOUT ROWID / clustered daily), nothing shared with Feedback."""

    __table_args__ = ({"sqlite_with_rowid": False},)
    marker: str = Field(primary_key=True, max_length=64)


class GoalRow(SQLModel, table=True):
    """A goal set with `goal set` (fairloop.toml's [[goals]] are defaults these override)."""

    __tablename__ = "goal"
    __table_args__ = (UniqueConstraint("team", "metric", name="uq_goal_team_metric"),)
    id: int | None = Field(default=None, primary_key=True)
    team: str = Field(default="", max_length=200)  # "" is everyone
    metric: str = Field(max_length=64)
    target: float
    set_by: str | None = Field(default=None, max_length=320)
    updated_at: datetime = Field(default_factory=utcnow)
