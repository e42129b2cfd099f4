"""Composing a broadcast: texts with variables, the SMS preview of each variant, cost and duration.

Plain functions over values. Texts residents read never make these functions raise: a missing value gets
a polite fallback and anything that is not a variable stays as written. The Indonesian strings here are
for the cadre's preview (docs/architecture.md: code English, words for people Indonesian).
"""

import difflib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from broadcasts.outbox import Prices
from broadcasts.ratelimit import Rate
from broadcasts.sms import Encoding, analyse, sanitize
from models.texts import format_rupiah
from models.village import Channel

# --- texts with variables ----------------------------------------------------------------------

DEFAULT_FALLBACKS: Mapping[str, str] = {
    "nama": "Bapak/Ibu",
    "dusun": "warga",
    "rt": "",
    "rw": "",
    "desa": "",
    "acara": "",
    "judul": "",
    "hari": "",
    "tanggal": "",
    "jam": "",
    "tempat": "",
    "agenda": "",
    "kode": "",
    "jumlah": "",
}
KNOWN_VARIABLES = frozenset(DEFAULT_FALLBACKS)

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_PLACEHOLDER = re.compile(r"\{(" + _NAME + r")\}")
_EMPTY = "\ue000"  # private-use mark for a variable that rendered empty; spaces around it are tidied
_AROUND_EMPTY = re.compile(r"([ \t]*)" + _EMPTY + r"(?:[ \t]*" + _EMPTY + r")*([ \t]*)")
_CLOSERS = frozenset(".,;:!?)]\n")


def variables_in(template: str) -> set[str]:
    """Names of the {variables} in `template`, lower-cased."""
    return {name.lower() for name in _PLACEHOLDER.findall(template)}


def _tidy(match: re.Match[str]) -> str:
    """One space where an empty variable sat between two words, none at an edge or before punctuation."""
    text, start, end = match.string, match.start(), match.end()
    at_edge = start == 0 or text[start - 1] in "\n(" or end == len(text) or text[end] in _CLOSERS
    return " " if match[1] and match[2] and not at_edge else ""


def render(
    template: str, values: Mapping[str, str | None], *, fallbacks: Mapping[str, str] = DEFAULT_FALLBACKS
) -> str:
    """Fill {variables}; a missing or empty value takes its fallback; unknown ones and stray braces stay.

    `fallbacks` are laid over DEFAULT_FALLBACKS (give "" to drop one); a value is used for any name it is
    given for, known or not; a name neither known nor given stays as written, braces and all.
    """
    given = {key.lower(): value for key, value in values.items()}
    fallbacks = {**DEFAULT_FALLBACKS, **{key.lower(): text for key, text in fallbacks.items()}}
    known = KNOWN_VARIABLES | set(fallbacks)

    def fill(match: re.Match[str]) -> str:
        name = match[1].lower()
        value = (given.get(name) or "").strip()
        if value:
            return value.replace(_EMPTY, "")
        if name not in known and name not in given:
            return match[0]
        return fallbacks.get(name, "").replace(_EMPTY, "") or _EMPTY

    filled = _PLACEHOLDER.sub(fill, template.replace(_EMPTY, ""))
    if _EMPTY not in filled:
        return filled
    return _AROUND_EMPTY.sub(_tidy, filled).strip()


class CompiledText:
    """`render` for one template filled thousands of times (a fan-out): the template is split once, and
    a fill whose values are all present takes a plain join. Anything else (a missing or empty value, an
    unknown name) goes through `render`, so the result is always exactly `render`'s."""

    def __init__(self, template: str) -> None:
        self.template = template
        self._parts = _PLACEHOLDER.split(template)  # literal, name, literal, name, ..., literal
        self._simple = _EMPTY not in template

    def __call__(self, values: Mapping[str, str | None]) -> str:
        """The template filled with `values` (keys lower-case)."""
        if not self._simple:
            return render(self.template, values)
        out = []
        for index, part in enumerate(self._parts):
            if index % 2 == 0:
                out.append(part)
                continue
            value = values.get(part) if part.islower() else None
            if not value or value != value.strip() or _EMPTY in value:
                return render(self.template, values)
            out.append(value)
        return "".join(out)


def validate(template: str) -> list[str]:
    """Problems with a template, in Indonesian for the cadre's form; empty when it is fine."""
    problems: list[str] = []
    opened: int | None = None
    for index, char in enumerate(template):
        if char == "{":
            if opened is not None:
                problems.append(f"Kurung kurawal '{{' di posisi {opened + 1} tidak ditutup.")
            opened = index
        elif char == "}":
            if opened is None:
                problems.append(f"Kurung kurawal '}}' di posisi {index + 1} tanpa pembuka '{{'.")
                continue
            inside = template[opened + 1 : index]
            problems.extend(_check_name(inside))
            opened = None
    if opened is not None:
        problems.append(f"Kurung kurawal '{{' di posisi {opened + 1} tidak ditutup.")
    return problems


