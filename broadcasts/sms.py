"""SMS encoding and segment counting, exactly as docs/providers.md describes (GSM 03.38).

Written by hand because no maintained Python library computes segments with the extension table and
the never-split-a-pair rule; the rules are small and fully tested.
"""

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

# Look-alikes that force UCS-2 for no good reason; replaced before an SMS is sent.
REPLACEMENTS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2032": "'",
    "\u2033": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u2009": " ",
    "\u200b": "",
    "\u2022": "-",
    "\u00b7": "-",
    "\t": " ",
    "\u00ab": '"',
    "\u00bb": '"',
}
_TRANSLATE = str.maketrans(REPLACEMENTS)


class Encoding(StrEnum):
    """How an SMS is encoded on the air."""

    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True, slots=True)
class SmsInfo:
    """Encoding, length in units (septets or UTF-16 code units), segments, characters forcing UCS-2."""

    encoding: Encoding
    units: int
    segments: int
    unicode_chars: tuple[str, ...]


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 basic or extension table."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def sanitize(text: str) -> str:
    """Replace curly quotes, dashes, ellipses and odd spaces with their GSM-7 equivalents."""
    return text.translate(_TRANSLATE)


def _pack(unit_sizes: list[int], single: int, per_part: int) -> int:
    """Count parts, never splitting a multi-unit character (escape pair or surrogate pair)."""
    total = sum(unit_sizes)
    if total <= single:
        return 1
    parts, used = 1, 0
    for size in unit_sizes:
        if used + size > per_part:
            parts += 1
            used = 0
        used += size
    return parts


_BASIC_ONLY = re.compile("[" + re.escape("".join(sorted(GSM7_BASIC))) + "]*")
_BMP_ONLY = re.compile("[\u0000-\uffff]*")


def analyse(text: str) -> SmsInfo:
    """Encoding, units and segments of `text` as sent (`sanitize` first avoids needless UCS-2)."""
    # Fast paths (a fan-out measures thousands of texts): all one-unit characters need no packing.
    if _BASIC_ONLY.fullmatch(text):
        n = len(text)
        return SmsInfo(Encoding.GSM7, n, 1 if n <= 160 else -(-n // 153), ())
    unicode_chars = tuple(
        dict.fromkeys(ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION)
    )
    if not unicode_chars:
        sizes = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        return SmsInfo(Encoding.GSM7, sum(sizes), _pack(sizes, 160, 153), ())
    if _BMP_ONLY.fullmatch(text):
        n = len(text)
        return SmsInfo(Encoding.UCS2, n, 1 if n <= 70 else -(-n // 67), unicode_chars)
    sizes = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    return SmsInfo(Encoding.UCS2, sum(sizes), _pack(sizes, 70, 67), unicode_chars)


def segments(text: str) -> int:
    """Number of SMS parts `text` needs."""
    return analyse(text).segments


# --- people's text in our SMS ------------------------------------------------------------------

WORD_CUT_MAX = 25  # a text cut short loses at most this many more characters to end on a whole word
_SPACE_BEFORE_PUNCTUATION = re.compile(r" +([,.;:!?])")


def septets(text: str) -> int:
    """GSM-7 septets of text already made GSM-7 (an extension character such as [ or ] takes two)."""
    return sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)


def to_gsm7(text: str) -> str:
    """What a person typed, as one line an SMS can carry in GSM-7: look-alikes for curly quotes and
    dashes, accents the alphabet lacks dropped from their letter, and what has no GSM-7 form (emoji,
    other scripts) left out, so that one character cannot turn a message into UCS-2 (70 a part)."""
    kept: list[str] = []
    dropped = False
    for ch in sanitize(text):
        if is_gsm7(ch):
            kept.append(ch)
            continue
        plain = [c for c in unicodedata.normalize("NFKD", ch) if is_gsm7(c) and not unicodedata.combining(c)]
        kept.extend(plain)
        dropped = dropped or not plain
    line = " ".join("".join(kept).split())
    # "diganti 👍, terima kasih" must not read "diganti , terima kasih".
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", line) if dropped else line


def fit(text: str, room: int, *, whole_words: bool = True) -> str:
    """GSM-7 `text` cut to `room` septets with "..." when it does not fit; with `whole_words`, back to
    the last space ("kabelnya putus dimak..." never), unless that loses more than WORD_CUT_MAX."""
    if septets(text) <= room:
        return text
    cut, used = [], 0
    for ch in text:
        used += septets(ch)
        if used > room - 3:
            break
        cut.append(ch)
    kept = "".join(cut)
    if whole_words and len(kept) < len(text) and not text[len(kept)].isspace():
        space = kept.rfind(" ")
        if space > 0 and len(kept) - space <= WORD_CUT_MAX:
            kept = kept[:space]
    return kept.rstrip(" ,;:-") + "..."
