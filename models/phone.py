"""Phone numbers as Kentongan stores them: E.164, parsed by `phonenumbers`."""

import hashlib
from functools import lru_cache

import phonenumbers


@lru_cache(maxsize=65536)
def to_e164(raw: str, region: str = "ID") -> str | None:
    """Normalise 0812..., 62812..., +62 812-... to +62812...; None when it is not a valid number.

    Cached: every inbound message parses two numbers, the same ones again and again, and parsing is slow.
    """
    text = raw.strip()
    if not text:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    # "62812..." without a plus is common in Indonesian spreadsheets and gateways.
    if not text.startswith("+") and digits.startswith("62") and len(digits) >= 10:
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def log_id(provider_id: str) -> str:
    """A provider's message id as logs may show it: a WhatsApp wamid is base64 that carries the sender's
    number, so it is shortened to a digest; other ids (Twilio SIDs, our own) stay as they are."""
    if not provider_id.startswith("wamid."):
        return provider_id
    return "wamid#" + hashlib.blake2b(provider_id.encode(), digest_size=5).hexdigest()


def mask(value: str) -> str:
    """Mask a phone number or channel id for logs: +62812****7890."""
    if len(value) <= 6:
        return "*" * len(value)
    keep_tail = 4 if len(value) > 10 else 2
    return value[: min(6, len(value) - keep_tail - 1)] + "****" + value[-keep_tail:]
