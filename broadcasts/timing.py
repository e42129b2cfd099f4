"""When a broadcast may go: quiet hours and blackouts, recurring schedules, meeting reminders.

Everything is computed in the village's own wall-clock time (`zoneinfo.ZoneInfo(zone)`) and handed back
as aware datetimes; callers store UTC. Indonesia has no daylight saving, but wall times are turned into
instants through the zone, so a zone that has it is still handled: an occurrence at 08:00 stays at
08:00 local across a change, and a wall time that does not exist moves forward with the clock.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

QUIET_LABEL = "jam tenang"
FRIDAY = 4  # datetime.weekday(): Monday is 0

_HHMM = re.compile(r"\s*(\d{1,2})[:.](\d{2})\s*")


def parse_hhmm(text: str) -> time:
    """'21:00' (or '21.00', as Indonesians write it) -> time(21, 0)."""
    match = _HHMM.fullmatch(text)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"not a time of day: {text!r} (expected HH:MM, e.g. '21:00')")
    return time(int(match[1]), int(match[2]))


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {value!r}")


def _instant(wall: datetime, zone: tzinfo) -> datetime:
    """The aware moment a naive local wall time names (a wall time skipped by the clock moves forward)."""
    return wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


# --- quiet hours and blackouts ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeeklyBlackout:
    """A window every week in local time, e.g. Friday 11:30-13:00 'salat Jumat'; end <= start wraps."""

    weekday: int  # 0 = Monday ... 6 = Sunday, as datetime.weekday()
    start: time
    end: time
    label: str

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        if self.start == self.end:
            raise ValueError(f"blackout {self.label!r} starts and ends at {self.start}: it has no length")

    def end_if_inside(self, wall: datetime) -> datetime | None:
        """The local wall time this window ends at, when `wall` lies inside it; else None."""
        day, clock = wall.date(), wall.time()
        if self.start < self.end:
            if wall.weekday() == self.weekday and self.start <= clock < self.end:
                return datetime.combine(day, self.end)
            return None
        if wall.weekday() == self.weekday and clock >= self.start:
            return datetime.combine(day + timedelta(days=1), self.end)
        if wall.weekday() == (self.weekday + 1) % 7 and clock < self.end:
            return datetime.combine(day, self.end)
        return None


@dataclass(frozen=True, slots=True)
class DatedBlackout:
    """A one-off window between two naive local wall times, e.g. Nyepi from 06:00 to 06:00 the next day."""

    start: datetime
    end: datetime
    label: str

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError(f"blackout {self.label!r}: give local wall times without a time zone")
        if self.end <= self.start:
            raise ValueError(f"blackout {self.label!r} ends ({self.end}) before it starts ({self.start})")

    def end_if_inside(self, wall: datetime) -> datetime | None:
        """The local wall time this window ends at, when `wall` lies inside it; else None."""
        return self.end if self.start <= wall < self.end else None


Blackout = WeeklyBlackout | DatedBlackout

FRIDAY_PRAYER = WeeklyBlackout(FRIDAY, time(11, 30), time(13, 0), "salat Jumat")


def weekly_blackouts(entries: list[dict[str, str]]) -> tuple[WeeklyBlackout, ...]:
    """A village's stored blackouts ({"weekday", "start", "end", "label"}); malformed ones raise."""
    return tuple(
        WeeklyBlackout(
            int(entry["weekday"]),
            parse_hhmm(entry["start"]),
            parse_hhmm(entry["end"]),
            entry.get("label", ""),
        )
        for entry in entries
    )


@dataclass(frozen=True, slots=True)
class QuietRules:
    """A village's quiet hours (start == end: none) and blackouts, all in local wall time."""

    quiet_start: time = time(21, 0)
    quiet_end: time = time(6, 0)
    blackouts: tuple[Blackout, ...] = ()

    @classmethod
    def parse(cls, quiet_start: str, quiet_end: str, blackouts: tuple[Blackout, ...] = ()) -> "QuietRules":
        """Rules from a village's 'HH:MM' strings."""
        return cls(parse_hhmm(quiet_start), parse_hhmm(quiet_end), blackouts)

    def quiet_end_if_inside(self, wall: datetime) -> datetime | None:
        """The local wall time the quiet hours end at, when `wall` lies inside them; else None."""
        start, end, clock, day = self.quiet_start, self.quiet_end, wall.time(), wall.date()
        if start == end:
            return None
        if start < end:
            return datetime.combine(day, end) if start <= clock < end else None
        if clock >= start:
            return datetime.combine(day + timedelta(days=1), end)
        return datetime.combine(day, end) if clock < end else None

    def holding(self, wall: datetime) -> list[tuple[str, datetime]]:
        """(label, local end) of every window that holds local wall time `wall`."""
        found: list[tuple[str, datetime]] = []
        quiet = self.quiet_end_if_inside(wall)
        if quiet is not None:
            found.append((QUIET_LABEL, quiet))
        for blackout in self.blackouts:
            end = blackout.end_if_inside(wall)
            if end is not None:
                found.append((blackout.label, end))
        return found


