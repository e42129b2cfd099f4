"""Builders for provider requests exactly as the providers send them."""

import base64
import hashlib
import hmac
import itertools
import secrets
from collections.abc import Mapping, Sequence

from twilio.request_validator import RequestValidator

_sequence = itertools.count(1)


def message_sid() -> str:
    """A fresh 34-character Twilio MessageSid (SM + 32 hex)."""
    return "SM" + secrets.token_hex(16)


def twilio_sms_form(
    body: str, sender: str = "+6281234500001", to: str = "+62800000001", sid: str | None = None, **extra: str
) -> dict[str, str]:
    """An inbound SMS webhook form as Twilio posts it."""
    sid = sid or message_sid()
    form = {
        "ToCountry": "ID",
        "ToState": "",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "ID",
        "To": to,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    form.update(extra)
    return form


def twilio_whatsapp_form(
    body: str,
    sender: str = "+6281234500001",
    to: str = "+62800000001",
    profile_name: str = "Slamet",
    sid: str | None = None,
    media: Mapping[str, str] | None = None,
    **extra: str,
) -> dict[str, str]:
    """An inbound WhatsApp webhook form as Twilio posts it (sender may be a phone or a user id)."""
    sid = sid or ("MM" if media else "SM") + secrets.token_hex(16)
    wa_id = sender.lstrip("+") if sender.startswith("+") else ""
    form = {
        "SmsMessageSid": sid,
        "NumMedia": str(len(media or {})),
        "ProfileName": profile_name,
        "MessageType": "image" if media else "text",
        "SmsSid": sid,
        "WaId": wa_id,
        "SmsStatus": "received",
        "Body": body,
        "To": f"whatsapp:{to}",
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": f"whatsapp:{sender}",
        "ApiVersion": "2010-04-01",
    }
    for i, (url, content_type) in enumerate((media or {}).items()):
        form[f"MediaUrl{i}"] = url
        form[f"MediaContentType{i}"] = content_type
    form.update(extra)
    return form


def twilio_signature(token: str, url: str, form: Mapping[str, str]) -> str:
    """X-Twilio-Signature computed by twilio's own RequestValidator."""
    return str(RequestValidator(token).compute_signature(url, dict(form)))


# --- Meta WhatsApp Cloud API -------------------------------------------------------------------

WHATSAPP_PHONE_NUMBER_ID = "100000000000001"  # the demo village
WHATSAPP_DISPLAY_NUMBER = "62800000001"
WHATSAPP_ACCOUNT_ID = "102290129340398"
T0_UNIX = 1796180400  # tests/conftest.py T0


def wamid() -> str:
    """A fresh WhatsApp message id as Meta writes them (wamid. + base64)."""
    return "wamid.HBgN" + base64.b64encode(secrets.token_bytes(30)).decode()


def whatsapp_contact(
    wa_id: str | None = "6281234500001", name: str = "Slamet", user_id: str | None = None
) -> dict[str, object]:
    """One `value.contacts[]` entry: a phone (wa_id), a business-scoped user id, or both."""
    contact: dict[str, object] = {"profile": {"name": name}}
    if wa_id is not None:
        contact["wa_id"] = wa_id
    if user_id is not None:
        contact["user_id"] = user_id
    return contact


def whatsapp_message(
    kind: str,
    content: Mapping[str, object],
    sender: str | None = "6281234500001",
    message_id: str | None = None,
    timestamp: int = T0_UNIX,
    **extra: object,
) -> dict[str, object]:
    """One `value.messages[]` entry of type `kind` (text, button, interactive, image, location, ...)."""
    message: dict[str, object] = {
        "id": message_id or wamid(),
        "timestamp": str(timestamp),
        "type": kind,
        kind: dict(content),
    }
    if sender is not None:
        message["from"] = sender
    message.update(extra)
    return message


def whatsapp_text(
    body: str, sender: str | None = "6281234500001", message_id: str | None = None
) -> dict[str, object]:
    """A text message from a resident."""
    return whatsapp_message("text", {"body": body}, sender=sender, message_id=message_id)


def whatsapp_status(
    message_id: str,
    status: str,
    recipient: str = "6281234500001",
    timestamp: int = T0_UNIX,
    error_code: int | None = None,
    error_title: str = "",
) -> dict[str, object]:
    """One `value.statuses[]` entry: Meta's report on a message we sent."""
    item: dict[str, object] = {
        "id": message_id,
        "status": status,
        "timestamp": str(timestamp),
        "recipient_id": recipient,
    }
    if status != "failed":
        item["conversation"] = {"id": secrets.token_hex(16), "origin": {"type": "service"}}
        item["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service"}
    if error_code is not None:
        item["errors"] = [
            {
                "code": error_code,
                "title": error_title or "error",
                "message": error_title or "error",
                "error_data": {"details": error_title or "error"},
            }
        ]
    return item


def whatsapp_change(
    messages: Sequence[Mapping[str, object]] = (),
    statuses: Sequence[Mapping[str, object]] = (),
    contacts: Sequence[Mapping[str, object]] | None = None,
    phone_number_id: str = WHATSAPP_PHONE_NUMBER_ID,
) -> dict[str, object]:
    """One `entry[].changes[]` item with field "messages"; contacts default to each sender's phone."""
    value: dict[str, object] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": WHATSAPP_DISPLAY_NUMBER, "phone_number_id": phone_number_id},
    }
    if messages:
        if contacts is None:
            senders = dict.fromkeys(str(m["from"]) for m in messages if "from" in m)
            contacts = [whatsapp_contact(wa_id=s) for s in senders]
        value["contacts"] = list(contacts)
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {"value": value, "field": "messages"}


