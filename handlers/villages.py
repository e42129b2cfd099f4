"""Villages as the operator sets them up: the village itself, its settings, the addresses it answers on,
and its areas (dusun / RW / RT). Its staff are handlers/staff.py's.

Inbound messages find their village by address through a cache (handlers.contacts.Directory); whoever
calls the functions that change addresses, areas or settings must make the running app forget that cache
once the change has committed.

Domain rules live here, HTTP shapes in bot/routes/api: these functions raise BadRequest for values that
cannot be acted on, NotFound for things not in the village, Conflict for a state that forbids the change.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from broadcasts import runs
from broadcasts.meetings import ZoneMove, follow_zone_change
from broadcasts.timing import QuietRules, parse_hhmm, weekly_blackouts
from models import Area, AreaKind, Broadcast, Channel, Village, VillageAddress
from models.errors import BadRequest, Conflict, NotFound
from models.phone import PHONE_TEXT, to_e164

# Indonesia's three zones (WIB, WITA, WIT) by their IANA names; messages say the zone as residents know it.
ZONES = ("Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura")
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")  # in URLs, tokens and Open311's jurisdiction_id
WHATSAPP_PREFIX = "whatsapp:"
# Meta's phone number ids are digit strings (15 today); capcom6 device ids are short URL-safe strings.
PHONE_NUMBER_ID = re.compile(r"^[0-9]{5,32}$")
DEVICE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
PHONE_CHANNELS = frozenset({Channel.CONSOLE, Channel.TWILIO_SMS, Channel.TWILIO_WHATSAPP})
AREA_NUMBER = re.compile(r"^[0-9]{1,3}$")
PARENT_KIND: dict[AreaKind, AreaKind | None] = {
    AreaKind.DUSUN: None,
    AreaKind.RW: AreaKind.DUSUN,
    AreaKind.RT: AreaKind.RW,
}


# --- villages ------------------------------------------------------------------------------------


def check_timezone(zone: str) -> str:
    """The zone when it is one of Indonesia's; BadRequest otherwise."""
    if zone not in ZONES:
        raise BadRequest(f"timezone must be one of {', '.join(ZONES)}")
    try:
        ZoneInfo(zone)
    except ZoneInfoNotFoundError as error:  # tzdata missing on this machine: refuse rather than fail later
        raise BadRequest(f"timezone {zone} is not known on this server") from error
    return zone


# Quiet hours hold every broadcast but emergencies: a night, not a day. Longer would let whoever sets them
# (the head, for his own village) silence the village's announcements.
MAX_QUIET_MINUTES = 12 * 60


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} hours" + (f" {rest} minutes" if rest else "")


def check_quiet_hours(quiet_start: str, quiet_end: str) -> None:
    """BadRequest unless the quiet hours (HH:MM, local; they wrap past midnight when the end comes first)
    last at most MAX_QUIET_MINUTES; equal start and end means no quiet hours at all."""
    try:
        start, end = parse_hhmm(quiet_start), parse_hhmm(quiet_end)
    except ValueError as error:
        raise BadRequest(str(error)) from error
    length = (end.hour * 60 + end.minute - start.hour * 60 - start.minute) % (24 * 60)
    if length > MAX_QUIET_MINUTES:
        raise BadRequest(
            f"quiet hours may last at most {_duration(MAX_QUIET_MINUTES)}: {quiet_start} to {quiet_end} is"
            f" {_duration(length)}, holding every broadcast but emergencies (equal quiet_start and quiet_end"
            " mean no quiet hours)"
        )


MIN_SENDING_HOURS_A_WEEK = 24
_WEEK_START = datetime(2026, 1, 5)  # a Monday: weekly windows are the same every week
_STEP = timedelta(minutes=15)


def check_sending_time(quiet_start: str, quiet_end: str, blackouts: list[dict[str, str]]) -> None:
    """BadRequest unless quiet hours and weekly blackouts together leave broadcasts at least
    MIN_SENDING_HOURS_A_WEEK (checked every 15 minutes of a week): with no time left a scheduled broadcast
    could never go, and the head alone could silence the village's announcements."""
    try:
        rules = QuietRules.parse(quiet_start, quiet_end, weekly_blackouts(blackouts))
    except (KeyError, TypeError, ValueError) as error:
        raise BadRequest(f"quiet hours or blackouts do not read: {error}") from error
    steps = int(timedelta(days=7) / _STEP)
    free = sum(1 for i in range(steps) if not rules.holding(_WEEK_START + i * _STEP)) * _STEP
    if free < timedelta(hours=MIN_SENDING_HOURS_A_WEEK):
        raise BadRequest(
            f"quiet hours and blackouts leave {_duration(int(free.total_seconds()) // 60)} a week to send"
            f" broadcasts; they must leave at least {MIN_SENDING_HOURS_A_WEEK} hours (emergencies always go)"
        )


