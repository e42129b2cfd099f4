"""Broadcasts: a definition (what, to whom, when) that spawns runs, each run fanning out to the outbox."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import EnumText, UTCDateTime, VillageRow, utcnow
from models.vocabulary import BroadcastKind


class BroadcastStatus(StrEnum):
    """A broadcast definition's lifecycle.

        draft -> pending_approval -> scheduled -> sending -> sent
                       |                 |  ^         |
                       |                 |  +---------+  (recurring: back to scheduled for the next run)
                       +--> cancelled <--+--> missed (due while the service was down, past the grace)

    Stopping a broadcast in flight cancels its queued outbox rows; what was sent stays counted.
    """

    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"
    MISSED = "missed"


class Broadcast(VillageRow, table=True):
    """What to say (an SMS and a WhatsApp variant, a template outside the window), to whom, and when.

    Timing is one of: `send_at` (once), `rrule` with `send_at` as its first date (recurring, RFC 5545,
    with an end), or a meeting's reminder (`meeting_id` + `meeting_key`). `next_run_at` is the truth the
    scheduler is rebuilt from after a restart.
    """

    __tablename__ = "broadcast"
    __table_args__ = (Index(None, "status", "next_run_at"),)

    kind: BroadcastKind = Field(sa_type=EnumText(BroadcastKind, 12))
    title: str = Field(sa_type=String(200))
    sms_text: str = Field(sa_type=Text)
    whatsapp_text: str | None = Field(default=None, sa_type=Text)
    template_name: str | None = Field(default=None, sa_type=String(120))
    template_variables: list[str] = Field(default_factory=list, sa_type=JSON)
    audience: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    send_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rrule: str | None = Field(default=None, sa_type=String(400))
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    meeting_key: str | None = Field(default=None, sa_type=String(24))
    validity_seconds: int | None = None
    status: BroadcastStatus = Field(default=BroadcastStatus.DRAFT, sa_type=EnumText(BroadcastStatus, 20))
    planned_at: datetime | None = Field(default=None, sa_type=UTCDateTime, description="The next occurrence")
    next_run_at: datetime | None = Field(
        default=None, sa_type=UTCDateTime, description="When it fires: planned_at, or later after quiet hours"
    )
    created_by: str = Field(default="", sa_type=String(120))
    approved_by: str | None = Field(default=None, sa_type=String(120))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def waits_until(self) -> datetime | None:
        """When the scheduler should fire it: its next run, while it is scheduled (not waiting for an
        approval, cancelled or done)."""
        return self.next_run_at if self.status == BroadcastStatus.SCHEDULED else None


class RunStatus(StrEnum):
    """One firing of a broadcast: due -> held (quiet hours) -> running -> done | cancelled | missed."""

    DUE = "due"
    HELD = "held"
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"
    MISSED = "missed"


class BroadcastRun(SQLModel, table=True):
    """One firing: when it was due, when it really went, how many it reached. Outbox rows carry its id."""

    __tablename__ = "broadcast_run"
    __table_args__ = (UniqueConstraint("broadcast_id", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id", index=True)
    village_id: int = Field(foreign_key="village.id")
    due_at: datetime = Field(sa_type=UTCDateTime)
    fired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: RunStatus = Field(default=RunStatus.DUE, sa_type=EnumText(RunStatus, 12))
    recipients: int = 0
    note: str | None = Field(default=None, sa_type=String(200))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BroadcastEvent(SQLModel, table=True):
    """Who did what to a broadcast, and when (create, approve, change, cancel, stop, fire)."""

    __tablename__ = "broadcast_event"

    id: int | None = Field(default=None, primary_key=True)
    broadcast_id: int = Field(foreign_key="broadcast.id", index=True)
    action: str = Field(sa_type=String(24))
    actor: str = Field(default="system", sa_type=String(120))
    detail: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContactGroup(VillageRow, table=True):
    """A saved group of contacts a cadre sends to (e.g. "Kader Posyandu", "Ketua RT")."""

    __tablename__ = "contact_group"
    __table_args__ = (UniqueConstraint("village_id", "name"),)

    name: str = Field(sa_type=String(120))


class ContactGroupMember(SQLModel, table=True):
    """A contact in a saved group."""

    __tablename__ = "contact_group_member"
    __table_args__ = (UniqueConstraint("group_id", "contact_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="contact_group.id", index=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
