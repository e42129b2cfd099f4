"""Phone numbers as Kentongan stores them (E.164, parsed by `phonenumbers`), and as it hides them."""

import hashlib
import itertools
import re
from collections.abc import Iterable
from functools import lru_cache

import phonenumbers

# to_e164 finds a number inside any text ("tel: +62..."); a phone typed into a field (a village's address,
# a staff member's phone) must be only that.
PHONE_TEXT = re.compile(r"^\+?[0-9][0-9 ().-]*$")


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


# Personal numbers in a resident's free text: phones (08xx, +62, 62), landlines with an area code, NIK and
# KK (16 digits), bank accounts, however their groups are separated. A regex finds each *cluster*: digit
# groups joined by what people put between them (any whitespace including NBSP, thin and zero-width
# spaces and line breaks; . , - / _ : + ( ) and unicode or full-width dashes, dots, commas, slashes; up to
# 5 such characters at a time, so " - " and ", " join too). It cannot backtrack badly: digits and
# separators are disjoint and the separator run is bounded, so the search is linear in the text. A
# cluster of 8 digits or more is then read group by group (also linear):
# - kept: dates (12/11/2026, 12-11-26, 2026-11-12: the same separator twice, a real day and month),
#   times (19.30, 07:00, so 07.00-09.00 too), money (Rp1.250.000, 1.200.000.000, 1,500,000.50: 1-3 digits
#   not starting with 0, then groups of exactly 3 after the same dot or comma, maybe a decimal part), an
#   amount right after "Rp"/"IDR" or right before "rb", "juta", "rupiah"... whatever its shape, and a
#   list of small numbers ("RT 01, 02, 03, 04": at most 4 groups of 1-2 digits or of 3 starting with 0,
#   each after a comma and a space);
# - kept only when nothing else is left in the cluster: years and year ranges (2025/2026, "2024, 2025");
# - hidden: every other run of groups with 8 digits or more, with a "+" or "(" just before it (two
#   numbers given one after another, "0812 3456 7890 / 0813 1111 2222", as two), and before all that,
#   e-mail addresses.
# A kept form glued to more digits by its own separator (08.12.34.56, 0812-12-05-2019) is not one: it is
# part of a longer number. A kept form beside a remainder of fewer than 8 digits (0812 12.30 7890) hides
# the whole cluster: a number split so that a piece looks like a time is likelier than "03 12/11/2026".
# Ambiguous, and decided so:
# - a number shaped like money is money, even an account written 1.234.567.890, unless it comes after a
#   phone or account word (hp, wa, telp, NIK, KK, rek, nomor, no, perhaps a bank's name: "rek BRI
#   1.234.567.890") or a "+", or it has 11-14 digits starting with 628 ("62.812.345.678" is a +62 8..
#   mobile; Rp 628 billion in a village complaint is the rarer reading) without "Rp" before it;
# - fewer than 8 digits stay: a 7-digit local landline (555-1234) is not hidden;
# - a cluster with a short remainder is hidden whole, so a few things are over-hidden: "1.800.000/3",
#   "03 12/11/2026", GPS coordinates (-6.914744, 107.609810), ticket codes in a row (482913, 482914).
#   Outputs lose a little text rather than show a reporter's number.
_SPACES = "\\s\u200b-\u200d\u2060\ufeff"  # \s is every unicode space; then the zero-width ones
_SEPARATORS = _SPACES + ".,/_:+()\\-\u2010-\u2015\u2212\u00b7\u2022\uff0c-\uff0f\uff3f"
_CLUSTER = re.compile(rf"\d+(?:[{_SEPARATORS}]{{1,5}}\d+)*")
_DIGITS = re.compile(r"\d+")
_SPACE_RUN = re.compile(rf"[{_SPACES}]+")
_ASCII_PUNCT = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d", "-")
    | {"\uff0e": ".", "\u00b7": ".", "\u2022": ".", "\uff0c": ",", "\uff0f": "/", "\uff3f": "_"}
)
_MIN_HIDDEN = 8  # digits: fewer are a code, an RT, an amount, a local landline
_RUPIAH_BEFORE = re.compile(r"\b(?:rp|idr)\.?\s{0,3}$", re.IGNORECASE)
_RUPIAH_AFTER = re.compile(r"(?:,-|\.-)?\s{0,3}(?:rb|ribu|jt|juta|miliar|milyar|rupiah|rp)\b", re.IGNORECASE)
_NUMBER_WORD_BEFORE = re.compile(
    r"\b(?:hp|wa|telp|tlp|telpon|telepon|nik|kk|ktp|npwp|rek|rekening|norek|nomor|nomer|no)[\W_]{0,3}"
    r"(?:(?:bank[\W_]{0,3})?(?:bri|bca|bni|bsi|btn|mandiri|cimb|danamon|permata|bjb|jago)[\W_]{0,3})?$",
    re.IGNORECASE,
)
# Quickly kept: a cluster that is just a date (and a time), or a time range; the reading below would keep it.
_TIME = r"(?:[01]?[0-9]|2[0-4])[.:][0-5][0-9]"
_DATE = r"(?:0?[1-9]|[12][0-9]|3[01])(?P<s>[-/.])(?:0?[1-9]|1[0-2])(?P=s)(?:19|20)?[0-9]{2}"
_PLAIN_KEPT = re.compile(rf"{_DATE}(?:[ ,]{{1,2}}{_TIME})?|{_TIME} ?[-\u2013] ?{_TIME}")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # starts only where a run starts


