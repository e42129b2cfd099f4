"""Firing a broadcast: the scheduler's one entry point into the domain.

`fire` is called when a broadcast's `next_run_at` comes. It holds the run to the end of the village's
quiet hours or blackouts (emergencies go at once), gives up on a run later than the grace period
(`missed`, never sent late in a burst), fans the run out to the outbox, and works out the next run of a
recurring broadcast. The broadcast row stays the truth a restarted scheduler is rebuilt from.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlmodel import Session, col

from broadcasts import fanout, timing
from broadcasts.audience import Audience
from broadcasts.outbox import Prices
from models import (
    Broadcast,
    BroadcastEvent,
    BroadcastKind,
    BroadcastRun,
    BroadcastStatus,
    Channel,
    DeliveryStatus,
    Lane,
    RunStatus,
    Village,
)
from models.tables import ADDRESS, OUTBOX
from models.texts import format_date, zone_name

DEFAULT_GRACE = timedelta(minutes=30)


class FireOutcome(StrEnum):
    """What `fire` did."""

    SENT = "sent"  # fanned out to the outbox
    HELD = "held"  # quiet hours or a blackout: `next_run_at` moved to when it may go
    MISSED = "missed"  # later than the grace period: not sent
    SKIPPED = "skipped"  # nothing to do (cancelled, not yet due, already fired)


@dataclass(frozen=True, slots=True)
class FireResult:
    """The outcome, the run (when one was made), recipients queued, and when the broadcast fires next."""

    outcome: FireOutcome
    run_id: int | None = None
    queued: int = 0
    next_run_at: datetime | None = None


def village_routes(
    *, session: Session, village: Village, available: Collection[Channel]
) -> fanout.VillageRoutes:
    """A village's addresses and prices, for fan-out."""
    assert village.id is not None
    rows = session.connection().execute(
        select(ADDRESS.c.channel, ADDRESS.c.address).where(ADDRESS.c.village_id == village.id)
    )
    return fanout.VillageRoutes(
        village_id=village.id,
        addresses={Channel(channel): address for channel, address in rows},
        available=available,
        prices=Prices(village.sms_price, village.whatsapp_template_price),
    )


def quiet_rules(village: Village) -> timing.QuietRules:
    """The village's quiet hours and its weekly blackouts (by default the Friday midday prayer)."""
    return timing.village_rules(village.quiet_start, village.quiet_end, village.blackouts)


def message_values(village: Village, due: datetime) -> dict[str, str]:
    """Values every broadcast text may use: {desa}, {tanggal}, {jam} (of the run, in the village zone)."""
    local = due.astimezone(ZoneInfo(village.timezone))
    return {
        "desa": village.name,
        "tanggal": format_date(local),
        "jam": f"{local.hour:02d}.{local.minute:02d} {zone_name(village.timezone)}",
    }


