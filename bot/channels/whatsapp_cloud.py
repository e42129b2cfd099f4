"""Meta WhatsApp Cloud API webhooks: the verification handshake, X-Hub-Signature-256, and events turned
into `InboundMessage`s and `StatusUpdate`s.

One POST carries `entry[].changes[]`; a change with field "messages" holds `value.messages` (from
residents) and `value.statuses` (on what we sent), possibly several of each and the same wamid twice.
"""

import hashlib
import hmac
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from broadcasts.channel import StatusUpdate
from handlers.inbound import InboundMessage, Media
from models import Channel, DeliveryStatus, IdentityKind
from models.errors import BadRequest
from models.phone import log_id, to_e164

log = logging.getLogger("kentongan.whatsapp")

OBJECT = "whatsapp_business_account"
SIGNATURE_PREFIX = "sha256="
MEDIA_URL_PREFIX = "whatsapp-media:"  # the media id; fetched later with the access token
MEDIA_TYPES = ("image", "audio", "video", "document")
# Nothing to answer: a reaction or sticker on a conversation, a number change, the chat being opened.
IGNORED_TYPES = frozenset({"reaction", "sticker", "system", "request_welcome", "ephemeral"})
STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}
MAX_PROFILE_NAME = 120
MAX_ADDRESS = 64


def signature_is_valid(app_secret: str, body: bytes, header: str) -> bool:
    """Check `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>` in constant time."""
    if not app_secret or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    given = header.removeprefix(SIGNATURE_PREFIX).strip().lower()
    return given.isascii() and hmac.compare_digest(expected, given)


def verification_problem(mode: str, token: str, verify_token: str) -> str | None:
    """Why a `GET ?hub.mode=...&hub.verify_token=...` handshake is refused, or None when it is good."""
    if not verify_token:
        return "no WhatsApp verify token is configured"
    if mode != "subscribe":
        return "hub.mode must be 'subscribe'"
    if not token.isascii() or not hmac.compare_digest(token, verify_token):
        return "hub.verify_token does not match"
    return None


@dataclass(frozen=True, slots=True)
class Events:
    """What one webhook POST carried."""

    messages: tuple[InboundMessage, ...] = ()
    statuses: tuple[StatusUpdate, ...] = ()
    ignored: int = 0  # other objects and fields, reactions, stickers, statuses we do not rank


def parse_body(body: bytes) -> Events:
    """The events of a (verified) webhook body; BadRequest for JSON that is not a webhook envelope."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise BadRequest(f"body is not JSON: {error}") from error
    return parse_envelope(data)


def parse_envelope(data: object) -> Events:
    """The events of a decoded webhook envelope."""
    envelope = _mapping(data, "the body")
    if envelope.get("object") != OBJECT:
        log.info("ignoring a webhook for object %r", envelope.get("object"))
        return Events(ignored=1)
    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    ignored = 0
    for entry in _sequence(envelope.get("entry"), "entry"):
        for change in _sequence(_mapping(entry, "entry[]").get("changes", []), "entry[].changes"):
            change = _mapping(change, "entry[].changes[]")
            if change.get("field") != "messages":
                log.info("ignoring a webhook change for field %r", change.get("field"))
                ignored += 1
                continue
            value = _mapping(change.get("value"), "changes[].value")
            metadata = _mapping(value.get("metadata", {}), "value.metadata")
            contacts = [
                _mapping(c, "value.contacts[]") for c in _sequence(value.get("contacts", []), "contacts")
            ]
            for item in _sequence(value.get("messages", []), "value.messages"):
                message = parse_message(
                    _mapping(item, "value.messages[]"), metadata=metadata, contacts=contacts
                )
                if message is None:
                    ignored += 1
                else:
                    messages.append(message)
            for item in _sequence(value.get("statuses", []), "value.statuses"):
                status = parse_status(_mapping(item, "value.statuses[]"))
                if status is None:
                    ignored += 1
                else:
                    statuses.append(status)
    return Events(tuple(messages), tuple(statuses), ignored)


def parse_message(
    message: Mapping[str, Any], *, metadata: Mapping[str, Any], contacts: Sequence[Mapping[str, Any]]
) -> InboundMessage | None:
    """One resident's message; None for kinds that need no answer (reactions, stickers, system notices)."""
    kind = _text(message.get("type"))
    wamid = _text(message.get("id"))
    if not wamid:
        raise BadRequest("a message without an id")
    if kind in IGNORED_TYPES:
        log.info("ignoring a WhatsApp %s message %s", kind, log_id(wamid))
        return None
    to = _text(metadata.get("phone_number_id"))
    if not to:
        raise BadRequest("value.metadata.phone_number_id is missing")
    contact = _contact_for(message, contacts)
    sender, sender_kind = _sender(message, contact)
    text, media = _content(kind, message)
    profile = contact.get("profile") if contact else None
    name = _text(profile.get("name")) if isinstance(profile, Mapping) else ""
    return InboundMessage(
        channel=Channel.WHATSAPP_CLOUD,
        provider_id=wamid[:80],
        to=to[:MAX_ADDRESS],
        sender=sender,
        sender_kind=sender_kind,
        text=text,
        profile_name=name[:MAX_PROFILE_NAME] or None,
        media=media,
        raw={"metadata": dict(metadata), "contact": dict(contact or {}), "message": dict(message)},
        received_at=_time(message.get("timestamp")),
        reply_inline=False,  # Meta takes no reply in the response: replies go through the outbox
    )


