"""Digests for the village head and the BPD chair: what came in, what is open or late, what was
resolved, the meetings ahead and how far the last broadcasts reached. Short on SMS, fuller on WhatsApp.

The head never sees a complaint about himself: his digest leaves every about_head ticket out. The BPD
chair's digest holds exactly those (or everything, when the village asks for it). The operator's (asked
for with RINGKASAN) holds everything and is titled with the village alone. A report merged into another
(duplikat) is the same complaint: it is never counted again.
"""

import logging
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from broadcasts import notices, runs, timing
from broadcasts.fanout import VillageRoutes
from models import (
    Broadcast,
    BroadcastRun,
    Category,
    Channel,
    DeliveryStatus,
    DigestPeriod,
    DigestRun,
    Meeting,
    MeetingStatus,
    Outbox,
    OutboxSource,
    Role,
    Staff,
    Ticket,
    TicketStatus,
    Village,
)
from models import texts as t

log = logging.getLogger("kentongan.digest")

OPEN = (TicketStatus.BARU, TicketStatus.DIVERIFIKASI, TicketStatus.DIPROSES)
REACHED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)


@dataclass(frozen=True, slots=True)
class Digest:
    """The figures of one period, and the texts for SMS and WhatsApp."""

    new: int
    open: int
    overdue: int
    resolved: int
    sms: str
    whatsapp: str


# Whose digest it is, in its title; any other role (the operator) gets the village's name alone.
TITLES = {Role.KADES: "Kades", Role.BPD: "BPD"}
# The WhatsApp text is the SMS line, this, then the details; a quiet period's is the SMS line alone.
DETAILS_SEPARATOR = "\n\n"


def sms_form(whatsapp: str) -> str:
    """The SMS form of a digest's WhatsApp text (`Digest.whatsapp` -> `Digest.sms`): its first part.

    What an SMS sent in place of a WhatsApp digest carries (broadcasts/fallback.py): one SMS line, not
    the fuller text cut into parts.
    """
    return whatsapp.split(DETAILS_SEPARATOR, 1)[0]


def _scope(query, role: Role, everything: bool):  # type: ignore[no-untyped-def]
    if not role.sees_about_head:  # the head, and anyone else who may not know of them
        return query.where(col(Ticket.about_head).is_(False))
    if role == Role.BPD and not everything:
        return query.where(col(Ticket.about_head).is_(True))
    return query


def compose(
    *,
    session: Session,
    village: Village,
    role: Role,
    since: datetime,
    now: datetime,
    everything: bool = False,
) -> Digest:
    """The digest for the head (role kades), the BPD chair (role bpd) or the operator over [since, now)."""
    assert village.id is not None
    tickets = list(
        session.exec(_scope(select(Ticket).where(Ticket.village_id == village.id), role, everything)).all()
    )
    # A duplicate is a second report of a complaint already counted (or older than the period).
    new = [tk for tk in tickets if since <= tk.created_at < now and tk.status != TicketStatus.DUPLIKAT]
    open_ = [tk for tk in tickets if tk.status in OPEN]
    overdue = [tk for tk in open_ if tk.is_overdue(now)]
    resolved = [tk for tk in tickets if tk.resolved_at and since <= tk.resolved_at < now]
    meetings = session.exec(
        select(Meeting)
        .where(
            Meeting.village_id == village.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at >= now,
        )
        .order_by(col(Meeting.starts_at))
        .limit(3)
    ).all()
    runs = (
        select(BroadcastRun.id)
        .join(Broadcast, col(Broadcast.id) == col(BroadcastRun.broadcast_id))
        .where(Broadcast.village_id == village.id, col(BroadcastRun.created_at) >= since)
    )
    reach = dict(
        session.exec(
            select(Outbox.status, func.count()).where(col(Outbox.run_id).in_(runs)).group_by(Outbox.status)
        ).all()
    )
    sent = sum(n for status, n in reach.items() if status in REACHED)
    total = sum(reach.values())
    who = TITLES.get(role)
    if not new and not open_ and not resolved and not meetings and not total:
        quiet = (
            t.DIGEST_QUIET.format(who=who, desa=village.name)
            if who
            else t.DIGEST_QUIET_VILLAGE.format(desa=village.name)
        )
        return Digest(0, 0, 0, 0, quiet, quiet)
    sms = (t.DIGEST_SMS if who else t.DIGEST_SMS_VILLAGE).format(
        who=who,
        desa=village.name,
        new=len(new),
        open=len(open_),
        overdue=len(overdue),
        resolved=len(resolved),
    )
    lines: list[str] = []
    by_category = Counter(Category(tk.category).label for tk in open_)
    if by_category:
        lines.append(
            "Aduan terbuka per kategori: " + ", ".join(f"{k} {n}" for k, n in by_category.most_common())
        )
    by_dusun = Counter(tk.dusun or "tanpa dusun" for tk in open_)
    if by_dusun:
        lines.append("Per dusun: " + ", ".join(f"{k} {n}" for k, n in by_dusun.most_common()))
    if overdue:
        lines.append("Lewat batas waktu: " + ", ".join(tk.code for tk in overdue[:10]))
    for meeting in meetings:
        lines.append(
            f"Rapat: {meeting.title}, {t.format_when(meeting.starts_at, village.timezone)}, {meeting.place}"
        )
    if total:
        lines.append(f"Pengumuman terakhir: {sent} dari {total} pesan terkirim.")
    whatsapp = DETAILS_SEPARATOR.join([sms, "\n".join(lines)]) if lines else sms
    return Digest(len(new), len(open_), len(overdue), len(resolved), sms, whatsapp)


def period_start(now: datetime, weekly: bool) -> datetime:
    """The start of a daily or weekly digest's period."""
    return now - (timedelta(days=7) if weekly else timedelta(days=1))