DEFAULT_QUIET_RULES = QuietRules()
_MAX_HOPS = 1000


def village_rules(quiet_start: str, quiet_end: str, blackouts: list[dict[str, str]]) -> QuietRules:
    """A village's quiet hours and weekly blackouts (its `quiet_start`, `quiet_end`, `blackouts`)."""
    return QuietRules.parse(quiet_start, quiet_end, weekly_blackouts(blackouts))


def next_allowed(at: datetime, zone: str, rules: QuietRules, *, emergency: bool = False) -> datetime:
    """`at` when sending is allowed then, else the first allowed moment after the windows holding it."""
    _require_aware(at, "at")
    if emergency:
        return at
    tz = ZoneInfo(zone)
    moment = at
    for _ in range(_MAX_HOPS):
        held = rules.holding(moment.astimezone(tz).replace(tzinfo=None))
        if not held:
            return moment if moment is at else moment.astimezone(at.tzinfo)
        moment = _instant(max(end for _, end in held), tz)
    raise ValueError("quiet hours and blackouts leave no time to send")


def held_by(at: datetime, zone: str, rules: QuietRules) -> list[str]:
    """Labels of the windows holding `at` ('jam tenang', 'salat Jumat', ...); empty when it may go."""
    _require_aware(at, "at")
    return [label for label, _ in rules.holding(at.astimezone(ZoneInfo(zone)).replace(tzinfo=None))]


# --- recurrence --------------------------------------------------------------------------------

# A rule whose first date lies further out than this is refused as yielding nothing. dateutil checks
# UNTIL only against dates it finds, so a rule that can never match is searched up to the year 9999
# (seconds for a daily rule): the usual such mistake, a day its months do not have (30 February), is
# refused before that by _check_month_days, and rules repeating within a day are refused outright.
FIRST_OCCURRENCE_HORIZON = timedelta(days=366 * 10)

SUB_DAILY = frozenset({"HOURLY", "MINUTELY", "SECONDLY"})
_LONGEST_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

_UNTIL = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?")


def _until_wall(value: str, zone: tzinfo) -> datetime:
    """An RFC 5545 UNTIL as local wall time: UTC ('...Z') converted, floating kept, a date to its end."""
    match = _UNTIL.fullmatch(value.strip().upper())
    if match is None:
        raise ValueError(f"UNTIL={value} is not a date (YYYYMMDD) or date-time (YYYYMMDDTHHMMSS[Z])")
    year, month, day, hour, minute, second, utc = match.groups()
    try:
        if hour is None:
            return datetime.combine(date(int(year), int(month), int(day)), time.max)
        wall = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except ValueError as exc:
        raise ValueError(f"UNTIL={value} is not a valid date: {exc}") from None
    if utc:
        return wall.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    return wall


def _check_month_days(rule: str, values: dict[str, str]) -> None:
    """Refuse at once a rule whose month days exist in none of its months (dateutil would search to 9999)."""
    if "BYMONTHDAY" not in values:
        return
    try:
        days = [abs(int(day)) for day in values["BYMONTHDAY"].split(",")]
        months = [int(month) for month in values["BYMONTH"].split(",")] if "BYMONTH" in values else []
    except ValueError:
        return  # dateutil names the bad value
    longest = [_LONGEST_MONTH[m - 1] for m in months if 1 <= m <= 12] or [31]
    if not any(0 < day <= length for day in days for length in longest):
        raise ValueError(f"recurrence rule {rule!r} yields no date: no such day in its months")


