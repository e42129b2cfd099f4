"""What the dispatcher sends through, and what providers tell it back.

`broadcasts` defines these; `bot/providers/` implements them, one package per provider (Twilio, the
WhatsApp Cloud API, the Android SMS gateway, the console): its `send.py` is the `ChannelAdapter`, and its
`parse.py` turns the provider's status callbacks into `StatusUpdate`s.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from models import Channel, DeliveryStatus


@dataclass(frozen=True, slots=True)
class Template:
    """An approved WhatsApp template: Twilio ContentSid (HX...) or a Meta template name, and its variables."""

    name: str
    variables: tuple[str, ...] = ()
    language: str = "id"


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """One outbox row, as an adapter needs it."""

    outbox_id: int
    channel: Channel
    sender: str  # the village address: a phone number, a WhatsApp phone number id, a gateway device
    to: str  # E.164 phone, or a WhatsApp user id
    body: str
    template: Template | None = None  # WhatsApp outside the 24-hour window
    validity_seconds: int | None = None  # drop it if not delivered by then (broadcasts)


class SendOutcome(StrEnum):
    """How a provider answered a send, in the dispatcher's terms."""

    ACCEPTED = "accepted"  # taken; callbacks will follow
    ALREADY_SENT = "already_sent"  # the provider had it already (Android gateway 409): as accepted
    RETRY = "retry"  # rate limit, 5xx, timeout, connection failure: try again later
    FAILED = "failed"  # permanent: bad number, not a mobile, bad template
    OPTED_OUT = "opted_out"  # the recipient stopped messages: unsubscribe them
    NEEDS_TEMPLATE = "needs_template"  # WhatsApp outside the window: send the template or fall back to SMS
    UNDELIVERABLE = "undeliverable"  # WhatsApp cannot reach them: fall back to SMS where possible


@dataclass(frozen=True, slots=True)
class SendResult:
    """The outcome of one send, with the provider's own id and error when it gave them."""

    outcome: SendOutcome
    provider_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    retry_after: float | None = None  # seconds, when the provider said


class ChannelAdapter(Protocol):
    """Sends through one provider. Implementations never raise for provider or network errors."""

    channel: Channel

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Hand the message to the provider."""
        ...


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """A provider's report on a message we sent, identified by its id or ours."""

    channel: Channel
    status: DeliveryStatus
    provider_id: str | None = None
    outbox_id: int | None = None
    error_code: str | None = None
    at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)