@lru_cache(maxsize=1024)
def _bare(separator: str) -> str:
    """A separator without its spaces, its dashes, dots, commas and slashes made ASCII: " – " is "-"."""
    return _SPACE_RUN.sub("", separator).translate(_ASCII_PUNCT)


class _Cluster:
    """One cluster: its digit groups (and their offsets in the text), the separators between them as
    written and bare, and (read only when needed) the words around it."""

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        self.text, self.spans = text, spans
        self.groups = groups = [text[s:e] for s, e in spans]
        self.seps = seps = [text[spans[k][1] : spans[k + 1][0]] for k in range(len(spans) - 1)]
        self.bare = [_bare(sep) for sep in seps]
        self.digits_before = [0, *itertools.accumulate(map(len, groups))]  # in groups[:k]
        # thousands[k]: the last group of the run of 3-digit groups after group k, each after the same
        # "." or "," (k itself when there is none); right to left, so that reading money stays linear.
        n = len(groups)
        self.thousands = list(range(n))
        for k in range(n - 2, -1, -1):
            if seps[k] in (".", ",") and len(groups[k + 1]) == 3:
                next_same = k + 2 < n and seps[k + 1] == seps[k]
                self.thousands[k] = self.thousands[k + 1] if next_same else k + 1

        start, end = spans[0][0], spans[-1][1]
        self.before = text[max(0, start - 40) : start]
        self.rupiah_before = bool(_RUPIAH_BEFORE.search(self.before))
        self.rupiah_after = bool(_RUPIAH_AFTER.match(text, end))
        self.plus = self.before.endswith("+")
        self._word: bool | None = None

    def _number_word(self) -> bool:
        """Whether a phone or account word comes just before: then what looks like money, years or a
        list is a number ("rek BRI 1.234.567.890"). Read only when it matters, once."""
        if self._word is None:
            self._word = not self.rupiah_before and bool(_NUMBER_WORD_BEFORE.search(self.before))
        return self._word

    def _int(self, k: int) -> int:
        return int(self.groups[k])

    def _glued(self, first: int, last: int, punct: str) -> bool:
        """Whether groups first..last go on, on either side, after that same punctuation."""
        return (first > 0 and self.bare[first - 1] == punct) or (
            last + 1 < len(self.groups) and self.bare[last] == punct
        )

    def _date(self, i: int) -> int | None:
        """The index after a date at group i (d/m/yyyy, d-m-yy, yyyy-m-d), or None."""
        g = self.groups
        if i + 2 >= len(g) or self.bare[i] != self.bare[i + 1] or self.bare[i] not in ("-", "/", "."):
            return None
        sizes = (len(g[i]), len(g[i + 1]), len(g[i + 2]))
        if sizes[0] <= 2 and sizes[1] <= 2 and sizes[2] in (2, 4):
            day, month, year = self._int(i), self._int(i + 1), self._int(i + 2) if sizes[2] == 4 else 2000
        elif sizes[0] == 4 and sizes[1] <= 2 and sizes[2] <= 2:
            year, month, day = self._int(i), self._int(i + 1), self._int(i + 2)
        else:
            return None
        if not (1 <= day <= 31 and 1 <= month <= 12 and 1900 <= year <= 2099):
            return None
        return None if self._glued(i, i + 2, self.bare[i]) else i + 3

    def _time(self, i: int) -> int | None:
        """The index after a time at group i (19.30, 7:05, 07:00:00, written without spaces), or None."""
        g, seps = self.groups, self.seps
        if i + 1 >= len(g) or seps[i] not in (".", ":") or len(g[i]) > 2 or len(g[i + 1]) != 2:
            return None
        if self._int(i) > 24 or self._int(i + 1) > 59:
            return None
        last = i + 1
        if seps[i] == ":" and last + 1 < len(g) and seps[last] == ":" and len(g[last + 1]) == 2:
            last += 1  # seconds
        return None if self._glued(i, last, seps[i]) else last + 1

    def _money(self, i: int) -> int | None:
        """The index after an amount at group i, or None: thousands after dots or commas (after "Rp" also
        single spaces), or any amount right after "Rp" or right before "rb", "juta", "rupiah"...; then
        perhaps a decimal part (Rp 150.000,50)."""
        g, seps, n = self.groups, self.seps, len(self.groups)
        if int(g[i][0]) == 0:
            return None  # an amount never starts with 0 (0812.345.678)
        last, punct = i, ""
        if len(g[i]) <= 3 and self.thousands[i] > i:
            last, punct = self.thousands[i], seps[i]
        elif i == 0 and len(g[0]) <= 3 and self.rupiah_before:  # Rp 150 000 000
            while last + 1 < n and len(seps[last]) == 1 and seps[last].isspace() and len(g[last + 1]) == 3:
                last, punct = last + 1, " "
        decimal = {".": (",",), ",": (".",)}.get(punct, (",", "."))
        if last + 1 < n and seps[last] in decimal and len(g[last + 1]) <= 2:
            last += 1
        if not punct and not ((i == 0 and self.rupiah_before) or (self.rupiah_after and last + 1 == n)):
            return None
        if not self.rupiah_before:
            size = self.digits_before[last + 1] - self.digits_before[i]
            after_plus = self.plus if i == 0 else self.bare[i - 1].endswith("+")
            if after_plus or (11 <= size <= 14 and "".join(g[i : i + 3]).startswith("628")):
                return None  # +62 812.345.678, 62.812.345.678: a phone
        if (punct in (".", ",") and self._glued(i, last, punct)) or self._number_word():
            return None  # 1.500.000.0812; rek BRI 1.234.567.890
        return last + 1

    def _years(self, i: int) -> int | None:
        """The index after a year or a year range at group i (2026, 2025/2026, 2025 - 2026), or None."""
        g = self.groups
        if len(g[i]) != 4 or not 1900 <= self._int(i) <= 2099:
            return None
        ranged = i + 1 < len(g) and len(g[i + 1]) == 4 and self.bare[i] in ("-", "/")
        if ranged and self._int(i) <= self._int(i + 1) <= 2099 and not self._glued(i, i + 1, self.bare[i]):
            return i + 2
        return i + 1

    def _small_list(self, first: int, last: int) -> bool:
        """Whether groups first..last are a short list of small numbers: "RT 01, 02, 03, 04"."""
        if not 1 <= last - first <= 3:
            return False
        for k in range(first, last + 1):
            group = self.groups[k]
            if len(group) > 3 or (len(group) == 3 and int(group[0]) != 0):
                return False
            if k < last and not (self.seps[k][:1] == "," and self.seps[k][1:].isspace()):
                return False
        return True

    def hidden(self) -> list[tuple[int, int]]:
        """The runs of groups (first, last index) to hide."""
        groups, n = self.groups, len(self.groups)
        whole = [(0, n - 1)]
        kept, years = [False] * n, [False] * n
        i = 0
        while i < n:
            size = len(groups[i])
            end = (size in (1, 2, 4) and self._date(i)) or (size <= 2 and self._time(i)) or self._money(i)
            if end:
                kept[i:end] = [True] * (end - i)
                i = end
                continue
            end = self._years(i)
            if end:
                years[i:end] = [True] * (end - i)
            i = end or i + 1
        if all(k or y for k, y in zip(kept, years, strict=True)):
            return whole if any(years) and self._number_word() else []  # NIK 2019 2020 2021 2022
        runs: list[tuple[int, int]] = []
        for k in range(n):
            if kept[k]:
                continue
            if runs and runs[-1][1] == k - 1:
                runs[-1] = (runs[-1][0], k)
            else:
                runs.append((k, k))
        hidden = []
        for first, last in runs:
            if self._small_list(first, last) and not self._number_word():
                continue
            if self.digits_before[last + 1] - self.digits_before[first] < _MIN_HIDDEN:
                return whole  # a number cut around something that only looks kept
            hidden.append((first, last))
        return hidden


