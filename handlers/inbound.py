"""The message `handlers` understands, whatever channel it came from, and what it answers."""

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models import Channel, IdentityKind
from models.errors import BadRequest

# Provider message ids are stored whole (message.provider_id and outbox.provider_id hold 255 characters);
# a longer one is refused. Cut, two ids sharing their first characters would make the second a "repeat".
MAX_PROVIDER_ID = 255
# WhatsApp's own limit for a text (Twilio's is 1,600). A longer text is cut to this, on every channel, and
# its length as received is kept (`cut_from`, stored as message.body_cut_from); strings in `raw` likewise.
MAX_TEXT = 4096
MAX_CONTENT_TYPE = 100
MAX_PLACE = 200  # a shared location's label or address


@dataclass(frozen=True, slots=True)
class Media:
    """A photo or other attachment, kept by URL."""

    url: str
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class Location:
    """A place the resident shared (WhatsApp): its coordinates, and the name and address the app gave."""

    latitude: float
    longitude: float
    label: str = ""
    address: str = ""

    @staticmethod
    def parse(latitude: object, longitude: object, label: str = "", address: str = "") -> "Location | None":
        """The location, or None when the coordinates are not numbers on the globe."""
        try:
            lat, lon = float(str(latitude).strip()), float(str(longitude).strip())
        except ValueError:
            return None
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        return Location(lat, lon, label.strip()[:MAX_PLACE], address.strip()[:MAX_PLACE])

    def text(self) -> str:
        """As a complaint keeps it: "Lokasi: -6.9147,107.6098 (Jembatan Cibodas, RT 02 RW 03)"."""
        where = f"Lokasi: {_coordinate(self.latitude)},{_coordinate(self.longitude)}"
        place = ", ".join(part for part in (self.label, self.address) if part)
        return f"{where} ({place})" if place else where

    def as_json(self) -> dict[str, Any]:
        """As message.location stores it."""
        return {
            "latitude": self.latitude,
            "longitude": self.longitude,
            "label": self.label,
            "address": self.address,
        }


def _coordinate(value: float) -> str:
    """A coordinate as people write it: -6.9147, 107.6 (never 1e-05 nor 107.60980000000001), to four
    decimals (about 11 m; message.location keeps every digit). More would make it a number of eight
    digits, which the texts staff and the public read hide as a phone or an NIK (models/phone.py)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


EDIT, REVOKE = "edit", "revoke"


@dataclass(frozen=True, slots=True)
class Revision:
    """What a message does to an earlier one of the same resident (WhatsApp): `EDIT` it (the new content
    is this message's own text and media) or delete it (`REVOKE`). `original_id` is the provider id of
    the earlier message."""

    kind: str
    original_id: str


# What a message carried that has no text to read, as `InboundMessage.unreadable` names it.
CONTACTS, ORDER, FORM, UNSUPPORTED = "contacts", "order", "form", "unsupported"


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """One message from a resident, already verified and normalised by its channel adapter.

    `to` is the village address it was sent to (a phone number, WhatsApp phone number id or gateway
    device); `sender` is an E.164 phone number or, for a WhatsApp user with no phone, their user id.
    `location` is a place shared (the text is then the resident's own words, often none); `unreadable`
    names content there is no text in (a contact card, an order, a form, a kind the provider could not
    show: CONTACTS, ORDER, FORM, UNSUPPORTED); `revises` says that the message edits or deletes an
    earlier one.
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
    location: Location | None = None
    unreadable: str | None = None
    revises: Revision | None = None
    # The text's length as received when it was longer than MAX_TEXT and `text` holds its beginning.
    cut_from: int | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        # Whatever a phone or a provider sends is stored: NUL characters and lone surrogates, which
        # PostgreSQL refuses, are dropped or replaced here once for every channel, in every string that
        # reaches the database.
        for name in ("text", "sender", "profile_name", "provider_id", "to", "unreadable"):
            value = getattr(self, name)
            if value is not None and not _is_storable(value):
                object.__setattr__(self, name, storable(value))
        if len(self.provider_id) > MAX_PROVIDER_ID:
            length = len(self.provider_id)
            raise BadRequest(f"a message id of {length} characters: at most {MAX_PROVIDER_ID} are stored")
        if len(self.text) > MAX_TEXT:
            object.__setattr__(self, "cut_from", len(self.text))
            object.__setattr__(self, "text", self.text[:MAX_TEXT])
        if any(not (_is_storable(m.url) and _is_storable(m.content_type)) for m in self.media) or any(
            len(m.content_type) > MAX_CONTENT_TYPE for m in self.media
        ):
            clean = (Media(storable(m.url), storable(m.content_type)[:MAX_CONTENT_TYPE]) for m in self.media)
            object.__setattr__(self, "media", tuple(clean))
        if self.location is not None and not (
            _is_storable(self.location.label) and _is_storable(self.location.address)
        ):
            place = self.location
            label, address = storable(place.label), storable(place.address)
            object.__setattr__(self, "location", Location(place.latitude, place.longitude, label, address))
        if self.revises is not None and not _is_storable(self.revises.original_id):
            revision = Revision(self.revises.kind, storable(self.revises.original_id))
            object.__setattr__(self, "revises", revision)
        if any(not _is_storable(str(value)) or len(str(value)) > MAX_TEXT for value in _strings(self.raw)):
            object.__setattr__(self, "raw", _storable_json(self.raw))

    @property
    def attached(self) -> bool:
        """Whether the message carries something besides its text that a complaint keeps (a photo or other
        file, a location): alone, it opens a complaint that waits for its description."""
        return bool(self.media or self.location)

    @property
    def stored_text(self) -> str:
        """The text as the message log keeps it: the resident's words, and the place they shared."""
        if self.location is None:
            return self.text
        return f"{self.text}\n{self.location.text()}" if self.text else self.location.text()


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
    """`value` with every string storable and at most MAX_TEXT characters (a 1 MB text is not kept twice)."""
    if isinstance(value, Mapping):
        return {storable(str(key))[:MAX_TEXT]: _storable_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable_json(item) for item in value]
    if isinstance(value, str):
        return storable(value)[:MAX_TEXT]
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