# --- sending at each village's time -------------------------------------------------------------------

RECIPIENT_ROLES = (Role.KADES, Role.BPD)
CATCH_UP = timedelta(hours=6)  # a digest missed (service down) still goes this long after its time


def local_day(at: datetime, zone: str) -> tuple[datetime, datetime]:
    """The village's calendar day holding `at`, as [start, end) in UTC."""
    tz = ZoneInfo(zone)
    start = datetime.combine(at.astimezone(tz).date(), time(0), tzinfo=tz)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def due_slots(village: Village, now: datetime) -> list[tuple[DigestPeriod, datetime]]:
    """The village's latest digest time at or before `now` (UTC), with the period it closes.

    On the weekly day the weekly digest takes the daily one's place: one message, the longer view.
    """
    zone = ZoneInfo(village.timezone)
    at = timing.parse_hhmm(village.digest_time)
    local = now.astimezone(zone)
    day = local.date() if local.time() >= at else local.date() - timedelta(days=1)
    slot = datetime.combine(day, at, tzinfo=zone)
    due = slot.astimezone(UTC)
    if village.digest_weekday is not None and slot.weekday() == village.digest_weekday:
        return [(DigestPeriod.WEEKLY, due)]
    if village.digest_daily:
        return [(DigestPeriod.DAILY, due)]
    return []


def holders(*, session: Session, village_id: int, roles: Collection[Role]) -> list[Staff]:
    """Who receives as the head (role kades) or as the BPD chair (role bpd): every active staff member of
    the village with that role, oldest first. Digests and escalations (handlers/lifecycle.py) both ask
    here, so that they always reach the same people."""
    return list(
        session.exec(
            select(Staff)
            .where(
                Staff.village_id == village_id,
                col(Staff.role).in_(list(roles)),
                col(Staff.active).is_(True),
            )
            .order_by(col(Staff.id))
        ).all()
    )


def recipients(*, session: Session, village_id: int) -> list[Staff]:
    """The active head and BPD chair(s) of the village."""
    return holders(session=session, village_id=village_id, roles=RECIPIENT_ROLES)


def deliver(
    *,
    session: Session,
    village: Village,
    staff: Staff,
    period: DigestPeriod,
    due_at: datetime,
    now: datetime,
    contact_id: int | None,
    routes: VillageRoutes,
) -> DigestRun | None:
    """Compose one person's digest for `due_at` and queue it on their channel (WhatsApp gets the fuller
    text); None when it was already made for that time. Recorded even when they cannot be reached."""
    assert village.id is not None
    assert staff.id is not None
    query = select(DigestRun.id).where(DigestRun.staff_id == staff.id)
    if period == DigestPeriod.ON_DEMAND:
        query = query.where(DigestRun.period == period, DigestRun.due_at == due_at)
    else:  # one a day, daily or weekly, even when its hour moved (digest_time, zone, weekday) after it went
        start, end = local_day(due_at, village.timezone)
        query = query.where(
            col(DigestRun.period).in_([DigestPeriod.DAILY, DigestPeriod.WEEKLY]),
            col(DigestRun.due_at) >= start,
            col(DigestRun.due_at) < end,
        )
    taken = session.exec(query).first()
    if taken is not None:
        return None
    since = period_start(due_at, weekly=period == DigestPeriod.WEEKLY)
    until = now if period == DigestPeriod.ON_DEMAND else due_at
    digest = compose(
        session=session,
        village=village,
        role=staff.role,
        since=since,
        now=until,
        everything=village.bpd_digest_everything,
    )
    run = DigestRun(
        village_id=village.id,
        staff_id=staff.id,
        period=period,
        due_at=due_at,
        new=digest.new,
        open=digest.open,
        overdue=digest.overdue,
        resolved=digest.resolved,
        created_at=now,
    )
    try:
        with session.begin_nested():  # two schedulers overlapping: the second finds the row taken
            session.add(run)
            session.flush()
    except IntegrityError:
        return None
    if contact_id is not None:
        queued = notices.send(
            session=session,
            routes=routes,
            contact_ids=[contact_id],
            text=digest.sms,
            texts_by_channel={ch: digest.whatsapp for ch in Channel if ch.is_whatsapp},
            now=now,
            source=OutboxSource.DIGEST,
            source_id=run.id,
        )
        channel = queued.get(contact_id)
        run.channel = channel.value if channel else None
    return run


def send_due(
    *,
    session: Session,
    now: datetime,
    available: Collection[Channel],
    contact_of: Callable[[Session, Staff, datetime], int | None],
    catch_up: timedelta = CATCH_UP,
) -> int:
    """Queue every digest whose time has come in its village (and is at most `catch_up` late) and was
    not made yet; returns how many were made. Safe to call as often as wanted: each is made once."""
    made = 0
    for village in session.exec(select(Village).order_by(col(Village.id))).all():
        assert village.id is not None
        try:
            slots = [(period, due) for period, due in due_slots(village, now) if now - due <= catch_up]
        except (ValueError, KeyError):  # a digest time or zone the API should have refused
            log.error(
                "village %s: digest_time %r or zone %r unusable",
                village.code,
                village.digest_time,
                village.timezone,
            )
            continue
        if not slots:
            continue
        people = recipients(session=session, village_id=village.id)
        if not people:
            continue
        routes = runs.village_routes(session=session, village=village, available=available)
        for period, due in slots:
            for staff in people:
                run = deliver(
                    session=session,
                    village=village,
                    staff=staff,
                    period=period,
                    due_at=due,
                    now=now,
                    contact_id=contact_of(session, staff, now),
                    routes=routes,
                )
                made += run is not None
    return made
