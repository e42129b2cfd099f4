"""Twilio SMS and WhatsApp: turning webhook forms into InboundMessage and replies into TwiML."""

from collections.abc import Mapping
from functools import lru_cache

from twilio.request_validator import RequestValidator, compare
from twilio.twiml.messaging_response import MessagingResponse

from broadcasts.channel import StatusUpdate
from handlers.inbound import InboundMessage, Media
from models import Channel, DeliveryStatus, IdentityKind
from models.errors import BadRequest
from models.phone import to_e164

WHATSAPP_PREFIX = "whatsapp:"
MAX_MEDIA = 10  # Twilio sends at most 10 media items per message


@lru_cache(maxsize=8)
def _validator(auth_token: str) -> RequestValidator:
    return RequestValidator(auth_token)


def signature_is_valid(auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    """Check X-Twilio-Signature with twilio's own RequestValidator.

    The URL as configured is tried first, so a good request costs one HMAC; only a mismatch goes on to
    `validate`, which also tries the URL with and without the default port.
    """
    if not auth_token or not signature:
        return False
    validator = _validator(auth_token)
    if compare(validator.compute_signature(url, dict(params)), signature):
        return True
    return bool(validator.validate(url, dict(params), signature))


def _address(value: str) -> tuple[str, IdentityKind]:
    """A Twilio From/To without the channel prefix, as an E.164 phone or a WhatsApp user id."""
    bare = value.removeprefix(WHATSAPP_PREFIX).strip()
    phone = to_e164(bare) if bare.startswith("+") or bare.isdigit() else None
    if phone is not None:
        return phone, IdentityKind.PHONE
    # WhatsApp users without a phone number (ExternalUserId such as "US.1234...") and alphanumeric senders.
    return bare[:64], IdentityKind.WHATSAPP_USER if value.startswith(WHATSAPP_PREFIX) else IdentityKind.PHONE


def parse_inbound(form: Mapping[str, str]) -> InboundMessage:
    """An inbound Twilio SMS or WhatsApp message; unknown extra fields are kept in `raw` and ignored."""
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or form.get("SmsSid") or ""
    sender_raw, to_raw = form.get("From", ""), form.get("To", "")
    if not sid or not sender_raw or not to_raw:
        raise BadRequest("MessageSid, From and To are required")
    channel = Channel.TWILIO_WHATSAPP if to_raw.startswith(WHATSAPP_PREFIX) else Channel.TWILIO_SMS
    sender, kind = _address(sender_raw)
    to, _ = _address(to_raw)
    try:
        num_media = min(int(form.get("NumMedia", "0") or 0), MAX_MEDIA)
    except ValueError:
        num_media = 0
    media = tuple(
        Media(url=form[f"MediaUrl{i}"], content_type=form.get(f"MediaContentType{i}", ""))
        for i in range(num_media)
        if form.get(f"MediaUrl{i}")
    )
    return InboundMessage(
        channel=channel,
        provider_id=sid[:80],
        to=to,
        sender=sender,
        sender_kind=kind,
        text=form.get("Body", ""),
        profile_name=form.get("ProfileName") or None,
        media=media,
        raw=dict(form),
    )


def twiml(replies: tuple[str, ...]) -> str:
    """The TwiML answer: one <Message> per reply, or an empty <Response/>."""
    response = MessagingResponse()
    for reply in replies:
        response.message(reply)
    return str(response)


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
    """Our outbox id from the StatusCallback URL's `o` parameter; None when absent or not a number."""
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 18:
        return None
    return int(value)


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
