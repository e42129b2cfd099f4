"""Phone numbers as Kentongan stores them (E.164, parsed by `phonenumbers`), and as it hides them."""

import hashlib
import re
from collections.abc import Iterable
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


# Numbers in a resident's free text, in the order they are tried at each position: a date (kept), money
# in Indonesian thousands ("Rp 1.500.000", "1.200.000.000": kept), and anything else of 8 digits or more,
# with or without spaces, dots, dashes or an area code's brackets between groups: a phone
# (0812-3456-7890, +62 812 ..., (0265) 123456), an NIK or KK (3204 1234 5678 0001), a bank account.
# Ticket codes (6 digits), years and amounts like "100rb" stay.
_NUMBERS_IN_TEXT = re.compile(
    r"(?P<date>(?<!\d)\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}(?!\d))"
    r"|(?P<money>(?<![\d.])[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?(?!\d|\.\d))"
    r"|(?P<number>\+?(?<!\d)\(?\d(?:(?:[ .-]|\) ?)?\d){7,}(?!\d))"
)


HIDDEN = "[disembunyikan]"  # what stands for hidden personal data in outputs other than an SMS
# Words before a name in a contact list: "Pak Slamet" is hidden as Slamet, "pak" stays.
_HONORIFICS = frozenset(
    {"pak", "bapak", "bpk", "ibu", "bu", "mas", "mbak", "mba", "kak", "bang", "abang", "adik", "dik"}
    | {"haji", "hajah", "hj", "ustadz", "ustad", "kyai"}
)


def hide_personal(text: str, *, marker: str, names: Iterable[str | None] = ()) -> str:
    """`text` with the personal numbers a resident may have typed (phones, NIK, KK, accounts) and each
    word of the given names (of 3 letters or more, honorifics aside) replaced by `marker`: for every
    output whose reader may not know who wrote it (Open311, an anonymous complaint in the API, LIHAT)."""
    hidden = _NUMBERS_IN_TEXT.sub(lambda m: marker if m.group("number") else m.group(0), text)
    words = {
        word
        for name in names
        if name
        for word in re.findall(r"[^\W\d_]{3,}", name.lower())
        if word not in _HONORIFICS
    }
    if words:
        pattern = r"\b(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b"
        hidden = re.sub(pattern, marker, hidden, flags=re.IGNORECASE)
    return hidden


def hide_reporter(text: str, name: str | None) -> str:
    """`text` as a reader who may not know who wrote it sees it (Open311, an anonymous complaint's texts
    in the API): identifying numbers and the writer's `name` read HIDDEN."""
    return hide_personal(text, marker=HIDDEN, names=[name])
