"""Android SMS gateway (capcom6 "SMS Gateway for Android") webhook events turned into `InboundMessage`s
and `StatusUpdate`s. The body arrives verified (verify.py: X-Signature and X-Timestamp); the routes are
in webhooks.py.

Every event is one POST `{"deviceId", "event", "id", "webhookId", "payload"}`. The device is the village
address. For what we sent, `payload.messageId` is the id we gave the gateway: our outbox row id.

A resident's MMS (a photo from a phone without WhatsApp) comes as two events. Their shapes, from the
gateway's docs (android-sms-gateway/docs-web, docs/features/mms.md and webhooks.md, commit af975373) and
the app's source (capcom6/android-sms-gateway, commit 0cdc5d86: modules/receiver/ReceiverService.kt,
MmsContentObserver.kt, MmsContentReader.kt, modules/webhooks/payload/Mms*Payload.kt):
- `mms:received`, when the phone is told an MMS waits (WAP push): `messageId`, `sender`, `recipient`,
  `simNumber`, `transactionId`, `subject`, `size`, `contentClass`, `receivedAt`. No content at all.
- `mms:downloaded`, once the phone has fetched it: `messageId`, `sender`, `recipient`, `simNumber`,
  `body` (its text parts joined), `subject`, `receivedAt` and `attachments` [{`partId`, `contentType`,
  `name`, `size`, `data`: base64 or null}] (the SMIL layout part left out).
The notice is acknowledged and logged, nothing more: there is nothing in it to answer or to keep, and
its `messageId` (the MMS's Message-ID header, or its transaction id) is not the one `mms:downloaded`
carries (the phone's own MMS row id), so the two cannot be joined. `mms:downloaded` alone becomes the
message, once, keyed by its `messageId` (a repeat is a duplicate): its text is the body (or the subject
when there is no body), and its images, sounds and videos up to 1 MB each (1.5 MB in all) are kept in
the message's media as `data:` URLs. A larger or unreadable attachment is dropped with a log line and a
note in the stored event (whose attachment data is never stored twice); an MMS of which nothing could be
kept and that has no words is `unreadable` (UNSUPPORTED), not an empty message.
"""

import base64
import binascii
import hashlib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from broadcasts.channel import StatusUpdate
from handlers.inbound import UNSUPPORTED, InboundMessage, Media
from models import Channel, DeliveryStatus, IdentityKind
from models.base import id_from_text
from models.errors import BadRequest
from models.phone import mask, sender_e164

log = logging.getLogger("kentongan.smsgate")

