"""Contacts: one person with several channel identities, their consent and conversation state."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.base import EnumText, UTCDateTime, VillageRow, utcnow
from models.village import Channel


class IdentityKind(StrEnum):
    """How a contact is addressed: an E.164 phone (SMS and WhatsApp) or a WhatsApp user id with no phone."""

    PHONE = "phone"
    WHATSAPP_USER = "whatsapp_user"


class SubscriptionState(StrEnum):
    """Consent to broadcasts.

    never --DAFTAR--> subscribed --BERHENTI--> unsubscribed --DAFTAR--> subscribed
    Only `subscribed` contacts ever receive a broadcast.
    """

    NEVER = "never"
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"


class Pending(StrEnum):
    """What the next message from a contact is expected to complete."""

    NONE = "none"
    COMPLAINT_DETAIL = "complaint_detail"  # "ADUAN" alone: the next message is the complaint
    TICKET_DESCRIPTION = "ticket_description"  # a photo without text: the next message describes it
    CONFIRM_FIX = "confirm_fix"  # a ticket was closed as done: "1" confirms, "2" reopens (14 days)


class Contact(VillageRow, table=True):
    """One resident (or official) of one village."""

    __tablename__ = "contact"

    name: str | None = Field(default=None, sa_type=String(120))
    dusun: str | None = Field(default=None, sa_type=String(80))
    rw: int | None = None
    rt: int | None = None
    tags: str = Field(default="", sa_type=String(255), description="Comma-separated tags")
    preferred_channel: Channel | None = Field(default=None, sa_type=EnumText(Channel, 20))
    fallback_channel: Channel | None = Field(default=None, sa_type=EnumText(Channel, 20))
    subscription: SubscriptionState = Field(
        default=SubscriptionState.NEVER, sa_type=EnumText(SubscriptionState, 16)
    )
    subscription_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_inbound_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    whatsapp_last_inbound_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pending: Pending = Field(default=Pending.NONE, sa_type=EnumText(Pending, 24))
    pending_ticket_id: int | None = None
    pending_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    pending_flags: str = Field(
        default="",
        sa_type=String(32),
        description="What the first part of a two-step report said: anonim, rahasia, about_head",
    )
    staff_waits_until: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="A staff command from this number waits for YA until then (a mirror of the staff row,"
        " so that the pipeline knows without a query)",
    )
    # Loop guard: the last reply sent (as a digest), how often in a row, and since when.
    loop_digest: str | None = Field(default=None, sa_type=String(16))
    loop_count: int = 0
    loop_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str | None = Field(
        default=None,
        sa_type=String(64),
        description="The staff member who added it (API or CSV import); none for a resident who wrote in",
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ContactIdentity(SQLModel, table=True):
    """A channel identity of a contact; unique within a village."""

    __tablename__ = "contact_identity"
    __table_args__ = (UniqueConstraint("village_id", "kind", "value"),)

    id: int | None = Field(default=None, primary_key=True)
    village_id: int = Field(foreign_key="village.id")
    contact_id: int = Field(foreign_key="contact.id", index=True)
    kind: IdentityKind = Field(sa_type=EnumText(IdentityKind, 16))
    value: str = Field(sa_type=String(64))


class ContactTopic(SQLModel, table=True):
    """A topic a subscribed contact chose; no rows means every topic."""

    __tablename__ = "contact_topic"
    __table_args__ = (UniqueConstraint("contact_id", "topic"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    topic: str = Field(sa_type=String(24))


class ConsentEvent(SQLModel, table=True):
    """Append-only record of every consent change: what, when, and from where."""

    __tablename__ = "consent_event"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    state: SubscriptionState = Field(sa_type=EnumText(SubscriptionState, 16))
    source: str = Field(sa_type=String(32), description="keyword, csv_import, staff, provider_opt_out")
    channel: Channel | None = Field(default=None, sa_type=EnumText(Channel, 20))
    evidence: str | None = Field(default=None, sa_type=Text, description="The message or note behind it")
    message_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
