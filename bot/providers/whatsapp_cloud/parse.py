"""Meta WhatsApp Cloud API webhook events turned into `InboundMessage`s and `StatusUpdate`s. The body
arrives verified (verify.py: X-Hub-Signature-256, and the subscription handshake); the routes are in
webhooks.py.

One POST carries `entry[].changes[]`; a change with field "messages" holds `value.messages` (from
residents) and `value.statuses` (on what we sent), possibly several of each and the same wamid twice.
"""

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from broadcasts.channel import StatusUpdate
from handlers.inbound import (
    CONTACTS,
    EDIT,
    FORM,
    ORDER,
    REVOKE,
    UNSUPPORTED,
    InboundMessage,
    Location,
    Media,
    Revision,
)
from models import Channel, DeliveryStatus, IdentityKind
from models.errors import BadRequest
from models.phone import log_id, to_e164

log = logging.getLogger("kentongan.whatsapp")

OBJECT = "whatsapp_business_account"
MEDIA_URL_PREFIX = "whatsapp-media:"  # the media id; fetched later with the access token
MEDIA_TYPES = ("image", "audio", "video", "document")
MAX_MEDIA_ID = 128
# Nothing to answer: a reaction or sticker on a conversation, a number change, the chat being opened.
IGNORED_TYPES = frozenset({"reaction", "sticker", "system", "request_welcome", "ephemeral"})
# Content with no text to read, answered with what was received and what to do instead.
UNREADABLE_TYPES = {"contacts": CONTACTS, "order": ORDER, "unsupported": UNSUPPORTED}
STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}
MAX_PROFILE_NAME = 120
MAX_ADDRESS = 64


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
    refused: list[BadRequest] = []
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
                try:
                    message = parse_message(
                        _mapping(item, "value.messages[]"), metadata=metadata, contacts=contacts
                    )
                except BadRequest as error:
                    refused.append(error)
                    continue
                if message is None:
                    ignored += 1
                else:
                    messages.append(message)
            for item in _sequence(value.get("statuses", []), "value.statuses"):
                try:
                    status = parse_status(_mapping(item, "value.statuses[]"))
                except BadRequest as error:
                    refused.append(error)
                    continue
                if status is None:
                    ignored += 1
                else:
                    statuses.append(status)
    if refused and not messages and not statuses:
        raise refused[0]  # nothing in the POST can be used: 400 with the reason
    for problem in refused:
        # Meta batches events and retries a refused POST whole for days: one bad event must not keep
        # the others out. It is counted as skipped, with its reason (no content) in the log.
        log.warning("skipping a malformed WhatsApp event in a batch: %s", problem.message)
    return Events(tuple(messages), tuple(statuses), ignored + len(refused))


def parse_message(
    message: Mapping[str, Any], *, metadata: Mapping[str, Any], contacts: Sequence[Mapping[str, Any]]
) -> InboundMessage | None:
    """One resident's message; None for kinds that need no answer (reactions, stickers, system notices).

    An `edit` carries the edited message's id and its new content, of any type (read as that type); a
    `revoke` (the resident deleted a message) only the id. Shapes as in pywa's fixtures of Meta's
    webhooks (github.com/david-lev/pywa, tests/data/updates/edit_message.json and delete_message.json).
    """
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
    revises: Revision | None = None
    content: Mapping[str, Any] = message
    if kind in (EDIT, REVOKE):
        change = _part(message, kind)
        original = _text(change.get("original_message_id"))
        if not original:
            log.info("ignoring a WhatsApp %s %s that names no message", kind, log_id(wamid))
            return None
        revises = Revision(kind, original)
        edited = change.get("message")
        content = edited if kind == EDIT and isinstance(edited, Mapping) else {}
    contact = _contact_for(message, contacts)
    sender, sender_kind = _sender(message, contact)
    read = _content(_text(content.get("type")), content, wamid) if content else _Content()
    profile = contact.get("profile") if contact else None
    name = _text(profile.get("name")) if isinstance(profile, Mapping) else ""
    return InboundMessage(
        channel=Channel.WHATSAPP_CLOUD,
        provider_id=wamid,
        to=to[:MAX_ADDRESS],
        sender=sender,
        sender_kind=sender_kind,
        text=read.text,
        profile_name=name[:MAX_PROFILE_NAME] or None,
        media=read.media,
        raw={"metadata": dict(metadata), "contact": dict(contact or {}), "message": dict(message)},
        received_at=_time(message.get("timestamp")),
        reply_inline=False,  # Meta takes no reply in the response: replies go through the outbox
        location=read.location,
        unreadable=read.unreadable,
        revises=revises,
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
        provider_id=wamid,
        error_code=error_code,
        at=_time(status.get("timestamp")),
        extra=extra,
    )


