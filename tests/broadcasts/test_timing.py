"""Quiet hours, blackouts, recurrence and meeting reminders, table-driven in WIB, WITA and WIT.

Calendar used below (checked by test_calendar_facts): 13 May 2026 is a Wednesday, 15 May a Friday,
16 May a Saturday, 23 May a Saturday; 17 Aug 2026 a Monday.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from broadcasts.timing import (
    DEFAULT_REMINDERS,
    FRIDAY,
    FRIDAY_PRAYER,
    QUIET_LABEL,
    DatedBlackout,
    QuietRules,
    Reminder,
    ReminderRule,
    WeeklyBlackout,
    held_by,
    next_allowed,
    occurrences,
    parse_hhmm,
    reminder_plan,
)

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
ZONES = [WIB, WITA, WIT]
OFFSET = {WIB: 7, WITA: 8, WIT: 9}  # hours ahead of UTC; no daylight saving
RULES = QuietRules()  # 21:00-06:00, no blackouts
WITH_PRAYER = QuietRules(blackouts=(FRIDAY_PRAYER,))


def local(zone: str, y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo(zone))


def wall(moment: datetime, zone: str) -> tuple[int, int, int, int, int]:
    """The local clock of `moment`: (year, month, day, hour, minute)."""
    t = moment.astimezone(ZoneInfo(zone))
    return (t.year, t.month, t.day, t.hour, t.minute)


def test_calendar_facts() -> None:
    assert [date(2026, 5, d).weekday() for d in (13, 15, 16, 23)] == [2, 4, 5, 5]
    assert date(2026, 8, 17).weekday() == 0


# --- parse_hhmm ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("21:00", time(21, 0)), ("06:00", time(6, 0)), ("6:00", time(6, 0)), ("21.30", time(21, 30)),
     (" 00:00 ", time(0, 0)), ("23:59", time(23, 59))],
)  # fmt: skip
def test_parse_hhmm(text: str, expected: time) -> None:
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize("text", ["24:00", "21:60", "2100", "abc", "", "21:0", "-1:00"])
def test_parse_hhmm_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a time of day"):
        parse_hhmm(text)


def test_rules_from_village_strings() -> None:
    assert QuietRules.parse("21:00", "06:00") == QuietRules(time(21), time(6), ())


# --- quiet hours ------------------------------------------------------------------------------

# (local time on Wednesday 13 May 2026 or the Thursday after, expected local time it may go)
QUIET_EDGES = [
    ((13, 20, 59), (13, 20, 59)),  # a minute before: allowed
    ((13, 21, 0), (14, 6, 0)),  # exactly at the start: quiet, held to 06:00 the next day
    ((13, 23, 30), (14, 6, 0)),
    ((14, 0, 0), (14, 6, 0)),  # midnight: still quiet (the window wraps)
    ((14, 5, 59), (14, 6, 0)),
    ((14, 6, 0), (14, 6, 0)),  # exactly at the end: allowed
    ((14, 12, 0), (14, 12, 0)),
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("given", "expected"), QUIET_EDGES)
def test_quiet_hour_edges(zone: str, given: tuple[int, int, int], expected: tuple[int, int, int]) -> None:
    at = local(zone, 2026, 5, *given)
    result = next_allowed(at, zone, RULES)
    assert wall(result, zone) == (2026, 5, *expected)
    # Stored instants are UTC: the same moment given in UTC comes back in UTC, at the same instant.
    from_utc = next_allowed(at.astimezone(UTC), zone, RULES)
    assert from_utc == result
    assert from_utc.tzinfo is UTC


@pytest.mark.parametrize("zone", ZONES)
def test_allowed_returns_the_same_moment(zone: str) -> None:
    at = local(zone, 2026, 5, 13, 10, 0)
    assert next_allowed(at, zone, RULES) is at


@pytest.mark.parametrize(
    ("zone", "utc_release"),
    [
        (WIB, datetime(2026, 5, 13, 23, 0, tzinfo=UTC)),  # 06:00 WIB = 23:00 UTC the day before
        (WITA, datetime(2026, 5, 13, 22, 0, tzinfo=UTC)),  # 06:00 WITA = 22:00 UTC
        (WIT, datetime(2026, 5, 13, 21, 0, tzinfo=UTC)),  # 06:00 WIT = 21:00 UTC
    ],
)
def test_quiet_release_in_utc(zone: str, utc_release: datetime) -> None:
    # 14:30 UTC is 21:30 WIB, 22:30 WITA, 23:30 WIT: quiet everywhere.
    assert next_allowed(datetime(2026, 5, 13, 14, 30, tzinfo=UTC), zone, RULES) == utc_release


def test_the_same_instant_is_quiet_in_one_zone_and_not_in_another() -> None:
    at = datetime(2026, 5, 13, 13, 30, tzinfo=UTC)  # 20:30 WIB, 21:30 WITA, 22:30 WIT
    assert next_allowed(at, WIB, RULES) == at
    assert wall(next_allowed(at, WITA, RULES), WITA) == (2026, 5, 14, 6, 0)
    assert wall(next_allowed(at, WIT, RULES), WIT) == (2026, 5, 14, 6, 0)


@pytest.mark.parametrize(
    ("rules", "given", "expected"),
    [
        (QuietRules.parse("22:00", "05:30"), (13, 21, 30), (13, 21, 30)),
        (QuietRules.parse("22:00", "05:30"), (13, 22, 0), (14, 5, 30)),
        (QuietRules.parse("13:00", "15:00"), (13, 12, 59), (13, 12, 59)),  # a window that does not wrap
        (QuietRules.parse("13:00", "15:00"), (13, 13, 0), (13, 15, 0)),
        (QuietRules.parse("13:00", "15:00"), (13, 22, 0), (13, 22, 0)),
        (QuietRules.parse("00:00", "00:00"), (13, 23, 0), (13, 23, 0)),  # start == end: no quiet hours
    ],
)
def test_other_quiet_hours(
    rules: QuietRules, given: tuple[int, int, int], expected: tuple[int, int, int]
) -> None:
    assert wall(next_allowed(local(WITA, 2026, 5, *given), WITA, rules), WITA) == (2026, 5, *expected)


# --- blackouts ----------------------------------------------------------------------------------

FRIDAY_CASES = [
    ((15, 11, 29), (15, 11, 29)),  # Friday, before the prayer
    ((15, 11, 30), (15, 13, 0)),  # at the start: held
    ((15, 12, 59), (15, 13, 0)),
    ((15, 13, 0), (15, 13, 0)),  # at the end: allowed
    ((14, 12, 0), (14, 12, 0)),  # Thursday midday: allowed
    ((22, 12, 0), (22, 13, 0)),  # the next Friday too
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("given", "expected"), FRIDAY_CASES)
def test_friday_prayer(zone: str, given: tuple[int, int, int], expected: tuple[int, int, int]) -> None:
    at = local(zone, 2026, 5, *given)
    assert wall(next_allowed(at, zone, WITH_PRAYER), zone) == (2026, 5, *expected)
    assert wall(next_allowed(at.astimezone(UTC), zone, WITH_PRAYER), zone) == (2026, 5, *expected)


@pytest.mark.parametrize("zone", ZONES)
def test_quiet_end_landing_in_a_blackout_moves_on(zone: str) -> None:
    ceremony = DatedBlackout(datetime(2026, 8, 17, 6, 0), datetime(2026, 8, 17, 9, 0), "upacara HUT RI")
    rules = QuietRules(blackouts=(ceremony,))
    # 22:00 on the 16th: quiet until 06:00, when the ceremony starts; then 09:00.
    assert wall(next_allowed(local(zone, 2026, 8, 16, 22), zone, rules), zone) == (2026, 8, 17, 9, 0)
    assert held_by(local(zone, 2026, 8, 16, 22), zone, rules) == [QUIET_LABEL]
    assert held_by(local(zone, 2026, 8, 17, 7), zone, rules) == ["upacara HUT RI"]


@pytest.mark.parametrize("zone", ZONES)
def test_chains_of_windows(zone: str) -> None:
    # A day of silence from 06:00 to 06:00 the next day, between two nights of quiet hours:
    # 21:30 -> 06:00 (quiet ends) -> 06:00 next day (silence ends, and so do that night's quiet hours).
    silence = DatedBlackout(datetime(2026, 3, 19, 6, 0), datetime(2026, 3, 20, 6, 0), "Nyepi")
    rules = QuietRules(blackouts=(silence,))
    assert wall(next_allowed(local(zone, 2026, 3, 18, 21, 30), zone, rules), zone) == (2026, 3, 20, 6, 0)
    # A blackout that ends inside the quiet hours: Saturday 20:00-22:00 -> 22:00 -> Sunday 06:00.
    evening = QuietRules(blackouts=(WeeklyBlackout(5, time(20, 0), time(22, 0), "pengajian"),))
    assert wall(next_allowed(local(zone, 2026, 5, 16, 20, 30), zone, evening), zone) == (2026, 5, 17, 6, 0)
    # Quiet end inside a weekly blackout that itself starts on the evening before (wraps midnight).
    overnight = WeeklyBlackout(5, time(23, 0), time(7, 30), "ronda")  # Saturday 23:00 - Sunday 07:30
    rules = QuietRules(blackouts=(overnight,))
    assert wall(next_allowed(local(zone, 2026, 5, 16, 21, 0), zone, rules), zone) == (2026, 5, 17, 7, 30)
    assert wall(next_allowed(local(zone, 2026, 5, 17, 7, 0), zone, rules), zone) == (2026, 5, 17, 7, 30)
    assert wall(next_allowed(local(zone, 2026, 5, 18, 7, 0), zone, rules), zone) == (2026, 5, 18, 7, 0)


def test_held_by_names_every_window() -> None:
    lunch = WeeklyBlackout(FRIDAY, time(11, 0), time(12, 0), "rapat perangkat")
    rules = QuietRules(blackouts=(FRIDAY_PRAYER, lunch))
    assert held_by(local(WIB, 2026, 5, 15, 11, 45), WIB, rules) == ["salat Jumat", "rapat perangkat"]
    assert wall(next_allowed(local(WIB, 2026, 5, 15, 11, 45), WIB, rules), WIB) == (2026, 5, 15, 13, 0)
    assert held_by(local(WIB, 2026, 5, 15, 10, 0), WIB, rules) == []


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    "given",
    [(2026, 5, 13, 23, 0), (2026, 5, 14, 5, 59), (2026, 5, 15, 12, 0)],  # quiet hours, Friday prayer
)
def test_emergencies_go_at_once(zone: str, given: tuple[int, int, int, int, int]) -> None:
    at = local(zone, *given)
    assert next_allowed(at, zone, WITH_PRAYER, emergency=True) is at
    assert next_allowed(at, zone, WITH_PRAYER) > at


def test_rules_leaving_no_time_are_refused() -> None:
    # Quiet 06:00-05:00 leaves 05:00-06:00; a blackout in that hour every day leaves nothing.
    daily = tuple(WeeklyBlackout(day, time(5, 0), time(6, 0), "subuh") for day in range(7))
    with pytest.raises(ValueError, match="no time to send"):
        next_allowed(local(WIB, 2026, 5, 13, 12), WIB, QuietRules(time(6), time(5), daily))


def test_bad_windows_are_refused() -> None:
    with pytest.raises(ValueError, match="weekday"):
        WeeklyBlackout(7, time(11), time(12), "x")
    with pytest.raises(ValueError, match="no length"):
        WeeklyBlackout(FRIDAY, time(11), time(11), "x")
    with pytest.raises(ValueError, match="ends"):
        DatedBlackout(datetime(2026, 1, 2), datetime(2026, 1, 1), "x")
    with pytest.raises(ValueError, match="local wall times"):
        DatedBlackout(datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC), "x")
    with pytest.raises(ValueError, match="timezone-aware"):
        next_allowed(datetime(2026, 1, 1, 12), WIB, RULES)


# --- recurrence ---------------------------------------------------------------------------------

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def dates(moments: list[datetime]) -> list[str]:
    return [m.date().isoformat() for m in moments]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        # The 31st: months without one are skipped, not moved.
        ("FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4", (2026, 1, 31),
         ["2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31"]),
        # The last day of each month, across a leap February.
        ("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=5", (2027, 11, 15),
         ["2027-11-30", "2027-12-31", "2028-01-31", "2028-02-29", "2028-03-31"]),
        # The 30th: February is skipped.
        ("RRULE:FREQ=MONTHLY;BYMONTHDAY=30;COUNT=3", (2026, 1, 1),
         ["2026-01-30", "2026-03-30", "2026-04-30"]),
        # Every first Monday of 2026 (hand-listed from the calendar).
        ("FREQ=MONTHLY;BYDAY=1MO;COUNT=12", (2026, 1, 1),
         ["2026-01-05", "2026-02-02", "2026-03-02", "2026-04-06", "2026-05-04", "2026-06-01",
          "2026-07-06", "2026-08-03", "2026-09-07", "2026-10-05", "2026-11-02", "2026-12-07"]),
        # The last Friday, until the end of June (a date UNTIL includes its whole day).
        ("FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20260626", (2026, 4, 1), ["2026-04-24", "2026-05-29", "2026-06-26"]),
        # Lower case is accepted; Wednesday 13 May starts it, but only Mondays and Thursdays count.
        ("freq=weekly;byday=mo,th;count=4", (2026, 5, 13),
         ["2026-05-14", "2026-05-18", "2026-05-21", "2026-05-25"]),
    ],
)  # fmt: skip
def test_recurrence_dates(zone: str, rule: str, start: tuple[int, int, int], expected: list[str]) -> None:
    found = occurrences(rule, local(zone, *start, 8, 0), after=LONG_AGO, limit=50)
    assert [m.astimezone(ZoneInfo(zone)).date().isoformat() for m in found] == expected
    # Evaluated in local wall time: always 08:00 local, which is 08:00 - offset in UTC (23:00 for WIT).
    assert {m.astimezone(ZoneInfo(zone)).time() for m in found} == {time(8, 0)}
    assert {m.astimezone(UTC).hour for m in found} == {(8 - OFFSET[zone]) % 24}


def test_first_monday_is_local_even_when_utc_is_on_sunday() -> None:
    # 08:00 WIT is 23:00 UTC on the Sunday before: the rule must be read on the village's calendar.
    found = occurrences("FREQ=MONTHLY;BYDAY=1MO;COUNT=2", local(WIT, 2026, 1, 1, 8), after=LONG_AGO, limit=5)
    assert [m.astimezone(UTC) for m in found] == [
        datetime(2026, 1, 4, 23, 0, tzinfo=UTC),
        datetime(2026, 2, 1, 23, 0, tzinfo=UTC),
    ]
    assert all(m.astimezone(ZoneInfo(WIT)).weekday() == 0 for m in found)


@pytest.mark.parametrize("zone", ZONES)
def test_count_after_and_limit(zone: str) -> None:
    start = local(zone, 2026, 5, 16, 19, 0)  # Saturday 19:00
    rule = "FREQ=WEEKLY;BYDAY=SA;COUNT=4"  # 16, 23, 30 May, 6 Jun
    assert dates(occurrences(rule, start, after=LONG_AGO, limit=10)) == [
        "2026-05-16", "2026-05-23", "2026-05-30", "2026-06-06"
    ]  # fmt: skip
    # COUNT counts from the start, not from `after`; `after` itself is excluded.
    second = local(zone, 2026, 5, 23, 19, 0)
    assert dates(occurrences(rule, start, after=second, limit=10)) == ["2026-05-30", "2026-06-06"]
    assert dates(occurrences(rule, start, after=second - timedelta(seconds=1), limit=1)) == ["2026-05-23"]
    assert occurrences(rule, start, after=local(zone, 2026, 6, 6, 19, 0), limit=10) == []  # finished
    assert occurrences(rule, start, after=LONG_AGO, limit=0) == []


MONDAYS_IN_MAY = ["2026-05-04", "2026-05-11", "2026-05-18", "2026-05-25"]


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        # UNTIL in UTC is an instant, 1 Jun 00:00 UTC, and it is inclusive. On 1 Jun it is
        (WIB, MONDAYS_IN_MAY),  # 07:00 WIB: the 08:00 occurrence is after it
        (WITA, [*MONDAYS_IN_MAY, "2026-06-01"]),  # 08:00 WITA: exactly the occurrence, included
        (WIT, [*MONDAYS_IN_MAY, "2026-06-01"]),  # 09:00 WIT: after the occurrence
    ],
)
def test_until_in_utc(zone: str, expected: list[str]) -> None:
    rule = "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260601T000000Z"
    found = occurrences(rule, local(zone, 2026, 5, 4, 8, 0), after=LONG_AGO, limit=10)
    assert [m.astimezone(ZoneInfo(zone)).date().isoformat() for m in found] == expected


def test_until_floating_local_time() -> None:
    rule = "FREQ=DAILY;UNTIL=20260103T080000"  # local wall time, inclusive
    found = occurrences(rule, local(WITA, 2026, 1, 1, 8), after=LONG_AGO, limit=10)
    assert dates(found) == ["2026-01-01", "2026-01-02", "2026-01-03"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=MONTHLY;BYDAY=1MO", "has no end"),
        ("FREQ=WEEKLY", "has no end"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20270101", "both COUNT and UNTIL"),
        ("FREQ=DAILY;UNTIL=20251231", "yields no date"),  # ends before it starts
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=3", "yields no date"),  # no 30 February
        ("FREQ=DAILY;BYMONTH=4,6;BYMONTHDAY=31;COUNT=3", "yields no date"),
        ("FREQ=DAILY;COUNT=0", "yields nothing"),
        ("FREQ=HOURLY;COUNT=3", "at most daily"),
        ("FREQ=FORTNIGHTLY;COUNT=3", "not a recurrence rule"),
        ("FREQ=DAILY;UNTIL=20261345", "not a valid date"),
        ("FREQ=DAILY;UNTIL=tomorrow", "not a date"),
        ("DTSTART:20260101T080000\nRRULE:FREQ=DAILY;COUNT=3", "one RRULE line"),
        ("", "one RRULE line"),
    ],
)
def test_bad_rules_are_refused(rule: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        occurrences(rule, local(WIB, 2026, 1, 1, 8), after=LONG_AGO, limit=5)


def test_recurrence_needs_aware_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        occurrences("FREQ=DAILY;COUNT=2", datetime(2026, 1, 1, 8), after=LONG_AGO, limit=5)
    with pytest.raises(ValueError, match="negative"):
        occurrences("FREQ=DAILY;COUNT=2", local(WIB, 2026, 1, 1, 8), after=LONG_AGO, limit=-1)


def test_recurrence_keeps_local_time_across_daylight_saving() -> None:
    # Indonesia has none, but a zone with it must still work: 08:00 stays 08:00 local.
    berlin = "Europe/Berlin"  # summer time from 29 March 2026, 02:00 -> 03:00
    found = occurrences("FREQ=WEEKLY;COUNT=3", local(berlin, 2026, 3, 23, 8), after=LONG_AGO, limit=5)
    assert [m.astimezone(UTC).hour for m in found] == [7, 6, 6]
    # A wall time the clock skips moves forward with it.
    found = occurrences("FREQ=DAILY;COUNT=3", local(berlin, 2026, 3, 28, 2, 30), after=LONG_AGO, limit=5)
    assert [wall(m, berlin)[2:] for m in found] == [(28, 2, 30), (29, 3, 30), (30, 2, 30)]


# --- meeting reminders --------------------------------------------------------------------------

MEETING = (2026, 5, 23, 19, 0)  # Saturday 23 May 2026, 19:00 local


def planned(plan: list[Reminder], zone: str) -> list[tuple[str, tuple[int, int, int, int, int]]]:
    return [(r.key, wall(r.due_at, zone)) for r in plan]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # 10 days out: everything.
        ((2026, 5, 13, 10, 0), [("announce", (2026, 5, 13, 10, 0)), ("d-3", (2026, 5, 20, 8, 0)),
                                ("d-1", (2026, 5, 22, 8, 0)), ("h-2", (2026, 5, 23, 17, 0))]),
        # 2 days out: d-3 (20 May 08:00) is past and skipped, not sent late.
        ((2026, 5, 21, 10, 0), [("announce", (2026, 5, 21, 10, 0)), ("d-1", (2026, 5, 22, 8, 0)),
                                ("h-2", (2026, 5, 23, 17, 0))]),
        # 90 minutes out: only the announcement; h-2 (17:00) is past.
        ((2026, 5, 23, 17, 30), [("announce", (2026, 5, 23, 17, 30))]),
        # Created exactly at d-1's moment: the announcement covers it, d-1 is dropped.
        ((2026, 5, 22, 8, 0), [("announce", (2026, 5, 22, 8, 0)), ("h-2", (2026, 5, 23, 17, 0))]),
        # A minute before d-3: both go, a minute apart (same moment only is dropped by default).
        ((2026, 5, 20, 7, 59), [("announce", (2026, 5, 20, 7, 59)), ("d-3", (2026, 5, 20, 8, 0)),
                                ("d-1", (2026, 5, 22, 8, 0)), ("h-2", (2026, 5, 23, 17, 0))]),
        # The meeting has begun: nothing.
        ((2026, 5, 23, 19, 0), []),
    ],
)  # fmt: skip
def test_reminder_plan(zone: str, now: tuple[int, int, int, int, int], expected: list[object]) -> None:
    plan = reminder_plan(local(zone, *MEETING), zone, local(zone, *now))
    assert planned(plan, zone) == expected
    assert all(r.due_at.tzinfo is UTC for r in plan)
    # The same meeting given in UTC plans the same moments.
    assert (
        reminder_plan(local(zone, *MEETING).astimezone(UTC), zone, local(zone, *now).astimezone(UTC)) == plan
    )


@pytest.mark.parametrize(
    ("zone", "d3_utc"),
    [
        (WIB, datetime(2026, 5, 20, 1, 0, tzinfo=UTC)),  # 08:00 WIB
        (WITA, datetime(2026, 5, 20, 0, 0, tzinfo=UTC)),  # 08:00 WITA
        (WIT, datetime(2026, 5, 19, 23, 0, tzinfo=UTC)),  # 08:00 WIT is the evening before in UTC
    ],
)
def test_reminders_are_stored_in_utc(zone: str, d3_utc: datetime) -> None:
    plan = {r.key: r.due_at for r in reminder_plan(local(zone, *MEETING), zone, local(zone, 2026, 5, 13, 10))}
    assert plan["d-3"] == d3_utc
    assert plan["h-2"] == datetime(2026, 5, 23, 19 - 2 - OFFSET[zone], 0, tzinfo=UTC)


def test_days_before_counts_local_calendar_days() -> None:
    # 07:00 WIT on 23 May is 22:00 UTC on 22 May; d-1 is 22 May 08:00 WIT, not 21 May.
    starts = local(WIT, 2026, 5, 23, 7, 0)
    plan = reminder_plan(starts.astimezone(UTC), WIT, local(WIT, 2026, 5, 10, 9))
    assert planned(plan, WIT)[2] == ("d-1", (2026, 5, 22, 8, 0))


def test_a_moved_meeting_replans_by_key() -> None:
    now = local(WITA, 2026, 5, 13, 10)
    before = {r.key: r.due_at for r in reminder_plan(local(WITA, *MEETING), WITA, now)}
    moved = local(WITA, 2026, 5, 16, 19)  # a week earlier
    after = {r.key: r.due_at for r in reminder_plan(moved, WITA, now)}
    assert list(before) == ["announce", "d-3", "d-1", "h-2"]
    # Moved to Saturday 16 May: its d-3 (13 May 08:00) has passed, so it is dropped, not sent late.
    assert {key: wall(due, WITA) for key, due in after.items()} == {
        "announce": (2026, 5, 13, 10, 0),
        "d-1": (2026, 5, 15, 8, 0),
        "h-2": (2026, 5, 16, 17, 0),
    }
    assert set(before) - set(after) == {"d-3"}  # to cancel
    assert {key for key in after if after[key] != before[key]} == {"d-1", "h-2"}  # to move


def test_reminders_after_the_meeting_are_dropped() -> None:
    same_day = (*DEFAULT_REMINDERS, ReminderRule("d-0", days_before=0, at=time(8, 0)))
    early = local(WIB, 2026, 5, 23, 7, 0)  # 07:00: the 08:00 same-day reminder would come after it
    keys = [r.key for r in reminder_plan(early, WIB, local(WIB, 2026, 5, 13, 10), offsets=same_day)]
    assert keys == ["announce", "d-3", "d-1", "h-2"]
    late = local(WIB, 2026, 5, 23, 19, 0)
    keys = [r.key for r in reminder_plan(late, WIB, local(WIB, 2026, 5, 13, 10), offsets=same_day)]
    assert keys == ["announce", "d-3", "d-1", "d-0", "h-2"]


@pytest.mark.parametrize("zone", ZONES)
def test_reminders_respect_quiet_hours_when_given(zone: str) -> None:
    # Meeting at 06:30; planned at 23:00 the night before: the announcement waits until 06:00, and h-2
    # (04:30, held to 06:00) is then the same moment, so it is dropped.
    plan = reminder_plan(local(zone, 2026, 5, 23, 6, 30), zone, local(zone, 2026, 5, 22, 23), rules=RULES)
    assert planned(plan, zone) == [("announce", (2026, 5, 23, 6, 0))]
    # Meeting at 06:00: h-2 would be held to the meeting itself; dropped.
    plan = reminder_plan(local(zone, 2026, 5, 23, 6, 0), zone, local(zone, 2026, 5, 20, 9), rules=RULES)
    assert [r.key for r in plan] == ["announce", "d-1"]
    # Friday 13:30: h-2 (11:30) waits for the end of the Friday prayer, still before the meeting.
    plan = reminder_plan(
        local(zone, 2026, 5, 15, 13, 30), zone, local(zone, 2026, 5, 1, 9), rules=WITH_PRAYER
    )
    assert planned(plan, zone)[-1] == ("h-2", (2026, 5, 15, 13, 0))
    # Without rules the plan is the bare arithmetic (the dispatcher applies quiet hours at send time).
    plan = reminder_plan(local(zone, 2026, 5, 23, 6, 30), zone, local(zone, 2026, 5, 22, 23))
    assert planned(plan, zone) == [("announce", (2026, 5, 22, 23, 0)), ("h-2", (2026, 5, 23, 4, 30))]


def test_min_gap_drops_reminders_close_to_the_previous_one() -> None:
    starts, now = local(WIB, *MEETING), local(WIB, 2026, 5, 23, 16, 30)  # h-2 at 17:00, 30 min later
    assert [r.key for r in reminder_plan(starts, WIB, now)] == ["announce", "h-2"]
    assert [r.key for r in reminder_plan(starts, WIB, now, min_gap=timedelta(hours=1))] == ["announce"]


def test_bad_reminder_plans_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        reminder_plan(local(WIB, *MEETING), WIB, local(WIB, 2026, 5, 1), offsets=(*DEFAULT_REMINDERS,) * 2)
    with pytest.raises(ValueError, match="not both"):
        ReminderRule("x", days_before=1, before=timedelta(hours=1))
    with pytest.raises(ValueError, match="before the meeting"):
        ReminderRule("x", before=timedelta(hours=-1))
    with pytest.raises(ValueError, match="timezone-aware"):
        reminder_plan(datetime(2026, 5, 23, 19), WIB, local(WIB, 2026, 5, 1))
