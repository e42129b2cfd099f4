"""The message log: every inbound message stored once, and the replies given to it."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlmodel import Field

from models.base import EnumText, UTCDateTime, VillageRow, utcnow
from models.village import Channel


class Direction(StrEnum):
    """Which way a message went."""

    IN = "in"
    OUT = "out"


class Message(VillageRow, table=True):
    """One message received (what Kentongan sends lives in the outbox, models/outbox.py).

    Rows are unique per (channel, provider_id): a provider's retry finds the first row and gets the same
    answer (`reply`). Replies are outbox rows whose source_id is this row's id.
    """

    __tablename__ = "message"
    __table_args__ = (UniqueConstraint("channel", "provider_id"),)

    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    direction: Direction = Field(sa_type=EnumText(Direction, 3))
    channel: Channel = Field(sa_type=EnumText(Channel, 20))
    # Whole, never cut: ids sharing a beginning must not collide (longer ones are refused at the webhook).
    provider_id: str | None = Field(default=None, sa_type=String(255))
    sender: str = Field(default="", sa_type=String(80))
    recipient: str = Field(default="", sa_type=String(80))
    body: str = Field(default="", sa_type=Text)
    body_cut_from: int | None = Field(
        default=None, description="The text's length as received, when `body` holds its first 4,096"
    )
    media: list[dict[str, str]] = Field(default_factory=list, sa_type=JSON)
    location: dict[str, Any] | None = Field(
        default=None,
        sa_type=JSON(none_as_null=True),
        description="A shared place: latitude, longitude, label, address",
    )
    intent: str | None = Field(default=None, sa_type=String(16))
    ticket_id: int | None = None
    reply: str | None = Field(default=None, sa_type=Text, description="Replies joined by a form feed")
    note: str | None = Field(default=None, sa_type=String(40), description="rate_limited, loop_guard, ...")
    raw: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    # WhatsApp: the resident changed the text (`body` is the latest; `raw` keeps what came first, and the
    # edit is a message of its own) or deleted the message in the app (it is kept).
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
