"""Deadlines in working days: Monday to Friday, without the village's holidays, in its own zone."""

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def add_working_days(start: date, days: int, holidays: Collection[date] = ()) -> date:
    """The working day `days` working days after `start` (start itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    left = days
    while left:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            left -= 1
    return current


def due(after: datetime, days: int, zone: str, holidays: Collection[date] = ()) -> datetime:
    """The end (23:59:59 local) of the `days`-th working day after `after`, in UTC-aware form."""
    tz = ZoneInfo(zone)
    day = add_working_days(after.astimezone(tz).date(), days, holidays)
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


def parse_holidays(values: Collection[str]) -> set[date]:
    """A village's holiday list (ISO dates); entries that are not dates are ignored."""
    days = set()
    for value in values:
        try:
            days.add(date.fromisoformat(value))
        except ValueError:
            continue
    return days