def fire(
    *,
    session: Session,
    broadcast_id: int,
    now: datetime,
    available: Collection[Channel],
    grace: timedelta = DEFAULT_GRACE,
    extra_values: Callable[[Broadcast], dict[str, str]] | None = None,
) -> FireResult:
    """Fire the broadcast if it is due: hold it for quiet hours, miss it past the grace, else fan out."""
    broadcast = session.get(Broadcast, broadcast_id, with_for_update=True)
    if broadcast is None or broadcast.status != BroadcastStatus.SCHEDULED or broadcast.next_run_at is None:
        return FireResult(FireOutcome.SKIPPED)
    due = broadcast.next_run_at
    if due > now:
        return FireResult(FireOutcome.SKIPPED, next_run_at=due)
    village = session.get(Village, broadcast.village_id)
    assert village is not None
    emergency = broadcast.kind == BroadcastKind.DARURAT
    allowed = timing.next_allowed(now, village.timezone, quiet_rules(village), emergency=emergency)
    if allowed > now:
        broadcast.planned_at = broadcast.planned_at or due
        broadcast.next_run_at = allowed
        _event(session, broadcast, "held", f"quiet hours or blackout until {allowed.isoformat()}", now)
        return FireResult(FireOutcome.HELD, next_run_at=allowed)

    scheduled_for = broadcast.planned_at or due
    run = BroadcastRun(
        broadcast_id=broadcast_id, village_id=broadcast.village_id, due_at=scheduled_for, created_at=now
    )
    session.add(run)
    session.flush()
    assert run.id is not None
    if now - due > grace:
        run.status = RunStatus.MISSED
        run.note = f"due {due.isoformat()}; the service was down past the grace period"
        _event(session, broadcast, "missed", run.note, now)
        _advance(session, broadcast, scheduled_for, now, missed=True)
        return FireResult(FireOutcome.MISSED, run.id, next_run_at=broadcast.next_run_at)

    run.status, run.fired_at = RunStatus.RUNNING, now
    values = {**message_values(village, scheduled_for), **(extra_values(broadcast) if extra_values else {})}
    message = fanout.Message(
        kind=broadcast.kind,
        sms_text=broadcast.sms_text,
        whatsapp_text=broadcast.whatsapp_text,
        template_name=broadcast.template_name,
        template_variables=tuple(broadcast.template_variables),
        values=values,
        validity_seconds=broadcast.validity_seconds,
    )
    result = fanout.fan_out(
        session=session,
        run_id=run.id,
        message=message,
        audience=Audience.from_dict(broadcast.audience),
        village=village_routes(session=session, village=village, available=available),
        now=now,
    )
    run.status, run.recipients = RunStatus.DONE, result.queued
    _event(session, broadcast, "fired", f"run {run.id}: {result.queued} recipients", now)
    _advance(session, broadcast, scheduled_for, now, missed=False)
    return FireResult(FireOutcome.SENT, run.id, result.queued, broadcast.next_run_at)


def _advance(
    session: Session, broadcast: Broadcast, fired_for: datetime, now: datetime, *, missed: bool
) -> None:
    """Set the next run of a recurring broadcast (skipping dates already past), or finish a one-off."""
    following = None
    if broadcast.rrule and broadcast.send_at is not None:
        village = session.get(Village, broadcast.village_id)
        assert village is not None
        start = broadcast.send_at.astimezone(ZoneInfo(village.timezone))
        upcoming = timing.occurrences(broadcast.rrule, start, after=max(fired_for, now), limit=1)
        following = upcoming[0] if upcoming else None
    if following is not None:
        broadcast.planned_at = broadcast.next_run_at = following
        broadcast.status = BroadcastStatus.SCHEDULED
    else:
        broadcast.planned_at = broadcast.next_run_at = None
        broadcast.status = BroadcastStatus.MISSED if missed else BroadcastStatus.SENT
    broadcast.updated_at = now


def _event(session: Session, broadcast: Broadcast, action: str, detail: str, now: datetime) -> None:
    assert broadcast.id is not None
    session.add(BroadcastEvent(broadcast_id=broadcast.id, action=action, detail=detail, created_at=now))


def follow_quiet_change(*, session: Session, village: Village, now: datetime) -> list[Broadcast]:
    """After `village` changed its quiet hours or blackouts, what waited for the old ones waits for the
    new ones instead, at once: broadcasts held by them are due again (`fire` holds them again if the
    new ones still do), and bulk rows the dispatcher deferred are due again (it applies the new ones).
    Returns the broadcasts whose time changed, for the scheduler."""
    held = session.scalars(
        select(Broadcast)
        .where(
            col(Broadcast.village_id) == village.id,
            col(Broadcast.status) == BroadcastStatus.SCHEDULED,
            col(Broadcast.planned_at).is_not(None),
            col(Broadcast.next_run_at) > col(Broadcast.planned_at),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    replanned = []
    for broadcast in held:
        assert broadcast.planned_at is not None
        due = max(broadcast.planned_at, now)
        if due == broadcast.next_run_at:
            continue
        broadcast.next_run_at = due
        _event(session, broadcast, "replanned", "the village changed its quiet hours or blackouts", now)
        replanned.append(broadcast)
    session.connection().execute(
        update(OUTBOX)
        .where(
            OUTBOX.c.village_id == village.id,
            OUTBOX.c.status == DeliveryStatus.QUEUED.value,
            OUTBOX.c.lane == Lane.BULK,
            OUTBOX.c.next_attempt_at > now,
        )
        .values(next_attempt_at=now)
    )
    return replanned
