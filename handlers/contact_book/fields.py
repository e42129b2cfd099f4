"""A contact's fields as staff and spreadsheets write them, checked and put in the form stored: phone
numbers in any Indonesian form (as E.164, models/phone.py), WhatsApp user ids, names, dusun, RW and RT,
tags, topics, and the evidence of a resident's consent. Each raises BadRequest with what to fix.

Also the cell escaping of CSV files (a cell a spreadsheet would run as a formula), which `parse_phone`
undoes so that a number exported and imported again reads the same.
"""

import re
from collections.abc import Iterable, Sequence

from models import Topic
from models.errors import BadRequest
from models.phone import to_e164

EVIDENCE_MIN, EVIDENCE_MAX = 5, 400
NAME_MAX, DUSUN_MAX, TAG_MAX, TAGS_MAX = 120, 80, 40, 255

# What a spreadsheet may run as a formula (CSV injection); fullwidth forms too, which some normalise.
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_SCIENTIFIC = re.compile(r"([0-9]+)(?:[.,]([0-9]*))?[eE]\+?([0-9]{1,2})")
_FLOAT_ZERO = re.compile(r"([0-9]+)[.,]0+")  # 81234567890.0: a number column read as float
_PHONE_CHARS = re.compile(r"\+?[0-9()\-. ]+")
_WHATSAPP_USER = re.compile(r"[A-Z]{2}\.[A-Za-z0-9.]{1,61}")  # a WhatsApp user without a phone: ID.1349...
_AREA_NUMBER = re.compile(r"(?:r[tw]\.?\s*)?0*([0-9]{1,3})(?:[.,]0+)?", re.IGNORECASE)
_DUSUN_PREFIX = re.compile(r"^(?:dusun|dsn\.?|dukuh)\s+", re.IGNORECASE)
_TOPIC_ORDER = {topic.value: index for index, topic in enumerate(Topic)}
_TOPIC_ALIASES = {"dana": "dana_desa", "apbdes": "dana_desa", "dd": "dana_desa", "rapat": "jadwal"}
_ALL_TOPICS = {"semua", "all", "*"}