def _check_name(inside: str) -> list[str]:
    """A problem for the text between a pair of braces when it is not a known variable."""
    choices = ", ".join(f"{{{name}}}" for name in sorted(KNOWN_VARIABLES))
    if not re.fullmatch(_NAME, inside):
        return [f"'{{{inside}}}' bukan nama variabel. Pilihan: {choices}."]
    if inside.lower() in KNOWN_VARIABLES:
        return []
    close = difflib.get_close_matches(inside.lower(), sorted(KNOWN_VARIABLES), n=1)
    hint = f" Maksudnya {{{close[0]}}}?" if close else f" Pilihan: {choices}."
    return [f"Variabel {{{inside}}} tidak dikenal.{hint}"]


# --- preview of one variant --------------------------------------------------------------------

# Words some Indonesian SMS routes filter (docs/providers.md), matched as whole words in any case.
FILTERED_WORDS = ("dana", "nomor", "selamat", "juta")
MAX_SEGMENTS = 3
_FILTERED = re.compile(r"(?<!\w)(" + "|".join(FILTERED_WORDS) + r")(?!\w)", re.IGNORECASE)
_TLDS = "com|net|org|info|biz|xyz|io|me|ly|co|id|app|link|site|online|gl|to"
# A link with a scheme or www in any case; a bare domain only with a lower-case ending, so that a
# sentence typed without a space after its full stop ("besok.Info") is not taken for one.
_URL = re.compile(
    r"(?i:https?://|www\.)\S+"
    r"|(?<![\w@.])(?:[A-Za-z0-9-]+\.)+(?:" + _TLDS + r")(?![\w-])(?:/\S*)?"
)

WARN_EMPTY = "Teks kosong."
WARN_WORD = 'Kata "{word}" bisa disaring sebagian operator SMS; sebaiknya diganti.'
WARN_URL = 'Tautan "{url}" bisa disaring sebagian operator SMS.'
WARN_SEGMENTS = "SMS ini {segments} bagian (lebih dari {limit}): mahal dan bisa terpotong; persingkat teks."
WARN_UCS2 = "Karakter {chars} membuat SMS jadi UCS-2 (70 karakter per bagian); sebaiknya dihapus."


@dataclass(frozen=True, slots=True)
class TextPreview:
    """One variant as an SMS: as written, and after the one-click fix that the outbox also applies."""

    text: str
    encoding: Encoding
    units: int
    segments: int
    unicode_chars: tuple[str, ...]
    fixed_text: str
    fixed_encoding: Encoding
    fixed_segments: int
    filtered_words: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def fix_changes(self) -> bool:
        """True when the one-click fix changes the text."""
        return self.fixed_text != self.text


def filtered_words(text: str) -> tuple[str, ...]:
    """Words and links in `text` that some SMS routes filter, each once, in order of appearance."""
    urls = list(_URL.finditer(text))
    found = [(match.start(), match[0].rstrip(".,;:!?)'\"")) for match in urls]
    spans = [(match.start(), match.end()) for match in urls]
    for match in _FILTERED.finditer(text):
        if not any(start <= match.start() < end for start, end in spans):
            found.append((match.start(), match[1].lower()))
    return tuple(dict.fromkeys(word for _, word in sorted(found)))


def preview_text(text: str) -> TextPreview:
    """Encoding, segments and UCS-2 characters of `text`, its fixed form, and warnings for the cadre."""
    info = analyse(text)
    fixed = sanitize(text)
    fixed_info = analyse(fixed)
    words = filtered_words(fixed)
    warnings: list[str] = []
    if not text.strip():
        warnings.append(WARN_EMPTY)
    for word in words:
        warnings.append(WARN_WORD.format(word=word) if word in FILTERED_WORDS else WARN_URL.format(url=word))
    if fixed_info.segments > MAX_SEGMENTS:
        warnings.append(WARN_SEGMENTS.format(segments=fixed_info.segments, limit=MAX_SEGMENTS))
    if fixed_info.unicode_chars:
        warnings.append(WARN_UCS2.format(chars=" ".join(fixed_info.unicode_chars)))
    return TextPreview(
        text=text,
        encoding=info.encoding,
        units=info.units,
        segments=info.segments,
        unicode_chars=info.unicode_chars,
        fixed_text=fixed,
        fixed_encoding=fixed_info.encoding,
        fixed_segments=fixed_info.segments,
        filtered_words=words,
        warnings=tuple(warnings),
    )


# --- audience, cost and duration ---------------------------------------------------------------


SMS_CHANNELS = frozenset({Channel.TWILIO_SMS, Channel.SMSGATE})


