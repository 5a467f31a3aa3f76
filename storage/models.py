"""SQLModel tables. Times are aware UTC. Candidate names are never stored: only an opaque ref."""

from __future__ import annotations

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


class Feedback(SQLModel, table=True):
    """Anonymous feedback. No user id, interview id, message id or time finer than the day, by design."""

    __table_args__ = (Index("ix_feedback_day_source", "day", "source"),)
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(default="candidate", max_length=20)  # candidate (the emailed link)
    category: str | None = Field(default=None, max_length=40)
    rating: int | None = None  # candidate form: 1 (not at all) .. 5 (completely) respectful and inclusive
    text: str = Field(default="", max_length=2000)
    day: date


class FeedbackLinkUsed(SQLModel, table=True):
    """sha256 digests of candidate feedback links already used, so each works once. Shares nothing with Feedback."""

    digest: str = Field(primary_key=True, max_length=64)
    day: date = Field(index=True)  # links expire after 30 days, so old digests can be purged by day


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