def _parse_rule(rule: str, start_wall: datetime, zone: tzinfo) -> tuple[rrule, datetime | None]:
    """An rrule over local wall times from one RRULE line (and its UNTIL), refused when it has no end."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    if not text or "\n" in text or "\r" in text or ":" in text:
        raise ValueError(f"give one RRULE line such as 'FREQ=MONTHLY;BYDAY=1MO;COUNT=12', got {rule!r}")
    parts: list[str] = []
    until: datetime | None = None
    values: dict[str, str] = {}
    for part in text.split(";"):
        key, _, value = part.partition("=")
        key = key.strip().upper()
        values[key] = value.strip().upper()
        if key == "UNTIL":
            until = _until_wall(value, zone)
        else:
            parts.append(part.strip())
    keys = set(values)
    if "COUNT" not in keys and "UNTIL" not in keys:
        raise ValueError(
            f"recurrence rule {rule!r} has no end: add COUNT=n or UNTIL=YYYYMMDD "
            "(e.g. 'FREQ=MONTHLY;BYDAY=1MO;COUNT=12')"
        )
    if "COUNT" in keys and "UNTIL" in keys:
        raise ValueError(f"recurrence rule {rule!r} has both COUNT and UNTIL; RFC 5545 allows one")
    if "COUNT" in keys and not (values["COUNT"].isdigit() and int(values["COUNT"]) > 0):
        raise ValueError(f"recurrence rule {rule!r} yields nothing: COUNT must be a whole number above 0")
    if values.get("FREQ") in SUB_DAILY:
        raise ValueError(f"recurrence rule {rule!r} repeats within a day; a broadcast recurs at most daily")
    _check_month_days(rule, values)
    try:
        parsed = rrulestr(";".join(parts), dtstart=start_wall)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"not a recurrence rule: {rule!r} ({exc})") from None
    if not isinstance(parsed, rrule):
        raise ValueError(f"give one RRULE line, got {rule!r}")
    return (parsed.replace(until=until) if until is not None else parsed), until


def occurrences(rule: str, start: datetime, *, after: datetime, limit: int) -> list[datetime]:
    """Up to `limit` dates of an RFC 5545 rule from `start` (aware, village zone) strictly after `after`."""
    _require_aware(start, "start")
    _require_aware(after, "after")
    if limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
    zone = start.tzinfo
    assert zone is not None  # checked above
    start_wall = start.replace(tzinfo=None)
    parsed, until = _parse_rule(rule, start_wall, zone)
    horizon = start_wall + FIRST_OCCURRENCE_HORIZON
    probe = parsed.replace(count=None, until=min(until, horizon) if until is not None else horizon)
    if next(iter(probe), None) is None:
        raise ValueError(f"recurrence rule {rule!r} yields no date from {start.isoformat()}")
    found: list[datetime] = []
    if limit == 0:
        return found
    # Start a day early in wall time and compare instants, so an offset change cannot skip a date.
    since = after.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    for wall in parsed.xafter(since, inc=True):
        moment = _instant(wall, zone)
        if moment > after:
            found.append(moment)
            if len(found) == limit:
                break
    return found


# --- meeting reminders -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReminderRule:
    """When one message about a meeting goes: now, N days before at a local clock time, or a span before."""

    key: str
    days_before: int | None = None
    at: time = time(8, 0)
    before: timedelta | None = None

    def __post_init__(self) -> None:
        if self.days_before is not None and self.before is not None:
            raise ValueError(f"reminder {self.key!r}: give days_before or before, not both")
        if (self.days_before is not None and self.days_before < 0) or (
            self.before is not None and self.before < timedelta(0)
        ):
            raise ValueError(f"reminder {self.key!r} must come before the meeting")

    def due(self, starts_at: datetime, zone: ZoneInfo, now: datetime) -> datetime:
        """The moment this message is due for a meeting at `starts_at`."""
        if self.days_before is not None:
            day = starts_at.astimezone(zone).date() - timedelta(days=self.days_before)
            return _instant(datetime.combine(day, self.at), zone)
        if self.before is not None:
            return starts_at - self.before
        return now


DEFAULT_REMINDERS: tuple[ReminderRule, ...] = (
    ReminderRule("announce"),
    ReminderRule("d-3", days_before=3, at=time(8, 0)),
    ReminderRule("d-1", days_before=1, at=time(8, 0)),
    ReminderRule("h-2", before=timedelta(hours=2)),
)


@dataclass(frozen=True, slots=True)
class Reminder:
    """One planned message about a meeting; `key` is stable, so a moved meeting re-plans by key."""

    key: str
    due_at: datetime  # aware, UTC


def reminder_plan(
    starts_at: datetime,
    zone: str,
    now: datetime,
    *,
    offsets: tuple[ReminderRule, ...] = DEFAULT_REMINDERS,
    rules: QuietRules | None = None,
    min_gap: timedelta = timedelta(0),
) -> list[Reminder]:
    """The announcement and reminders still to send, in time order (none in the past, none late).

    With `rules`, each is first moved out of quiet hours and blackouts. A message due before `now`, at or
    after the meeting, or within `min_gap` of an earlier one (at the same moment, by default) is
    dropped; of two at the same moment the one listed first in `offsets` stays.
    """
    _require_aware(starts_at, "starts_at")
    _require_aware(now, "now")
    keys = [offset.key for offset in offsets]
    if len(set(keys)) != len(keys):
        raise ValueError(f"reminder keys must be unique, got {keys}")
    tz = ZoneInfo(zone)
    planned: list[tuple[datetime, int, str]] = []
    for index, offset in enumerate(offsets):
        due = offset.due(starts_at, tz, now)
        if rules is not None:
            due = next_allowed(due, zone, rules)
        if now <= due < starts_at:
            planned.append((due, index, offset.key))
    plan: list[Reminder] = []
    for due, _, key in sorted(planned):
        if plan and due - plan[-1].due_at <= min_gap:
            continue
        plan.append(Reminder(key, due.astimezone(UTC)))
    return plan