@dataclass(frozen=True, slots=True)
class ChannelCounts:
    """Recipients of a broadcast by the channel that carries each, and the WhatsApp 24-hour window.

    `recipients` counts every recipient once, on the channel its message goes out on: a WhatsApp
    contact outside the window with no template is counted on the SMS channel that replaces WhatsApp
    (and in `outside_window_sms`); one with a template stays on WhatsApp (and in `outside_window_template`).
    """

    recipients: Mapping[Channel, int]
    outside_window_template: int = 0
    outside_window_sms: int = 0

    def __post_init__(self) -> None:
        if any(count < 0 for count in self.recipients.values()):
            raise ValueError("recipient counts must not be negative")
        if self.outside_window_template < 0 or self.outside_window_sms < 0:
            raise ValueError("outside-window counts must not be negative")
        if self.outside_window_template > self.whatsapp:
            raise ValueError(
                f"{self.outside_window_template} template recipients but only {self.whatsapp} on WhatsApp"
            )
        if self.outside_window_sms > self.sms:
            raise ValueError(f"{self.outside_window_sms} SMS fallbacks but only {self.sms} on SMS")

    @property
    def whatsapp(self) -> int:
        """Recipients reached on a WhatsApp channel."""
        return sum(n for channel, n in self.recipients.items() if channel.is_whatsapp)

    @property
    def sms(self) -> int:
        """Recipients reached by SMS (the console, which only shows messages, is not counted)."""
        return sum(
            n
            for channel, n in self.recipients.items()
            if not channel.is_whatsapp and channel != Channel.CONSOLE
        )

    @property
    def console(self) -> int:
        """Recipients on the console channel (development and demos)."""
        return self.recipients.get(Channel.CONSOLE, 0)

    @property
    def total(self) -> int:
        """Every recipient."""
        return sum(self.recipients.values())


@dataclass(frozen=True, slots=True)
class Estimate:
    """What a broadcast will take: messages, segments, Rupiah and seconds."""

    recipients: int
    whatsapp: int  # WhatsApp messages
    whatsapp_templates: int  # of those, templates (outside the window; priced)
    sms: int  # SMS messages, fallbacks included
    sms_fallback: int  # of those, in place of WhatsApp
    console: int
    sms_segments: int  # per SMS, after the fix the outbox applies
    sms_encoding: Encoding
    whatsapp_variant_segments: int | None  # the WhatsApp variant measured as an SMS, for comparison
    sms_total_segments: int
    cost: int  # Rupiah
    duration_seconds: float
    seconds_by_channel: Mapping[Channel, float]


def estimate(
    counts: ChannelCounts,
    sms_text: str,
    whatsapp_text: str | None,
    prices: Prices,
    rates: Mapping[Channel, Rate],
) -> Estimate:
    """Messages, segments, cost (integer Rupiah) and duration (the slowest channel's queue) of a broadcast."""
    sms_info = analyse(sanitize(sms_text))
    seconds: dict[Channel, float] = {}
    for channel, count in counts.recipients.items():
        if count == 0:
            continue
        rate = rates.get(channel)
        if rate is None:
            raise ValueError(f"no rate for channel {channel.value}")
        units_each = sms_info.segments if rate.unit == "segment" and not channel.is_whatsapp else 1
        seconds[channel] = count * units_each / rate.per_second
    sms_total_segments = counts.sms * sms_info.segments
    whatsapp_segments = None if whatsapp_text is None else analyse(sanitize(whatsapp_text)).segments
    cost = sms_total_segments * prices.sms_segment + counts.outside_window_template * prices.whatsapp_template
    return Estimate(
        recipients=counts.total,
        whatsapp=counts.whatsapp,
        whatsapp_templates=counts.outside_window_template,
        sms=counts.sms,
        sms_fallback=counts.outside_window_sms,
        console=counts.console,
        sms_segments=sms_info.segments,
        sms_encoding=sms_info.encoding,
        whatsapp_variant_segments=whatsapp_segments,
        sms_total_segments=sms_total_segments,
        cost=cost,
        duration_seconds=max(seconds.values(), default=0.0),
        seconds_by_channel=seconds,
    )


def format_duration(seconds: float) -> str:
    """'kurang dari 1 menit', '14 menit', '2 jam 39 menit', '1 hari 3 jam' (minutes rounded up)."""
    if seconds < 60:
        return "kurang dari 1 menit"
    minutes = math.ceil(round(seconds / 60, 6))  # 792 s is 13.2 minutes: "14 menit"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days} hari"] if days else []
    parts += [f"{hours} jam"] if hours else []
    parts += [f"{minutes} menit"] if minutes and not days else []
    return " ".join(parts)


def describe(result: Estimate) -> str:
    """The estimate in one Indonesian sentence for the cadre."""
    if result.recipients == 0:
        return "Tidak ada penerima."
    parts: list[str] = []
    if result.whatsapp:
        note = f" ({result.whatsapp_templates} dgn template)" if result.whatsapp_templates else ""
        parts.append(f"{result.whatsapp} WhatsApp{note}")
    if result.sms:
        detail = f"{result.sms_segments} bagian, {result.sms_encoding.value}"
        if result.sms_fallback:
            detail += f"; {result.sms_fallback} pengganti WhatsApp"
        parts.append(f"{result.sms} SMS ({detail})")
    if result.console:
        parts.append(f"{result.console} konsol")
    return (
        f"{result.recipients} penerima: {', '.join(parts)}. Perkiraan biaya {format_rupiah(result.cost)}, "
        f"selesai dalam {format_duration(result.duration_seconds)}."
    )
