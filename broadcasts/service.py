"""Broadcast definitions: create, approve, cancel a scheduled one, stop one in flight, and report.

Every action is recorded as a BroadcastEvent with who and when.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select, update
from sqlmodel import Session, col

from broadcasts import timing
from broadcasts.audience import Audience
from broadcasts.compose import validate
from models import (
    RANK,
    Broadcast,
    BroadcastEvent,
    BroadcastKind,
    BroadcastStatus,
    DeliveryStatus,
    FailureReason,
    Village,
)
from models.errors import BadRequest, Conflict, NotFound
from models.tables import OUTBOX, RUN

_EPSILON = timedelta(seconds=1)  # a first date exactly at send_at counts


@dataclass(frozen=True, slots=True)
class Draft:
    """What a cadre asks for."""

    kind: BroadcastKind
    title: str
    sms_text: str
    whatsapp_text: str | None = None
    template_name: str | None = None
    template_variables: tuple[str, ...] = ()
    audience: Audience = field(default_factory=Audience)
    send_at: datetime | None = None  # None: now
    rrule: str | None = None
    validity_seconds: int | None = None
    meeting_id: int | None = None
    meeting_key: str | None = None


def create(
    *,
    session: Session,
    village: Village,
    draft: Draft,
    actor: str,
    now: datetime,
    needs_approval: Collection[BroadcastKind] = (),
) -> Broadcast:
    """Validate and store a broadcast; scheduled at once unless its kind waits for approval."""
    assert village.id is not None
    problems = [*validate(draft.sms_text), *(validate(draft.whatsapp_text) if draft.whatsapp_text else [])]
    if not draft.sms_text.strip():
        problems.append("Teks SMS kosong.")
    if problems:
        raise BadRequest(" ".join(problems))
    send_at = draft.send_at or now
    if send_at.tzinfo is None:
        raise BadRequest("send_at needs a time zone (for example 2026-12-12T08:00:00+07:00)")
    if draft.send_at is not None and send_at < now and not draft.rrule:
        raise BadRequest(f"send_at {send_at.isoformat()} is in the past")
    first = send_at
    if draft.rrule:
        local = send_at.astimezone(ZoneInfo(village.timezone))
        try:
            upcoming = timing.occurrences(draft.rrule, local, after=max(now, send_at) - _EPSILON, limit=1)
        except ValueError as error:
            raise BadRequest(str(error)) from error
        if not upcoming:
            raise BadRequest(f"recurrence rule {draft.rrule!r} has no date after {now.isoformat()}")
        first = upcoming[0]
    status = BroadcastStatus.PENDING_APPROVAL if draft.kind in needs_approval else BroadcastStatus.SCHEDULED
    broadcast = Broadcast(
        village_id=village.id,
        kind=draft.kind,
        title=draft.title,
        sms_text=draft.sms_text,
        whatsapp_text=draft.whatsapp_text,
        template_name=draft.template_name,
        template_variables=list(draft.template_variables),
        audience=draft.audience.to_dict(),
        send_at=send_at,
        rrule=draft.rrule,
        meeting_id=draft.meeting_id,
        meeting_key=draft.meeting_key,
        validity_seconds=draft.validity_seconds,
        status=status,
        planned_at=first,
        next_run_at=first,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(broadcast)
    session.flush()
    _record(session, broadcast, "created", actor, now, status.value)
    return broadcast


def approve(*, session: Session, broadcast: Broadcast, actor: str, now: datetime) -> Broadcast:
    """Approve a broadcast waiting for it; its creator cannot approve it."""
    if broadcast.status != BroadcastStatus.PENDING_APPROVAL:
        raise Conflict(f"broadcast {broadcast.id} is {broadcast.status}, not waiting for approval")
    if actor == broadcast.created_by:
        raise Conflict("a broadcast must be approved by someone other than its creator")
    broadcast.status, broadcast.approved_by, broadcast.updated_at = BroadcastStatus.SCHEDULED, actor, now
    _record(session, broadcast, "approved", actor, now, None)
    return broadcast


def cancel(*, session: Session, broadcast: Broadcast, actor: str, now: datetime) -> int:
    """Cancel a scheduled broadcast, or stop one in flight: its queued rows are cancelled, sent ones stay.

    Returns how many queued messages were cancelled.
    """
    if broadcast.status in (BroadcastStatus.CANCELLED, BroadcastStatus.MISSED):
        raise Conflict(f"broadcast {broadcast.id} is already {broadcast.status}")
    assert broadcast.id is not None
    stopped = withdraw(session=session, broadcast_ids=[broadcast.id], now=now)
    broadcast.status, broadcast.next_run_at, broadcast.updated_at = BroadcastStatus.CANCELLED, None, now
    _record(session, broadcast, "cancelled", actor, now, f"{stopped} queued messages cancelled")
    return stopped


def withdraw(*, session: Session, broadcast_ids: Collection[int], now: datetime) -> int:
    """Cancel every message of these broadcasts not yet handed to a provider: the queued rows of their
    runs and the queued SMS that replace any of their WhatsApp rows (broadcasts/fallback.py). What a
    provider has is left to finish. Returns how many were cancelled."""
    if not broadcast_ids:
        return 0
    runs = select(RUN.c.id).where(RUN.c.broadcast_id.in_(list(broadcast_ids)))
    rows = select(OUTBOX.c.id).where(OUTBOX.c.run_id.in_(runs))
    cancel_queued = (
        update(OUTBOX)
        .where(OUTBOX.c.status == DeliveryStatus.QUEUED.value)
        .values(
            status=DeliveryStatus.CANCELLED.value,
            status_rank=RANK[DeliveryStatus.CANCELLED],
            failure_reason=FailureReason.CANCELLED.value,
            updated_at=now,
        )
    )
    connection = session.connection()
    fallbacks = connection.execute(cancel_queued.where(OUTBOX.c.fallback_of_id.in_(rows)))
    own = connection.execute(cancel_queued.where(OUTBOX.c.run_id.in_(runs)))
    return int(own.rowcount or 0) + int(fallbacks.rowcount or 0)


# What still waits for its time: a one-off not yet fired; a recurring series until it ends.
WAITING = (BroadcastStatus.DRAFT, BroadcastStatus.PENDING_APPROVAL, BroadcastStatus.SCHEDULED)


def same_clock(at: datetime, old_zone: str, new_zone: str) -> datetime:
    """The moment that reads in `new_zone` as `at` read in `old_zone` (UTC). Indonesia's zones have no
    daylight saving, so this is a fixed shift."""
    return at.astimezone(ZoneInfo(old_zone)).replace(tzinfo=ZoneInfo(new_zone)).astimezone(UTC)


def follow_zone_change(
    *, session: Session, village: Village, old_zone: str, now: datetime
) -> list[Broadcast]:
    """Keep the broadcasts of `village` that are not about a meeting on the village's clock after its zone
    changed from `old_zone` (broadcasts.meetings.follow_zone_change does the rest); returns them.

    One-offs waiting for their time move, and so does the first date of a recurring series, which its
    later dates follow. One that the move puts in the past goes now rather than being missed. What has
    been sent is not rewritten. The rows are locked: a firing that commits first is seen (its series
    already advanced), one that comes later waits and fires at the moved time.
    """
    moved = []
    rows = session.scalars(
        select(Broadcast)
        .where(
            col(Broadcast.village_id) == village.id,
            col(Broadcast.meeting_id).is_(None),
            col(Broadcast.status).in_(WAITING),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for broadcast in rows:
        if broadcast.send_at is not None:
            broadcast.send_at = same_clock(broadcast.send_at, old_zone, village.timezone)
        if broadcast.planned_at is not None:
            broadcast.planned_at = same_clock(broadcast.planned_at, old_zone, village.timezone)
        if broadcast.next_run_at is not None:
            broadcast.next_run_at = max(same_clock(broadcast.next_run_at, old_zone, village.timezone), now)
        broadcast.updated_at = now
        _record(session, broadcast, "rezoned", "system", now, f"{old_zone} -> {village.timezone}")
        moved.append(broadcast)
    return moved


def keep_approval(*, session: Session, broadcast: Broadcast, approved_by: str, now: datetime) -> None:
    """A broadcast made again from one already approved (same message, same hour on the village's clock,
    e.g. a meeting reminder after a zone correction) keeps that approval, on the record."""
    broadcast.status, broadcast.approved_by, broadcast.updated_at = (
        BroadcastStatus.SCHEDULED,
        approved_by,
        now,
    )
    _record(session, broadcast, "approved", approved_by, now, "approval kept from the broadcast it replaces")


def get(*, session: Session, village_id: int, broadcast_id: int) -> Broadcast:
    """The village's broadcast; NotFound for another village's (its existence does not leak)."""
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.village_id != village_id:
        raise NotFound(f"no broadcast {broadcast_id}")
    return broadcast


@dataclass(frozen=True, slots=True)
class RunReport:
    """Results of a broadcast's runs, each recipient counted once by the message that reached them (the
    WhatsApp message, its template, or the SMS sent in its place): recipients, by status, failures by
    reason, how many got an SMS instead, and the cost of what went out."""

    recipients: int
    by_status: dict[str, int]
    failed_by_reason: dict[str, int]
    cost: int
    sms_instead: int = 0


# What a provider took (and charges for): every state but waiting, withdrawn and expired.
_PAID = (DeliveryStatus.CANCELLED, DeliveryStatus.EXPIRED, DeliveryStatus.QUEUED)


def report(*, session: Session, broadcast: Broadcast) -> RunReport:
    """What the broadcast's runs reached (sent, delivered, read, failed by reason) and cost. A WhatsApp
    message replaced by an SMS counts as that SMS: its state, its reason, its price."""
    runs = select(RUN.c.id).where(RUN.c.broadcast_id == broadcast.id).scalar_subquery()
    sms = OUTBOX.alias("sms_instead")
    rows = session.connection().execute(
        select(
            func.coalesce(sms.c.status, OUTBOX.c.status),
            case((sms.c.id.is_(None), OUTBOX.c.failure_reason), else_=sms.c.failure_reason),
            func.count(),
            func.sum(func.coalesce(sms.c.estimated_cost, OUTBOX.c.estimated_cost)),
            func.count(sms.c.id),
        )
        .select_from(OUTBOX.outerjoin(sms, sms.c.fallback_of_id == OUTBOX.c.id))
        .where(OUTBOX.c.run_id.in_(runs))
        .group_by(
            func.coalesce(sms.c.status, OUTBOX.c.status),
            case((sms.c.id.is_(None), OUTBOX.c.failure_reason), else_=sms.c.failure_reason),
        )
    )
    by_status: dict[str, int] = {}
    reasons: dict[str, int] = {}
    cost = total = instead = 0
    for status, reason, count, spent, replaced in rows:
        by_status[str(status)] = by_status.get(str(status), 0) + count
        if reason:
            reasons[str(reason)] = reasons.get(str(reason), 0) + count
        if status not in _PAID:
            cost += int(spent or 0)
        total += count
        instead += replaced
    return RunReport(total, by_status, reasons, cost, instead)


def _record(
    session: Session, broadcast: Broadcast, action: str, actor: str, now: datetime, detail: str | None
) -> None:
    assert broadcast.id is not None
    session.add(
        BroadcastEvent(broadcast_id=broadcast.id, action=action, actor=actor, detail=detail, created_at=now)
    )