def get(*, session: Session, code: str) -> Village:
    """The village with this code; NotFound when there is none."""
    village = session.exec(select(Village).where(Village.code == code)).first()
    if village is None:
        raise NotFound(f"no village {code}")
    return village


def list_villages(*, session: Session, limit: int, offset: int) -> Sequence[Village]:
    """Every village of the deployment, by code."""
    return session.exec(select(Village).order_by(col(Village.code)).offset(offset).limit(limit)).all()


def create(
    *,
    session: Session,
    code: str,
    name: str,
    timezone: str,
    dusun: Iterable[str] = (),
    addresses: Iterable[tuple[Channel, str]] = (),
    now: datetime,
    quiet_start: str = "21:00",
    quiet_end: str = "06:00",
) -> Village:
    """A new village with its dusun and addresses; Conflict when the code (in any letter case) or an
    address is taken."""
    if not CODE.fullmatch(code):
        raise BadRequest("code is 1 to 32 letters, digits, '.', '-' or '_', starting with a letter or digit")
    check_timezone(timezone)
    check_quiet_hours(quiet_start, quiet_end)
    # Codes are typed by people (tokens, ?village=): DEMO and demo would be villages nobody tells apart.
    taken = session.exec(select(Village.id).where(func.lower(Village.code) == code.lower())).first()
    if taken is not None:
        raise Conflict(f"village code {code} is already in use")
    names = [_dusun_name(raw) for raw in dusun]
    if len({n.casefold() for n in names}) != len(names):
        raise BadRequest("dusun names repeat")
    village = Village(
        code=code,
        name=name.strip(),
        timezone=timezone,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        created_at=now,
    )
    session.add(village)
    _flush_or_conflict(session, f"village code {code} is already in use")
    assert village.id is not None
    for dusun_name in names:
        session.add(Area(village_id=village.id, kind=AreaKind.DUSUN, name=dusun_name))
    for channel, address in addresses:
        add_address(session=session, village=village, channel=channel, address=address)
    session.flush()
    return village


SETTINGS = (
    "name",
    "timezone",
    "quiet_start",
    "quiet_end",
    "sms_price",
    "whatsapp_template_price",
    "blackouts",
    "holidays",
    "approval_kinds",
    "digest_time",
    "digest_daily",
    "digest_weekday",
    "bpd_digest_everything",
)
# What only the operator changes: the village's identity, and what oversight of the head depends on
# (whether the BPD chair gets digests, which days deadlines skip, which broadcasts need a second person),
# so the head cannot quiet his own supervision. The rest (quiet hours, prices, blackouts, digest time) is
# the village's own.
OPERATOR_ONLY = frozenset(
    {
        "name",
        "timezone",
        "holidays",
        "approval_kinds",
        "digest_daily",
        "digest_weekday",
        "bpd_digest_everything",
    }
)


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """The settings that really changed (name -> new value), what a new time zone moved with it, and
    the broadcasts new quiet hours or blackouts made due again (`rescheduled`: tell the scheduler)."""

    values: dict[str, Any]
    zone_move: ZoneMove | None = None
    replanned: tuple[Broadcast, ...] = ()

    @property
    def rescheduled(self) -> tuple[Broadcast, ...]:
        """Every broadcast whose time the change moved."""
        return (*(self.zone_move.broadcasts if self.zone_move else ()), *self.replanned)


def update_settings(
    *, session: Session, village: Village, changes: Mapping[str, Any], now: datetime
) -> SettingsChange:
    """Apply already-validated settings. A new time zone keeps the times ahead on the village's clock
    (broadcasts.meetings.follow_zone_change): what residents were told stays true."""
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        raise BadRequest(f"not a village setting: {', '.join(sorted(unknown))}")
    if "timezone" in changes:
        check_timezone(changes["timezone"])
    if {"quiet_start", "quiet_end", "blackouts"} & set(changes):  # each checked with the others as they are
        quiet = changes.get("quiet_start", village.quiet_start), changes.get("quiet_end", village.quiet_end)
        check_quiet_hours(*quiet)
        check_sending_time(*quiet, changes.get("blackouts", village.blackouts))
    old_zone = village.timezone
    changed = {}
    for key, value in changes.items():
        if key == "name":
            value = value.strip()
        if getattr(village, key) != value:
            setattr(village, key, value)
            changed[key] = value
    session.add(village)
    session.flush()
    zone_move = None
    if "timezone" in changed:
        zone_move = follow_zone_change(session=session, village=village, old_zone=old_zone, now=now)
    replanned: tuple[Broadcast, ...] = ()
    if {"quiet_start", "quiet_end", "blackouts"} & set(changed):
        replanned = tuple(runs.follow_quiet_change(session=session, village=village, now=now))
    return SettingsChange(changed, zone_move, replanned)


# --- addresses -----------------------------------------------------------------------------------


