"""Digests for the village head and the BPD chair: what came in, what is open or late, what was
resolved, the meetings ahead and how far the last broadcasts reached. Short on SMS, fuller on WhatsApp.

The head never sees a complaint about himself: his digest leaves every about_head ticket out. The BPD
chair's digest holds exactly those (or everything, when the village asks for it).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from models import (
    Broadcast,
    BroadcastRun,
    Category,
    DeliveryStatus,
    Meeting,
    MeetingStatus,
    Outbox,
    Role,
    Ticket,
    TicketStatus,
    Village,
)
from models import texts as t

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


def _scope(query, role: Role, everything: bool):  # type: ignore[no-untyped-def]
    if role == Role.BPD and not everything:
        return query.where(col(Ticket.about_head).is_(True))
    if role == Role.KADES:
        return query.where(col(Ticket.about_head).is_(False))
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
    """The digest for the head (role kades) or the BPD chair (role bpd) over [since, now)."""
    assert village.id is not None
    tickets = list(
        session.exec(_scope(select(Ticket).where(Ticket.village_id == village.id), role, everything)).all()
    )
    new = [tk for tk in tickets if since <= tk.created_at < now]
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
    who = "BPD" if role == Role.BPD else "Kades"
    if not new and not open_ and not resolved and not meetings and not total:
        quiet = t.DIGEST_QUIET.format(who=who, desa=village.name)
        return Digest(0, 0, 0, 0, quiet, quiet)
    sms = t.DIGEST_SMS.format(
        who=who,
        desa=village.name,
        new=len(new),
        open=len(open_),
        overdue=len(overdue),
        resolved=len(resolved),
    )
    lines = [sms, ""]
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
    return Digest(len(new), len(open_), len(overdue), len(resolved), sms, "\n".join(lines))


def period_start(now: datetime, weekly: bool) -> datetime:
    """The start of a daily or weekly digest's period."""
    return now - (timedelta(days=7) if weekly else timedelta(days=1))
