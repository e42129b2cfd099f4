"""Twilio SMS and WhatsApp: webhook forms turned into an `InboundMessage`, status callbacks into a
`StatusUpdate`. The forms arrive verified (verify.py); the routes are in webhooks.py."""

import logging
from collections.abc import Mapping

from bot.providers import media as media_urls
from broadcasts.channel import StatusUpdate
from handlers.inbound import CONTACTS, ORDER, UNSUPPORTED, InboundMessage, Location, Media
from models import Channel, DeliveryStatus, IdentityKind
from models.base import id_from_text
from models.errors import BadRequest
from models.phone import to_e164

log = logging.getLogger("kentongan.twilio")

WHATSAPP_PREFIX = "whatsapp:"
MAX_MEDIA = 10  # Twilio sends at most 10 media items per message


def _address(value: str) -> tuple[str, IdentityKind]:
    """A Twilio From/To without the channel prefix, as an E.164 phone or a WhatsApp user id."""
    bare = value.removeprefix(WHATSAPP_PREFIX).strip()
    phone = to_e164(bare) if bare.startswith("+") or bare.isdigit() else None
    if phone is not None:
        return phone, IdentityKind.PHONE
    # WhatsApp users without a phone number (ExternalUserId such as "US.1234...") and alphanumeric senders.
    return bare[:64], IdentityKind.WHATSAPP_USER if value.startswith(WHATSAPP_PREFIX) else IdentityKind.PHONE


# WhatsApp message types (MessageType) that carry text, media or a location Kentongan reads; an empty
# message of another type (a contact card, an order, one Twilio could not show) is answered as such.
READ_TYPES = frozenset({"", "text", "image", "video", "audio", "document", "sticker", "location", "button"})
UNREADABLE_TYPES = {"contacts": CONTACTS, "order": ORDER}


def parse_inbound(form: Mapping[str, str]) -> InboundMessage:
    """An inbound Twilio SMS or WhatsApp message; unknown extra fields are kept in `raw` and ignored.

    A MessageSid longer than the column is refused (400), never cut; media URLs that are not Twilio's
    own https URLs are dropped; a WhatsApp location (`Latitude`, `Longitude`, optional `Label` and
    `Address`; `MessageType=location`, often no `Body`) becomes the message's location.
    """
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or form.get("SmsSid") or ""
    # NUL (which PostgreSQL refuses) goes before the addresses are read: "+62812...\x00" is a phone.
    sender_raw, to_raw = (form.get(name, "").replace("\x00", "") for name in ("From", "To"))
    if not sid or not sender_raw or not to_raw:
        raise BadRequest("MessageSid, From and To are required")
    channel = Channel.TWILIO_WHATSAPP if to_raw.startswith(WHATSAPP_PREFIX) else Channel.TWILIO_SMS
    sender, kind = _address(sender_raw)
    to, _ = _address(to_raw)
    try:
        num_media = min(int(form.get("NumMedia", "0") or 0), MAX_MEDIA)
    except ValueError:
        num_media = 0
    given = (
        Media(url=form[f"MediaUrl{i}"], content_type=form.get(f"MediaContentType{i}", ""))
        for i in range(num_media)
        if form.get(f"MediaUrl{i}")
    )
    media = media_urls.kept(given, hosts=media_urls.TWILIO_HOSTS, channel=channel, message_id=sid)
    location = None
    if form.get("Latitude") or form.get("Longitude"):
        latitude, longitude = form.get("Latitude", ""), form.get("Longitude", "")
        location = Location.parse(latitude, longitude, form.get("Label", ""), form.get("Address", ""))
        if location is None:
            log.info("Twilio message %s: a location that is not one (Latitude/Longitude)", sid[:40])
    text = form.get("Body", "")
    message_type = form.get("MessageType", "").strip().lower()
    unreadable = None
    if not text.strip() and not media and location is None and message_type not in READ_TYPES:
        unreadable = UNREADABLE_TYPES.get(message_type, UNSUPPORTED)
    return InboundMessage(
        channel=channel,
        provider_id=sid,
        to=to,
        sender=sender,
        sender_kind=kind,
        text=text,
        profile_name=form.get("ProfileName") or None,
        media=media,
        raw=dict(form),
        location=location,
        unreadable=unreadable,
    )


# --- status callbacks ---------------------------------------------------------------------------

STATUSES = {
    "accepted": DeliveryStatus.QUEUED,
    "scheduled": DeliveryStatus.QUEUED,
    "queued": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.SENDING,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "undelivered": DeliveryStatus.UNDELIVERED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.CANCELLED,
}
STATUS_FIELDS = ("ChannelPrefix", "EventType", "SmsStatus")


def outbox_id_param(value: str | None) -> int | None:
    """Our outbox id from the StatusCallback URL's `o` parameter; None when absent, or not an id of ours
    (not a plain number, or out of the id column's range): the callback is then matched by its
    MessageSid alone, and answered 200 as not ours when that finds nothing."""
    outbox_id = id_from_text(value)
    if outbox_id is None and value:
        log.info("Twilio status callback with o=%r, which is not one of our outbox ids", value[:40])
    return outbox_id


def parse_status(form: Mapping[str, str], outbox_id: int | None) -> StatusUpdate:
    """A Twilio status callback (SMS or WhatsApp) as a StatusUpdate; BadRequest for an unknown status."""
    sid = form.get("MessageSid") or form.get("SmsSid") or ""
    raw_status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()
    if not sid or not raw_status:
        raise BadRequest("MessageSid and MessageStatus are required")
    status = STATUSES.get(raw_status)
    if status is None:
        raise BadRequest(f"unknown MessageStatus {raw_status!r}")
    whatsapp = (
        form.get("ChannelPrefix", "").lower() == "whatsapp"
        or form.get("To", "").startswith(WHATSAPP_PREFIX)
        or form.get("From", "").startswith(WHATSAPP_PREFIX)
    )
    error_code = (form.get("ErrorCode") or "").strip()
    return StatusUpdate(
        channel=Channel.TWILIO_WHATSAPP if whatsapp else Channel.TWILIO_SMS,
        status=status,
        provider_id=sid[:80],
        outbox_id=outbox_id,
        error_code=error_code[:16] if error_code and error_code != "0" else None,
        extra={name: form[name][:64] for name in STATUS_FIELDS if form.get(name)},
    )