def _one_number_each(text: str, spans: list[tuple[int, int]], first: int, last: int) -> list[tuple[int, int]]:
    """A hidden run cut where one number ends and another begins ("0812-3450-0001 / +62 812 3450 0001":
    at a spaced slash, comma or semicolon, or before a "+"), when both sides have 10 digits or more (as
    many as the shortest phone; no one number of under 20 digits is cut), so that the reader sees that
    two numbers were given. Each piece is hidden whole: nothing more shows."""
    pieces, begin = [], first
    left, right = 0, sum(spans[k][1] - spans[k][0] for k in range(first, last + 1))
    for k in range(first, last):
        size = spans[k][1] - spans[k][0]
        left, right = left + size, right - size
        if left < 10 or right < 10:
            continue
        separator = text[spans[k][1] : spans[k + 1][0]]
        spaced = any(char in ",;/" for char in separator) and any(char.isspace() for char in separator)
        if spaced or separator.endswith("+"):
            pieces.append((begin, k))
            begin, left = k + 1, 0
    pieces.append((begin, last))
    return pieces


def _hide_numbers(text: str, marker: str) -> str:
    """`text` with e-mail addresses and personal numbers replaced by `marker`."""
    if "@" in text:
        text = _EMAIL.sub(marker, text)
    pieces: list[str] = []
    done = 0
    for found in _CLUSTER.finditer(text):
        if found.end() - found.start() < _MIN_HIDDEN:
            continue  # too short to hold 8 digits
        groups = _DIGITS.findall(text, *found.span())
        if sum(map(len, groups)) < _MIN_HIDDEN:
            continue
        start, end = found.span()
        if _PLAIN_KEPT.fullmatch(text, start, end):
            continue
        # The common case (0812-3456-7890, 3204 1234 5678 0001), quickly: groups of 4 digits or more, none
        # a year, no "Rp" or "rupiah" around; nothing in it can be kept.
        plain = (
            all(len(group) > 4 or (len(group) == 4 and not 1900 <= int(group) <= 2099) for group in groups)
            and not _RUPIAH_BEFORE.search(text, max(0, start - 8), start)
            and not _RUPIAH_AFTER.match(text, end)
        )
        if plain and len(groups) < 4:
            hidden = [(start, end)]
        else:
            spans = [(group.start(), group.end()) for group in _DIGITS.finditer(text, start, end)]
            runs = [(0, len(spans) - 1)] if plain else _Cluster(text, spans).hidden()
            hidden = [
                (spans[first][0], spans[last][1])
                for run in runs
                for first, last in _one_number_each(text, spans, *run)
            ]
        for start, end in hidden:
            while start > max(done, found.start() - 3) and text[start - 1] in "+(":
                start -= 1  # +62 ..., (0265) 123456, (+62) 812...
            if text[start] == "(" and text.count(")", start, end) < text.count("(", start, end):
                start += 1  # the brackets around a whole number stay: (0812 3456 7890)
            if text[end : end + 1] == ")" and text.count("(", start, end) > text.count(")", start, end):
                end += 1
            pieces += (text[done:start], marker)
            done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


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
    hidden = _hide_numbers(text, marker)
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