def escape_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula: a leading = + - @ (tab, CR) gets a quote."""
    return "'" + value if value[:1] in _FORMULA else value


def unescape_cell(value: str) -> str:
    """The cell as it was before `escape_cell`, so that an exported list imports unchanged."""
    if len(value) > 1 and value[0] == "'" and value[1] in _FORMULA:
        return value[1:]
    return value


def short(text: str) -> str:
    """`text` cut to 40 characters for an error message."""
    return text if len(text) <= 40 else text[:37] + "..."


def parse_phone(raw: str) -> str:
    """An Indonesian number in any form a person or a spreadsheet writes it, as E.164; BadRequest if not.

    Accepts 0812..., 62812..., +62 812-..., 812... (Excel dropped the 0), 81234567890.0 and scientific
    notation when no digit was lost. Excel's rounded forms (8.12345E+11) lost their last digits: guessing
    them would message a stranger, so they are refused with the fix.
    """
    text = unescape_cell(" ".join(raw.replace("\u00a0", " ").split()))
    if text.startswith("'"):  # Excel's marker for a number kept as text
        text = text[1:].strip()
    if not text:
        raise BadRequest("missing phone number")
    compact = text.replace(" ", "")
    scientific = _SCIENTIFIC.fullmatch(compact)
    if scientific:
        whole, fraction, exponent = scientific.group(1), scientific.group(2) or "", int(scientific.group(3))
        if exponent != len(fraction):
            raise BadRequest(
                f"{short(text)!r} was rounded by Excel and lost its last digits: format the column as "
                "Text, type the numbers again and export"
            )
        compact = whole + fraction
    elif zero := _FLOAT_ZERO.fullmatch(compact):
        compact = zero.group(1)
    elif not _PHONE_CHARS.fullmatch(text):
        # Letters would be read as a keypad word (0812ABC -> 0812222), slashes mean two numbers in one cell.
        raise BadRequest(f"{short(text)!r} is not a phone number")
    if len(compact) > 24:
        raise BadRequest(f"{short(text)!r} is not a phone number")
    number = to_e164(compact)
    if number is None:
        raise BadRequest(f"{short(text)!r} is not a valid phone number")
    return number


def parse_whatsapp_id(raw: str) -> str:
    """A WhatsApp user id of someone who shares no phone number (ID.1349120865...); BadRequest if not."""
    text = raw.strip()
    if not _WHATSAPP_USER.fullmatch(text):
        raise BadRequest(f"{short(text)!r} is not a WhatsApp user id (like ID.13491208655302741918)")
    return text


def parse_name(raw: str | None) -> str | None:
    """A name with its spaces tidied; None for none."""
    text = " ".join((raw or "").split())
    if len(text) > NAME_MAX:
        raise BadRequest(f"name longer than {NAME_MAX} characters")
    return text or None


def parse_area_number(raw: str | int | None, what: str) -> int | None:
    """An RW or RT number (0 to 999) as written ("02", "RT 3", "4.0"); None for none (`what`: which)."""
    if raw is None:
        return None
    if isinstance(raw, int):
        number = raw
    else:
        text = raw.strip()
        if not text:
            return None
        match = _AREA_NUMBER.fullmatch(text)
        if not match:
            raise BadRequest(f"{what} {short(text)!r} is not a number")
        number = int(match.group(1))
    if not 0 <= number <= 999:
        raise BadRequest(f"{what} {number} is out of range (0-999)")
    return number


def parse_tags(values: Iterable[str]) -> str:
    """Tags as stored: tidied, without repeats, joined by commas."""
    tags: list[str] = []
    for value in values:
        tag = " ".join(value.split())
        if not tag:
            continue
        if "," in tag or ";" in tag:
            raise BadRequest(f"tag {short(tag)!r} contains a comma or semicolon")
        if len(tag) > TAG_MAX:
            raise BadRequest(f"tag {short(tag)!r} is longer than {TAG_MAX} characters")
        if tag not in tags:
            tags.append(tag)
    joined = ",".join(tags)
    if len(joined) > TAGS_MAX:
        raise BadRequest(f"tags are longer than {TAGS_MAX} characters together")
    return joined


def parse_topics(values: Iterable[str]) -> tuple[str, ...]:
    """Topic codes in their order, from codes or their aliases; () for "semua" (every topic)."""
    topics: list[str] = []
    for value in values:
        key = re.sub(r"[\s\-]+", "_", value.strip().lower())
        if not key:
            continue
        if key in _ALL_TOPICS:
            return ()  # no topic chosen means every topic
        key = _TOPIC_ALIASES.get(key, key)
        if key not in _TOPIC_ORDER:
            known = ", ".join(_TOPIC_ORDER)
            raise BadRequest(f"unknown topic {short(value.strip())!r} (known: {known})")
        if key not in topics:
            topics.append(key)
    return ordered_topics(topics)


def ordered_topics(topics: Iterable[str]) -> tuple[str, ...]:
    """Topics in the order of models.Topic."""
    return tuple(sorted(topics, key=lambda topic: (_TOPIC_ORDER.get(topic, len(_TOPIC_ORDER)), topic)))


def parse_evidence(raw: str | None, actor: str) -> str:
    """The evidence of a resident's consent as recorded, with who vouched for it (`actor`)."""
    text = " ".join((raw or "").replace("\x00", "").split())  # PostgreSQL stores no NUL
    if not text:
        raise BadRequest(
            "consent_evidence is required to subscribe someone: say where and when they agreed "
            "(e.g. 'daftar hadir Musdes 12/11')"
        )
    if len(text) < EVIDENCE_MIN:
        raise BadRequest(
            f"consent_evidence must be at least {EVIDENCE_MIN} characters ({short(text)!r} is"
            f" {len(text)}): say where and when consent was given, e.g. 'daftar hadir Musdes 12/11'"
        )
    if len(text) > EVIDENCE_MAX:
        raise BadRequest(f"consent_evidence is longer than {EVIDENCE_MAX} characters")
    return f"{text} ({actor})"  # who vouched for it travels with the record


def parse_dusun(raw: str | None, known: Sequence[str]) -> str | None:
    """The dusun as the village spells it; BadRequest for one it does not have (when it lists any).

    An unknown spelling would silently drop the resident from every broadcast to their dusun.
    """
    text = " ".join((raw or "").split())
    if not text:
        return None
    if not known:
        if len(text) > DUSUN_MAX:
            raise BadRequest(f"dusun longer than {DUSUN_MAX} characters")
        return text
    bare = _DUSUN_PREFIX.sub("", text).lower()
    for name in known:
        if name.lower() in (text.lower(), bare):
            return name
    raise BadRequest(f"no dusun {short(text)!r} in this village (known: {', '.join(known)})")
