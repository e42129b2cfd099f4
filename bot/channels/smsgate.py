"""Android SMS gateway (capcom6 "SMS Gateway for Android") webhooks: X-Signature, and events turned into
`InboundMessage`s and `StatusUpdate`s.

Every event is one POST `{"deviceId", "event", "id", "webhookId", "payload"}`. The device is the village
address. For what we sent, `payload.messageId` is the id we gave the gateway: our outbox row id.
"""

import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from broadcasts.channel import StatusUpdate
from handlers.inbound import InboundMessage
from models import Channel, DeliveryStatus, IdentityKind
from models.errors import BadRequest
from models.phone import to_e164

log = logging.getLogger("kentongan.smsgate")

MAX_CLOCK_SKEW = timedelta(minutes=5)
RECEIVED = "sms:received"
STATUSES = {
    "sms:sent": DeliveryStatus.SENT,
    "sms:delivered": DeliveryStatus.DELIVERED,
    "sms:failed": DeliveryStatus.FAILED,
}
MAX_ADDRESS = 64
MAX_ERROR_CODE = 16


def signature_is_valid(signing_key: str, body: bytes, timestamp: str, signature: str) -> bool:
    """Check `X-Signature` = hex HMAC-SHA256(signing key, raw body + X-Timestamp) in constant time."""
    if not signing_key or not timestamp or not signature:
        return False
    expected = hmac.new(signing_key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()
    given = signature.strip().lower()
    return given.isascii() and hmac.compare_digest(expected, given)


def timestamp_is_fresh(timestamp: str, *, now: datetime) -> bool:
    """True when `X-Timestamp` (Unix seconds) is within five minutes of now, either way (no replays)."""
    try:
        sent_at = datetime.fromtimestamp(int(timestamp), UTC)
    except (ValueError, OverflowError, OSError):
        return False
    return abs(now - sent_at) <= MAX_CLOCK_SKEW


@dataclass(frozen=True, slots=True)
class Event:
    """One gateway event: a resident's SMS, a report on one we sent, or something we do not act on."""

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
    if kind == RECEIVED or kind in STATUSES:
        if not isinstance(payload, Mapping):
            raise BadRequest(f"{kind} needs a payload object")
        if kind == RECEIVED:
            return Event(kind, device_id, event_id, message=parse_received(data, payload))
        status = parse_status(kind, payload)
        return Event(kind, device_id, event_id, status=status, unknown_id=status is None)
    log.info("ignoring gateway event %r from device %s", kind, device_id)
    return Event(kind, device_id, event_id)


def parse_received(data: Mapping[str, Any], payload: Mapping[str, Any]) -> InboundMessage:
    """A resident's SMS to the village phone."""
    raw_sender = _text(payload.get("sender") or payload.get("phoneNumber")).strip()
    if not raw_sender:
        raise BadRequest("sms:received without a sender")
    provider_id = _provider_id(data, payload, raw_sender)
    return InboundMessage(
        channel=Channel.SMSGATE,
        provider_id=provider_id,
        to=_text(data.get("deviceId"))[:MAX_ADDRESS],
        # National formats (0812..., 62812...) become E.164; anything else (short codes, operator names) is
        # kept as it came, so nothing is lost.
        sender=(to_e164(raw_sender) or raw_sender)[:MAX_ADDRESS],
        sender_kind=IdentityKind.PHONE,
        text=_text(payload.get("message")),
        raw=dict(data),
        received_at=_time(payload.get("receivedAt")),
        reply_inline=False,  # the gateway takes no reply in the response: replies go through the outbox
    )


def parse_status(kind: str, payload: Mapping[str, Any]) -> StatusUpdate | None:
    """A report on an SMS we sent; None when its id is not one of our outbox ids."""
    message_id = _text(payload.get("messageId")).strip()
    if not (message_id.isascii() and message_id.isdigit()):
        log.info("gateway %s for message id %r, which is not ours", kind, message_id)
        return None
    state = STATUSES[kind]
    reason = _text(payload.get("reason")).strip()
    at_field = {"sms:sent": "sentAt", "sms:delivered": "deliveredAt", "sms:failed": "failedAt"}[kind]
    return StatusUpdate(
        channel=Channel.SMSGATE,
        status=state,
        outbox_id=int(message_id),
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
