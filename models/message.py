"""The message log: every inbound message stored once, and the replies given to it."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import EnumText, UTCDateTime, utcnow
from models.village import Channel


class Direction(StrEnum):
    """Which way a message went."""

    IN = "in"
    OUT = "out"


class Message(SQLModel, table=True):
    """One message received (what Kentongan sends lives in the outbox, models/outbox.py).

    Rows are unique per (channel, provider_id): a provider's retry finds the first row and gets the same
    answer (`reply`). Replies are outbox rows whose source_id is this row's id.
    """

    __tablename__ = "message"
    __table_args__ = (UniqueConstraint("channel", "provider_id"),)

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id", index=True)
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    direction: Direction = Field(sa_type=EnumText(Direction, 3))
    channel: Channel = Field(sa_type=EnumText(Channel, 20))
    provider_id: str | None = Field(default=None, sa_type=String(80))
    sender: str = Field(default="", sa_type=String(80))
    recipient: str = Field(default="", sa_type=String(80))
    body: str = Field(default="", sa_type=Text)
    media: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)
    intent: str | None = Field(default=None, sa_type=String(16))
    ticket_id: int | None = None
    reply: str | None = Field(default=None, sa_type=Text, description="Replies joined by a form feed")
    note: str | None = Field(default=None, sa_type=String(40), description="rate_limited, loop_guard, ...")
    raw: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
