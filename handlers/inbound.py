"""The message `handlers` understands, whatever channel it came from, and what it answers."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models import Channel, IdentityKind


@dataclass(frozen=True, slots=True)
class Media:
    """A photo or other attachment, kept by URL."""

    url: str
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from a resident, already verified and normalised by its channel adapter.

    `to` is the village address it was sent to (a phone number, WhatsApp phone number id or gateway
    device); `sender` is an E.164 phone number or, for a WhatsApp user with no phone, their user id.
    """

    channel: Channel
    provider_id: str
    to: str
    sender: str
    text: str
    sender_kind: IdentityKind = IdentityKind.PHONE
    profile_name: str | None = None
    media: tuple[Media, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict)
    received_at: datetime | None = None
    # True when the provider takes the answer in the webhook response (Twilio TwiML, console); otherwise
    # the replies are queued in the outbox on the urgent lane.
    reply_inline: bool = True


@dataclass(frozen=True, slots=True)
class Outcome:
    """The replies to send back (possibly none) and what became of the message."""

    replies: tuple[str, ...]
    message_id: int
    duplicate: bool = False
    ticket_code: str | None = None
    intent: str | None = None