def normalise_address(channel: Channel, raw: str) -> str:
    """The address as inbound messages name it on that channel (how bot/providers/*/parse.py read `to`).

    Phone channels store E.164 (`whatsapp:` is dropped, as the Twilio adapter drops it); WhatsApp Cloud
    stores Meta's phone number id; the Android gateway stores its device id.
    """
    value = raw.strip()
    if channel in PHONE_CHANNELS:
        if channel == Channel.TWILIO_WHATSAPP:
            value = value.removeprefix(WHATSAPP_PREFIX).strip()
        phone = to_e164(value) if PHONE_TEXT.fullmatch(value) else None
        if phone is None:
            raise BadRequest(f"a {channel} address is a phone number, such as +62800000001")
        return phone
    if channel == Channel.WHATSAPP_CLOUD:
        if not PHONE_NUMBER_ID.fullmatch(value):
            raise BadRequest("a whatsapp_cloud address is Meta's phone number id: 5 to 32 digits")
        return value
    if not DEVICE_ID.fullmatch(value):
        raise BadRequest(
            "an smsgate address is the gateway's device id: up to 64 letters, digits, '.', '_', ':' or '-'"
        )
    return value


def add_address(*, session: Session, village: Village, channel: Channel, address: str) -> VillageAddress:
    """Make the village answer on this address; Conflict when any village already does."""
    assert village.id is not None
    value = normalise_address(channel, address)
    # Says nothing of which village holds it: the operator can look, others must not learn it.
    in_use = f"{channel} address {value} is already in use"
    taken = session.exec(
        select(VillageAddress.id).where(VillageAddress.channel == channel, VillageAddress.address == value)
    ).first()
    if taken is not None:
        raise Conflict(in_use)
    row = VillageAddress(village_id=village.id, channel=channel, address=value)
    session.add(row)
    _flush_or_conflict(session, in_use)  # a concurrent request took it between the check and the insert
    return row


def remove_address(*, session: Session, village: Village, address_id: int) -> VillageAddress:
    """Stop the village answering on one of its addresses; NotFound when it is not the village's."""
    row = session.get(VillageAddress, address_id)
    if row is None or row.village_id != village.id:
        raise NotFound(f"no address {address_id}")
    session.delete(row)
    session.flush()
    return row


def addresses(*, session: Session, village_id: int) -> Sequence[VillageAddress]:
    """The village's addresses, by channel."""
    return session.exec(
        select(VillageAddress)
        .where(VillageAddress.village_id == village_id)
        .order_by(col(VillageAddress.channel), col(VillageAddress.id))
    ).all()


# --- areas ---------------------------------------------------------------------------------------


def _dusun_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > 80:
        raise BadRequest("a dusun name is 1 to 80 characters")
    return name


def area_name(kind: AreaKind, raw: str) -> str:
    """A dusun's name with its spaces tidied; an RW or RT number written as the demo does ('02')."""
    if kind == AreaKind.DUSUN:
        return _dusun_name(raw)
    value = raw.strip()
    if not AREA_NUMBER.fullmatch(value) or int(value) == 0:
        raise BadRequest(f"an {kind.value.upper()} is a number from 1 to 999")
    return f"{int(value):02d}"


def add_area(*, session: Session, village: Village, kind: AreaKind, name: str, parent_id: int | None) -> Area:
    """A dusun, an RW (in a dusun, or on its own where the village has no dusun) or an RT (in an RW)."""
    assert village.id is not None
    value = area_name(kind, name)
    wanted = PARENT_KIND[kind]
    if parent_id is not None:
        parent = session.get(Area, parent_id)
        if parent is None or parent.village_id != village.id:
            raise BadRequest(f"parent_id {parent_id}: no such area in this village")
        if wanted is None or parent.kind != wanted:
            raise BadRequest(f"a {kind.value} cannot sit in a {parent.kind.value}")
    elif kind == AreaKind.RT:
        raise BadRequest("an RT belongs to an RW: give parent_id")
    # The unique key has a nullable column, and NULLs never collide: check it here for top-level areas.
    same = session.exec(
        select(Area).where(
            Area.village_id == village.id,
            Area.kind == kind,
            Area.parent_id == parent_id if parent_id is not None else col(Area.parent_id).is_(None),
        )
    ).all()
    if any(area.name.casefold() == value.casefold() for area in same):
        raise Conflict(f"{kind.value} {value} already exists there")
    area = Area(village_id=village.id, kind=kind, name=value, parent_id=parent_id)
    session.add(area)
    _flush_or_conflict(session, f"{kind.value} {value} already exists there")
    return area


def areas(*, session: Session, village_id: int) -> Sequence[Area]:
    """The village's areas, parents before their children."""
    return session.exec(select(Area).where(Area.village_id == village_id).order_by(col(Area.id))).all()


def _flush_or_conflict(session: Session, message: str) -> None:
    try:
        session.flush()
    except IntegrityError as error:  # the request's transaction is rolled back by its boundary
        raise Conflict(message) from error