# A number as a phone shows a sender: digits with the separators people and phones write, "+" first only.
_SENDER_NUMBER = re.compile(r"\+?[0-9\s().\-/]{1,32}")


@lru_cache(maxsize=65536)
def sender_e164(raw: str, region: str = "ID") -> str | None:
    """A sender's number as a phone or gateway reports it, in E.164; None when it cannot be read as a valid
    number (an operator's name, a short code, digits whose country cannot be told): the caller keeps it
    as given, and a sender without a leading "+" is never answered (handlers/pipeline.py).

    Unlike `to_e164` (numbers people typed into lists, where "812..." lost its 0), nothing is guessed:
    - `+...` is international: +6281234567890, +1 650-555-1212;
    - a leading 0 is a national number of `region` (the village's country: 0812... in Indonesia), or that
      country's own international prefix (008, 009 in Indonesia), then the ITU one (00);
    - other digits are international without the plus, as phones show them: 6281234567890,
      16505551212. A number without its country code (6505551212, a US number as an American phone
      shows it) is not made Indonesian: +65 05551212 is not valid, so it stays as given.
    Cached, like `to_e164`.
    """
    text = raw.strip()
    if not _SENDER_NUMBER.fullmatch(text):
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    if not digits:
        return None
    if text.startswith("+"):
        candidates: list[tuple[str, str | None]] = [(text, None)]
    elif digits.startswith("0"):
        candidates = [(text, region)]
        if digits.startswith("00"):
            candidates.append(("+" + digits[2:], None))
    else:
        candidates = [("+" + digits, None)]
    for candidate, in_region in candidates:
        try:
            number = phonenumbers.parse(candidate, in_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None