@dataclass(frozen=True, slots=True)
class _Content:
    """What a message (or an edit's new version) holds."""

    text: str = ""
    media: tuple[Media, ...] = ()
    location: Location | None = None
    unreadable: str | None = None


def _content(kind: str, message: Mapping[str, Any], wamid: str) -> _Content:
    """The text a resident meant, any attachment (kept by media id), a shared place, or what was
    received that has no text to read."""
    part = _part(message, kind)
    if kind == "text":
        return _Content(_text(part.get("body")))
    if kind == "button":  # a quick-reply button of a template
        return _Content(_text(part.get("text") or part.get("payload")))
    if kind == "interactive":
        reply_kind = _text(part.get("type"))
        reply = part.get(reply_kind)
        if reply_kind in ("button_reply", "list_reply") and isinstance(reply, Mapping):
            title = _text(reply.get("title"))
            description = _text(reply.get("description"))
            return _Content(f"{title} - {description}" if description else title)
        # A WhatsApp Flow's form (nfm_reply: its answers are JSON and its body just "Sent"), or an
        # interactive message Meta could not show us (no interactive object, an error beside it).
        return _Content(unreadable=FORM if reply_kind == "nfm_reply" else UNSUPPORTED)
    if kind in MEDIA_TYPES:
        media_id = _text(part.get("id"))
        if not _media_id_ok(media_id):
            log.warning("WhatsApp message %s: %s id dropped (not a media id)", log_id(wamid), kind)
            media: tuple[Media, ...] = ()
        else:
            media = (Media(url=MEDIA_URL_PREFIX + media_id, content_type=_text(part.get("mime_type"))),)
        caption = _text(part.get("caption"))
        return _Content(caption, media, unreadable=None if media or caption else UNSUPPORTED)
    if kind == "location":
        place = Location.parse(
            part.get("latitude"), part.get("longitude"), _text(part.get("name")), _text(part.get("address"))
        )
        if place is None:
            log.info("WhatsApp message %s: a location without coordinates", log_id(wamid))
        return _Content(location=place, unreadable=None if place else UNSUPPORTED)
    if kind in UNREADABLE_TYPES:  # an order may hold a note
        return _Content(_text(part.get("text")) if kind == "order" else "", unreadable=UNREADABLE_TYPES[kind])
    log.info("WhatsApp message %s of type %r has no text we read", log_id(wamid), kind)
    return _Content(unreadable=UNSUPPORTED)


def _media_id_ok(media_id: str) -> bool:
    """A media id as Meta gives them (digits; letters, '_', '-' and '.' tolerated), nothing else: it
    becomes a `whatsapp-media:` URL of ours, fetched later with our access token."""
    return (
        0 < len(media_id) <= MAX_MEDIA_ID
        and media_id.isascii()
        and all(c.isalnum() or c in "_-." for c in media_id)
    )


def _part(message: Mapping[str, Any], kind: str) -> Mapping[str, Any]:
    """The object under the message's type ("text": {...}), or an empty one."""
    body = message.get(kind) if kind else None
    return body if isinstance(body, Mapping) else {}


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
    phone = (_text(message.get("from")) or _text(contact.get("wa_id"))).replace("\x00", "")
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