RECEIVED = "sms:received"
STATUSES = {
    "sms:sent": DeliveryStatus.SENT,
    "sms:delivered": DeliveryStatus.DELIVERED,
    "sms:failed": DeliveryStatus.FAILED,
}
MMS_RECEIVED = "mms:received"  # the notice: no content yet
MMS_DOWNLOADED = "mms:downloaded"  # the content
MAX_ADDRESS = 64
MAX_ERROR_CODE = 16
# What of an MMS is kept: media a cadre can look at or listen to, each up to 1 MB decoded and 1.5 MB in
# all (2 MB base64; the webhook body may be 3 MB, bot/limits.py), at most 10 of them. Text parts are
# already the body; anything else (a contact card) is not kept.
MMS_MEDIA_KINDS = ("image/", "audio/", "video/")
MAX_MMS_ATTACHMENT = 1024 * 1024
MAX_MMS_TOTAL = 3 * 1024 * 1024 // 2
MAX_MMS_MEDIA = 10
# Placeholders some phones put in an MMS subject: no words from the resident.
NO_SUBJECT = frozenset({"nosubject", "no subject", "<no subject>", "(no subject)", "tanpa subjek"})
_MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,47}/[a-z0-9][a-z0-9!#$&^_.+-]{0,47}")


@dataclass(frozen=True, slots=True)
class Event:
    """One gateway event: a resident's SMS or MMS, a report on one we sent, or something we do not act
    on (an MMS's notice among them)."""

    kind: str
    device_id: str
    event_id: str
    message: InboundMessage | None = None
    status: StatusUpdate | None = None
    unknown_id: bool = False  # a status report for a message id that cannot be ours


def parse_body(body: bytes) -> Event:
    """The event of a (verified) webhook body; BadRequest for JSON that is not a gateway event."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise BadRequest(f"body is not JSON: {error}") from error
    if not isinstance(data, Mapping):
        raise BadRequest("the body must be a JSON object")
    return parse_event(data)


def parse_event(data: Mapping[str, Any]) -> Event:
    """The event of a decoded webhook body."""
    kind, device_id, event_id = _text(data.get("event")), _text(data.get("deviceId")), _text(data.get("id"))
    if not kind or not device_id:
        raise BadRequest("event and deviceId are required")
    payload = data.get("payload")
    if kind in (RECEIVED, MMS_RECEIVED, MMS_DOWNLOADED) or kind in STATUSES:
        if not isinstance(payload, Mapping):
            raise BadRequest(f"{kind} needs a payload object")
        if kind == RECEIVED:
            return Event(kind, device_id, event_id, message=parse_received(data, payload))
        if kind == MMS_DOWNLOADED:
            return Event(kind, device_id, event_id, message=parse_mms(data, payload))
        if kind == MMS_RECEIVED:
            log_mms_notice(device_id, payload)
            return Event(kind, device_id, event_id)
        status = parse_status(kind, payload)
        return Event(kind, device_id, event_id, status=status, unknown_id=status is None)
    log.info("ignoring gateway event %r from device %s", kind[:40], device_id[:MAX_ADDRESS])
    return Event(kind, device_id, event_id)


def parse_received(data: Mapping[str, Any], payload: Mapping[str, Any]) -> InboundMessage:
    """A resident's SMS to the village phone."""
    raw_sender = _sender(payload, RECEIVED)
    provider_id = _provider_id(data, payload, raw_sender)
    return InboundMessage(
        channel=Channel.SMSGATE,
        provider_id=provider_id,
        to=_text(data.get("deviceId"))[:MAX_ADDRESS],
        sender=_stored_sender(raw_sender),
        sender_kind=IdentityKind.PHONE,
        text=_text(payload.get("message")),
        raw=dict(data),
        received_at=_time(payload.get("receivedAt")),
        reply_inline=False,  # the gateway takes no reply in the response: replies go through the outbox
    )


def log_mms_notice(device_id: str, payload: Mapping[str, Any]) -> None:
    """`mms:received`: an MMS waits on the phone. Logged; its content comes with `mms:downloaded`."""
    log.info(
        "gateway device %s: MMS %r from %s announced (%s bytes, %s); kept when mms:downloaded brings it",
        device_id[:MAX_ADDRESS],
        _text(payload.get("messageId"))[:80],
        mask(_text(payload.get("sender") or payload.get("phoneNumber")).strip()[:MAX_ADDRESS]),
        _text(payload.get("size"))[:20] or "?",
        _text(payload.get("contentClass"))[:40] or "no content class",
    )


def parse_mms(data: Mapping[str, Any], payload: Mapping[str, Any]) -> InboundMessage:
    """`mms:downloaded`: a resident's MMS with its text and attachments (see the module's docstring)."""
    raw_sender = _sender(payload, MMS_DOWNLOADED)
    message_id = _text(payload.get("messageId")).strip()
    if not message_id:
        event_id = _text(data.get("id"))
        if not event_id:
            raise BadRequest("mms:downloaded without a messageId or an event id")
        message_id = event_id
    # The phone's MMS row id: unique on that phone while its message store lasts. The device, the sender
    # and the time beside it keep a new MMS apart from an old one should the phone's store be reset.
    parts = (data.get("deviceId"), raw_sender, payload.get("receivedAt"), message_id)
    digest = hashlib.blake2b("\x1f".join(_text(p) for p in parts).encode(), digest_size=12).hexdigest()
    body = _text(payload.get("body")).strip()
    subject = _text(payload.get("subject")).strip()
    text = body or ("" if subject.lower() in NO_SUBJECT else subject)
    attachments = payload.get("attachments")
    media, notes = _mms_media(attachments if isinstance(attachments, list) else [])
    kept = dict(payload)
    kept["attachments"] = notes  # what each attachment was and what became of it, without its data
    raw = {**data, "payload": kept}
    dropped = [note for note in notes if note["stored"] != "media"]
    if dropped:
        log.warning(
            "gateway MMS %r from %s: %d of %d attachments not kept (%s)",
            message_id[:80],
            mask(raw_sender[:MAX_ADDRESS]),
            len(dropped),
            len(notes),
            "; ".join(f"{note['contentType']} {note['bytes']} bytes: {note['stored']}" for note in dropped),
        )
    return InboundMessage(
        channel=Channel.SMSGATE,
        provider_id=f"mms-{message_id[:40]}-{digest}",
        to=_text(data.get("deviceId"))[:MAX_ADDRESS],
        sender=_stored_sender(raw_sender),
        sender_kind=IdentityKind.PHONE,
        text=text,
        media=tuple(media),
        raw=raw,
        received_at=_time(payload.get("receivedAt")),
        reply_inline=False,
        # Sent something, of which nothing could be kept and no words: not an empty message.
        unreadable=UNSUPPORTED if notes and not media and not text else None,
    )


def _mms_media(attachments: list[Any]) -> tuple[list[Media], list[dict[str, Any]]]:
    """The attachments kept as media (`data:` URLs), and a note on every attachment without its data."""
    media: list[Media] = []
    notes: list[dict[str, Any]] = []
    total = 0
    for item in attachments[:50]:
        if not isinstance(item, Mapping):
            continue
        content_type = _text(item.get("contentType")).split(";", 1)[0].strip().lower()
        data = item.get("data")
        note: dict[str, Any] = {
            "partId": item.get("partId") if isinstance(item.get("partId"), int) else None,
            "contentType": content_type[:100],
            "name": _text(item.get("name"))[:100] or None,
            "size": item.get("size") if isinstance(item.get("size"), int) else None,
            "bytes": None,
            "stored": "media",
        }
        notes.append(note)
        decoded, problem = _decoded(data, limit=min(MAX_MMS_ATTACHMENT, MAX_MMS_TOTAL - total))
        if decoded is not None:
            note["bytes"] = len(decoded)
        elif isinstance(data, str):
            note["bytes"] = len(data) * 3 // 4  # about as many as the base64 holds
        if not _MIME_TYPE.fullmatch(content_type) or not content_type.startswith(MMS_MEDIA_KINDS):
            note["stored"] = "not kept: not an image, sound or video"
        elif len(media) >= MAX_MMS_MEDIA:
            note["stored"] = f"not kept: more than {MAX_MMS_MEDIA} attachments"
        elif decoded is None:
            note["stored"] = f"not kept: {problem}"
        else:
            total += len(decoded)
            encoded = base64.b64encode(decoded).decode("ascii")
            media.append(Media(url=f"data:{content_type};base64,{encoded}", content_type=content_type))
    return media, notes


def _decoded(data: object, *, limit: int) -> tuple[bytes | None, str]:
    """The bytes of an attachment's base64 `data` when they are at most `limit`; else None and why."""
    if not isinstance(data, str) or not data.strip():
        return None, "no content (the phone could not read it)"
    text = "".join(data.split())
    if len(text) * 3 // 4 > limit + 2:  # refused before decoding: the size shows in the length
        return None, "over the size limit (1 MB each, 1.5 MB in all)"
    try:
        decoded = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None, "not base64"
    if not decoded:
        return None, "no content (the phone could not read it)"
    if len(decoded) > limit:
        return None, "over the size limit (1 MB each, 1.5 MB in all)"
    return decoded, ""


def parse_status(kind: str, payload: Mapping[str, Any]) -> StatusUpdate | None:
    """A report on an SMS we sent; None when its id is not one of our outbox ids (not a plain number, or
    out of the id column's range: a 20-digit id must never reach a query)."""
    message_id = _text(payload.get("messageId")).strip()
    outbox_id = id_from_text(message_id)
    if outbox_id is None:
        log.info("gateway %s for message id %r, which is not ours", kind, message_id[:80])
        return None
    state = STATUSES[kind]
    reason = _text(payload.get("reason")).strip()
    at_field = {"sms:sent": "sentAt", "sms:delivered": "deliveredAt", "sms:failed": "failedAt"}[kind]
    return StatusUpdate(
        channel=Channel.SMSGATE,
        status=state,
        outbox_id=outbox_id,
        error_code=(reason[:MAX_ERROR_CODE] or None) if state == DeliveryStatus.FAILED else None,
        at=_time(payload.get(at_field)),
        extra={"reason": reason[:500]} if reason else {},
    )


def _provider_id(data: Mapping[str, Any], payload: Mapping[str, Any], sender: str) -> str:
    """A stable id for a received SMS, the same on every retry of its webhook.

    The gateway's `messageId` is a 32-bit hash of the SMS (sender, time, text): stable, but two different
    messages may share it, and a shared id would drop the second as a repeat. A digest of the device, the
    sender, the time and the text beside it keeps it readable and unique. Old versions send no messageId:
    the event id (the same on every retry) stands in.
    """
    message_id = _text(payload.get("messageId"))
    if not message_id:
        event_id = _text(data.get("id"))
        if not event_id:
            raise BadRequest("sms:received without a messageId or an event id")
        return event_id[:80]
    parts = (data.get("deviceId"), sender, payload.get("receivedAt"), payload.get("message"), message_id)
    digest = hashlib.blake2b("\x1f".join(_text(p) for p in parts).encode(), digest_size=12).hexdigest()
    return f"{message_id[:40]}-{digest}"


def _sender(payload: Mapping[str, Any], kind: str) -> str:
    """The sender as the phone reported it (`sender`; `phoneNumber` in older versions of the app)."""
    raw_sender = _text(payload.get("sender") or payload.get("phoneNumber")).strip()
    if not raw_sender:
        raise BadRequest(f"{kind} without a sender")
    return raw_sender


def _stored_sender(raw_sender: str) -> str:
    """The sender in E.164 when it is a valid number (models/phone.py `sender_e164`: 0812... is read in
    Indonesia, 6281... and 1650... keep their country code); anything else (an operator's name, a short
    code, a number whose country cannot be told) is kept as it came, and without a "+" never answered."""
    return (sender_e164(raw_sender) or raw_sender)[:MAX_ADDRESS]


def _time(value: object) -> datetime | None:
    """An ISO 8601 time from the device (its local zone, with offset) as an aware datetime."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