def whatsapp_envelope(*changes: Mapping[str, object]) -> dict[str, object]:
    """The POST body Meta sends: one entry for the business account holding the changes."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": WHATSAPP_ACCOUNT_ID, "changes": list(changes)}],
    }


def whatsapp_signature(app_secret: str, body: bytes) -> str:
    """X-Hub-Signature-256 as Meta computes it over the raw body."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


# --- Android SMS gateway (capcom6) ---------------------------------------------------------------

SMSGATE_DEVICE = "demo-phone"


def smsgate_event(
    event: str, payload: Mapping[str, object], device_id: str = SMSGATE_DEVICE, event_id: str | None = None
) -> dict[str, object]:
    """One webhook event as the gateway posts it."""
    return {
        "deviceId": device_id,
        "event": event,
        "id": event_id or secrets.token_urlsafe(16)[:21],
        "payload": dict(payload),
        "webhookId": "kentongan-" + event.replace(":", "-"),
    }


def smsgate_received(
    message: str,
    sender: str = "081234500001",
    message_id: str | None = None,
    received_at: str = "2026-12-02T10:00:00.000+07:00",
    **extra: object,
) -> dict[str, object]:
    """The payload of `sms:received`: the current app sends `sender`, older ones `phoneNumber`."""
    payload: dict[str, object] = {
        "messageId": message_id or format(secrets.randbits(32), "x"),
        "message": message,
        "sender": sender,
        "recipient": None,
        "simNumber": 1,
        "receivedAt": received_at,
    }
    payload.update(extra)
    return payload


def smsgate_status(
    event: str, message_id: str, phone: str = "+6281234500001", reason: str | None = None
) -> dict[str, object]:
    """The payload of `sms:sent`, `sms:delivered` or `sms:failed` for the message we gave id `message_id`."""
    field = {"sms:sent": "sentAt", "sms:delivered": "deliveredAt", "sms:failed": "failedAt"}[event]
    payload: dict[str, object] = {
        "messageId": message_id,
        "phoneNumber": phone,
        "simNumber": None,
        field: "2026-12-02T10:00:05.000+07:00",
    }
    if event == "sms:sent":
        payload["partsCount"] = 1
    if reason is not None:
        payload["reason"] = reason
    return payload


def smsgate_signature(signing_key: str, body: bytes, timestamp: str) -> str:
    """X-Signature as the gateway computes it: hex HMAC-SHA256 over the raw body followed by X-Timestamp."""
    return hmac.new(signing_key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


# --- Twilio status callbacks ---------------------------------------------------------------------


def twilio_status_form(
    sid: str,
    status: str,
    to: str = "+6281234500001",
    sender: str = "KENTONGAN",
    error_code: str | None = None,
    whatsapp: bool = False,
) -> dict[str, str]:
    """A status callback form as Twilio posts it (SMS, or WhatsApp with ChannelPrefix and EventType)."""
    form = {
        "SmsSid": sid,
        "SmsStatus": status,
        "MessageStatus": status,
        "To": f"whatsapp:{to}" if whatsapp else to,
        "MessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": "whatsapp:+62800000001" if whatsapp else sender,
        "ApiVersion": "2010-04-01",
    }
    if whatsapp:
        form["ChannelPrefix"] = "whatsapp"
        form["ChannelInstallSid"] = "XE" + "0" * 32
        form["ChannelToAddress"] = to
        if status in ("delivered", "read", "undelivered"):
            form["EventType"] = status.upper()
    if error_code is not None:
        form["ErrorCode"] = error_code
    return form
