"""The message `handlers` understands, whatever channel it came from, and what it answers."""

from collections.abc import Iterator, Mapping
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

    def __post_init__(self) -> None:
        # Whatever a phone or a provider sends is stored: NUL characters and lone surrogates, which
        # PostgreSQL refuses, are dropped or replaced here once for every channel.
        for name in ("text", "sender", "profile_name"):
            value = getattr(self, name)
            if value is not None and not _is_storable(value):
                object.__setattr__(self, name, storable(value))
        if any(not _is_storable(str(value)) for value in _strings(self.raw)):
            object.__setattr__(self, "raw", _storable_json(self.raw))


def _is_storable(text: str) -> bool:
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def storable(text: str) -> str:
    """The text without NUL characters, with lone surrogates replaced: what every database can store."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode()


def _strings(value: object) -> Iterator[object]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _storable_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {storable(str(key)): _storable_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable_json(item) for item in value]
    if isinstance(value, str):
        return storable(value)
    return value


@dataclass(frozen=True, slots=True)
class Outcome:
    """The replies to send back (possibly none) and what became of the message."""

    replies: tuple[str, ...]
    message_id: int
    duplicate: bool = False
    ticket_code: str | None = None
    intent: str | None = None
    # Broadcasts a staff command created that wait for their time, as (id, when): the caller tells the
    # scheduler once the transaction is committed (its sweep would find them anyway, later).
    scheduled: tuple[tuple[int, datetime], ...] = ()
