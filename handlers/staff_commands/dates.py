"""RAPAT's date and time as staff type them on a keypad, read in the village's zone.

    tanggal: 12/12, 12-12-2026, 12.12.2026, 12 Des, besok, lusa, hari ini, senin..minggu (the next such
             day; today while the hour is ahead)
    jam:     19.30, 19:30, jam 19, jam 7 malam, pukul 9 pagi; either first

A date without a year that has passed ("1/1" written in December) is next year's. "minggu depan" (next
week) is no day. Digits are ASCII 0-9 only: superscripts and other scripts' digits are not numbers here.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

MONTHS = {
    **dict.fromkeys(("jan", "januari"), 1),
    **dict.fromkeys(("feb", "februari", "pebruari", "peb"), 2),
    **dict.fromkeys(("mar", "maret"), 3),
    **dict.fromkeys(("apr", "april"), 4),
    "mei": 5,
    **dict.fromkeys(("jun", "juni"), 6),
    **dict.fromkeys(("jul", "juli"), 7),
    **dict.fromkeys(("agu", "agt", "agus", "agustus"), 8),
    **dict.fromkeys(("sep", "sept", "september"), 9),
    **dict.fromkeys(("okt", "oktober"), 10),
    **dict.fromkeys(("nov", "nop", "november", "nopember"), 11),
    **dict.fromkeys(("des", "desember"), 12),
}
WEEKDAYS = {
    "senin": 0,
    "selasa": 1,
    "rabu": 2,
    "kamis": 3,
    "jumat": 4,
    "jum'at": 4,
    "sabtu": 5,
    "minggu": 6,
    "ahad": 6,
}
RELATIVE_DAYS = {"hari ini": 0, "ini": 0, "nanti": 0, "besok": 1, "bsk": 1, "esok": 1, "lusa": 2}
PERIODS = frozenset({"pagi", "siang", "sore", "malam"})
_WHEN_FILLERS = frozenset({"tgl", "tanggal", "hari", "hr", "pada", "depan", "wib", "wita", "wit", ","})
_TIME_MARKERS = frozenset({"jam", "pukul", "pkl"})
_TIME = re.compile(r"([0-9]{1,2})[.:]([0-9]{2})(?:wib|wita|wit)?")
_DATE = re.compile(
    r"([0-9]{1,2})[/-]([0-9]{1,2})(?:[/-]([0-9]{4}|[0-9]{2}))?"
    r"|([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4}|[0-9]{2})"
)


def is_digits(text: str) -> bool:
    """Whether `text` is ASCII digits only: superscripts and other scripts' digits are not numbers here
    (str.isdigit takes '²⁰²⁶', which int() refuses)."""
    return text.isascii() and text.isdecimal()


def _hour_in(hour: int, period: str | None) -> int | None:
    """A clock hour read with pagi / siang / sore / malam: 'jam 7 malam' is 19, '1 siang' is 13."""
    if (period == "siang" and hour < 11) or (period in ("sore", "malam") and 1 <= hour < 12):
        hour += 12
    if period == "malam" and hour == 12:
        return None  # midnight: no village meets then, and the date would be ambiguous
    return hour if 0 <= hour <= 23 else None


class _Impossible(Exception):
    """A date that does not exist (31/2), or "minggu depan": the text names no moment."""


def _word(words: Sequence[str], i: int) -> str:
    return words[i].strip(",;") if i < len(words) else ""


@dataclass
class _When:
    """What the words read so far say of the day and the hour."""

    today: date
    day: date | None = None
    weekday: int | None = None
    year_given: bool = False
    hour: int | None = None
    minute: int = 0
    period: str | None = None
    expect_hour: bool = False

    def take(self, words: Sequence[str], i: int) -> int:
        """Read the word at `i`: how many words it took (0: it is no part of a date or time)."""
        word, following = _word(words, i), _word(words, i + 1)
        if not word or word in _WHEN_FILLERS:
            return 1
        if word in _TIME_MARKERS:
            self.expect_hour = True
            return 1
        if self.hour is None and (match := _TIME.fullmatch(word)):
            self.hour, self.minute = int(match.group(1)), int(match.group(2))
            return 1
        if self.day is None and self.weekday is None:
            took = self._day(word, following)
            if took:
                return took
        if is_digits(word) and len(word) <= 2:
            took = self._number(word, following, _word(words, i + 2))
            if took:
                return took
        if word in PERIODS:
            self.period = word
            return 1
        return 0

    def _day(self, word: str, following: str) -> int:
        """A date written as one word (12/12, 12.12.2026), a relative day or a weekday."""
        if match := _DATE.fullmatch(word):
            d, m, y = (
                (match.group(1), match.group(2), match.group(3)) if match.group(1) else match.group(4, 5, 6)
            )
            year = (int(y) + 2000 if len(y) == 2 else int(y)) if y else self.today.year
            self.year_given = bool(y)
            try:
                self.day = date(year, int(m), int(d))
            except ValueError as error:
                raise _Impossible from error
            return 1
        if word == "hari" and following == "ini":
            self.day = self.today
            return 2
        if word in RELATIVE_DAYS:
            self.day = self.today + timedelta(days=RELATIVE_DAYS[word])
            self.year_given = True
            return 1
        if word in WEEKDAYS:
            if word == "minggu" and following == "depan":
                raise _Impossible  # "minggu depan" is "next week", not a day
            self.weekday = WEEKDAYS[word]
            return 1
        return 0

    def _number(self, word: str, following: str, after: str) -> int:
        """A number of one or two digits: a day before a month's name ("12 Des 2026"), or an hour."""
        if self.day is None and self.weekday is None and following in MONTHS:
            year = int(after) if is_digits(after) and len(after) == 4 else self.today.year
            self.year_given = year != self.today.year or after == str(self.today.year)
            try:
                self.day = date(year, MONTHS[following], int(word))
            except ValueError as error:
                raise _Impossible from error
            return 3 if is_digits(after) and len(after) == 4 else 2
        if self.hour is None and (self.expect_hour or following in PERIODS):
            self.hour, self.minute, self.expect_hour = int(word), 0, False
            return 1
        return 0

    def moment(self, now_local: datetime) -> datetime | None:
        """The moment read, in `now_local`'s zone; None when the day or the hour is missing or impossible."""
        if self.hour is None or (self.day is None and self.weekday is None):
            return None
        clock = _hour_in(self.hour, self.period)
        if clock is None or not 0 <= self.minute <= 59:
            return None
        zone = now_local.tzinfo
        day = self.day
        if self.weekday is not None:
            day = self.today + timedelta(days=(self.weekday - self.today.weekday()) % 7)
            if datetime.combine(day, time(clock, self.minute), tzinfo=zone) <= now_local:
                day += timedelta(days=7)
        assert day is not None
        moment = datetime.combine(day, time(clock, self.minute), tzinfo=zone)
        if not self.year_given and moment < now_local - timedelta(days=1):
            try:  # "1/1" written in December means next January
                moment = moment.replace(year=moment.year + 1)
            except ValueError:
                return None
        return moment


def parse_when(words: Sequence[str], now_local: datetime) -> tuple[datetime | None, int]:
    """Read a meeting's date and time from the leading `words` (lower case); returns it and how many
    words it took. None when the date or the hour is missing or impossible."""
    reading = _When(now_local.date())
    i = 0
    try:
        while i < len(words):
            took = reading.take(words, i)
            if not took:
                break
            i += took
    except _Impossible:
        return None, i
    return reading.moment(now_local), i