def parse_status(status: Mapping[str, Any]) -> StatusUpdate | None:
    """A report on a message we sent; None for statuses we do not rank (such as "deleted")."""
    wamid = _text(status.get("id"))
    if not wamid:
        raise BadRequest("a status without an id")
    state = STATUSES.get(_text(status.get("status")))
    if state is None:
        log.info("ignoring WhatsApp status %r for %s", status.get("status"), log_id(wamid))
        return None
    error_code: str | None = None
    extra: dict[str, str] = {}
    errors = status.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
        code = errors[0].get("code")
        error_code = str(code)[:16] if code is not None else None
        title = _text(errors[0].get("title") or errors[0].get("message"))
        if title:
            extra["error_title"] = title[:200]
    return StatusUpdate(
        channel=Channel.WHATSAPP_CLOUD,
        status=state,
        provider_id=wamid[:80],
        error_code=error_code,
        at=_time(status.get("timestamp")),
        extra=extra,
    )


def _content(kind: str, message: Mapping[str, Any]) -> tuple[str, tuple[Media, ...]]:
    """The text a resident meant, and any attachment (kept by media id)."""
    body = message.get(kind)
    part: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    if kind == "text":
        return _text(part.get("body")), ()
    if kind == "button":  # a quick-reply button of a template
        return _text(part.get("text") or part.get("payload")), ()
    if kind == "interactive":
        reply = part.get(_text(part.get("type")))
        if isinstance(reply, Mapping):
            title = _text(reply.get("title") or reply.get("body"))
            description = _text(reply.get("description"))
            return (f"{title} - {description}" if description else title), ()
        return "", ()
    if kind in MEDIA_TYPES:
        media_id = _text(part.get("id"))
        media = (Media(url=MEDIA_URL_PREFIX + media_id, content_type=_text(part.get("mime_type"))),)
        return _text(part.get("caption")), media if media_id else ()
    if kind == "location":
        return _location(part), ()
    log.info("WhatsApp message %s of type %r has no text we read", log_id(_text(message.get("id"))), kind)
    return "", ()


def _location(part: Mapping[str, Any]) -> str:
    """A shared location as text, so a complaint keeps it: "Lokasi: lat,long (name, address)"."""
    text = f"Lokasi: {part.get('latitude', '')},{part.get('longitude', '')}"
    place = ", ".join(p for p in (_text(part.get("name")), _text(part.get("address"))) if p)
    return f"{text} ({place})" if place else text


def _contact_for(
    message: Mapping[str, Any], contacts: Sequence[Mapping[str, Any]]
) -> Mapping[str, Any] | None:
    """The contacts[] entry describing the message's sender."""
    sender, user_id = _text(message.get("from")), _text(message.get("from_user_id"))
    for contact in contacts:
        if (sender and contact.get("wa_id") == sender) or (user_id and contact.get("user_id") == user_id):
            return contact
    return contacts[0] if len(contacts) == 1 else None


def _sender(message: Mapping[str, Any], contact: Mapping[str, Any] | None) -> tuple[str, IdentityKind]:
    """The resident's E.164 phone, or their business-scoped user id when WhatsApp shares no phone."""
    contact = contact or {}
    phone = _text(message.get("from")) or _text(contact.get("wa_id"))
    if phone.isascii() and phone.isdigit():
        return (to_e164("+" + phone) or "+" + phone)[:MAX_ADDRESS], IdentityKind.PHONE
    user_id = _text(message.get("from_user_id")) or _text(contact.get("user_id")) or phone
    if not user_id:
        raise BadRequest(f"message {message.get('id')} has neither a phone nor a user id")
    return user_id[:MAX_ADDRESS], IdentityKind.WHATSAPP_USER


def _time(value: object) -> datetime | None:
    """A Unix timestamp (Meta sends it as a string) as an aware UTC datetime."""
    try:
        return datetime.fromtimestamp(int(str(value)), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _mapping(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BadRequest(f"{what} must be a JSON object")
    return value


def _sequence(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadRequest(f"{what} must be a JSON array")
    return value
