"""The audit log: every action staff take, through any door (REST API, text command, command line)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlmodel import Field, SQLModel

from models.base import EnumText, UTCDateTime, utcnow
from models.vocabulary import Role


class AuditEntry(SQLModel, table=True):
    """Who did what, when, and from which channel. Append-only: nothing here is edited or deleted.

    `action` is a dotted verb (`ticket.status`, `contact.import`, `staff.pin_failed`); `target` names the
    object (`ticket:482913`, `contact:17`); `detail` holds what changed, never a resident's message text.
    """

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    village_id: int | None = Field(default=None, foreign_key="village.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    actor: str = Field(sa_type=String(80), description="'kader:3', 'operator:1', or 'cli'")
    role: Role | None = Field(default=None, sa_type=EnumText(Role, 12))
    action: str = Field(sa_type=String(48), index=True)
    target: str | None = Field(default=None, sa_type=String(80))
    channel: str = Field(sa_type=String(20), description="api, cli, or the text channel (twilio_sms, ...)")
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
