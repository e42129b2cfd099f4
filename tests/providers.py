"""Builders for provider requests exactly as the providers send them."""

import itertools
import secrets
from collections.abc import Mapping

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
