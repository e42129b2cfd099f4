"""Meetings and what residents are told about them: an announcement and reminders when one is set,
a correction to everyone already told when it moves, a cancellation when it is called off. Moving or
cancelling first withdraws whatever no provider has yet, so a resident never gets an old date after a
new one (an SMS in place of a WhatsApp one included: broadcasts/fallback.py asks `superseded`).

Each message is a broadcast of kind `musdes` tied to the meeting (`meeting_id`, `meeting_key`), so the
scheduler sends it like any other, in quiet-hour-aware time. A Musdus goes to its own dusun.
"""

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlmodel import Session, col

from broadcasts import audience, service, sms, timing
from broadcasts.audience import Audience
from models import (
    Broadcast,
    BroadcastKind,
    BroadcastStatus,
    DeliveryStatus,
    Meeting,
    MeetingStatus,
    Village,
)
from models import texts as t
from models.errors import Conflict
from models.tables import BROADCAST, OUTBOX, RUN

FURTHEST = timedelta(days=366)  # a meeting is announced at most a year ahead
MAX_VALIDITY = 2**31 - 1  # seconds: the outbox column is a 32-bit integer
REMINDER_KEYS = frozenset(rule.key for rule in timing.DEFAULT_REMINDERS)  # not a correction or a notice
_REMINDERS = tuple(sorted(REMINDER_KEYS - {"announce"}))


def audience_of(meeting: Meeting) -> Audience:
    """Who a meeting concerns: its dusun for a Musdus, else the whole village."""
    return Audience(dusun=(meeting.dusun,)) if meeting.dusun else Audience()


_NO_BRACES = str.maketrans("{}", "()")  # a cadre's brace must not read as a {variable} later
_JOINERS = frozenset(
    {"dan", "serta", "atau", "&", "+", "dgn", "dengan", "utk", "untuk", "di", "ke", "yg", "yang"}
)


def _values(meeting: Meeting, village: Village) -> dict[str, str]:
    return {
        "acara": meeting.title.translate(_NO_BRACES),
        "kapan": t.format_when(meeting.starts_at, village.timezone),
        "tempat": meeting.place.translate(_NO_BRACES),
    }


def _text(template: str, meeting: Meeting, village: Village) -> str:
    return template.format(**_values(meeting, village))


def _agenda(meeting: Meeting) -> str:
    """The meeting's agenda as the invitation says it; "" for none (also "-", the old placeholder)."""
    agenda = " ".join((meeting.agenda or "").split()).translate(_NO_BRACES)
    return agenda.rstrip(" .,;:-") if agenda.strip(" .,;:-") else ""


def announcement(meeting: Meeting, village: Village) -> str:
    """The invitation: with the agenda when there is one, as much of it as fits without another SMS part
    (cut after a word, with "dll"); without it when none, or when not even one word of it fits."""
    values = _values(meeting, village)
    bare = t.MEETING_ANNOUNCE_NO_AGENDA.format(**values)
    agenda = _agenda(meeting)
    if not agenda:
        return bare
    parts = sms.segments(bare)
    whole = t.MEETING_ANNOUNCE.format(**values, agenda=agenda)
    if sms.segments(whole) <= parts:
        return whole
    words = agenda.split()
    for kept in range(len(words) - 1, 0, -1):
        if words[kept - 1].lower() in _JOINERS:
            continue  # "... jalan dan dll" says nothing more than "... jalan dll"
        cut = t.MEETING_AGENDA_MORE.format(agenda=" ".join(words[:kept]).rstrip(" .,;:-"))
        text = t.MEETING_ANNOUNCE.format(**values, agenda=cut)
        if sms.segments(text) <= parts:
            return text
    return bare


def _create(session: Session, village: Village, draft: service.Draft, actor: str, now: datetime) -> Broadcast:
    """A meeting broadcast, waiting for approval when the village wants it for its kind."""
    needs_approval = {BroadcastKind(kind) for kind in village.approval_kinds}
    return service.create(
        session=session, village=village, draft=draft, actor=actor, now=now, needs_approval=needs_approval
    )


def _tell_those_told(
    session: Session,
    village: Village,
    meeting: Meeting,
    told: tuple[int, ...],
    template: str,
    key: str,
    actor: str,
    now: datetime,
) -> Broadcast:
    """A notice about the meeting, now, to the contacts already told about it."""
    draft = service.Draft(
        kind=BroadcastKind.MUSDES,
        title=f"{meeting.title} ({'batal' if key == 'cancelled' else 'dipindah'})",
        sms_text=_text(template, meeting, village),
        audience=Audience(contacts=told),
        send_at=now,
        meeting_id=meeting.id,
        meeting_key=key,
    )
    return _create(session, village, draft, actor, now)


def plan(
    *,
    session: Session,
    meeting: Meeting,
    village: Village,
    actor: str,
    now: datetime,
    keys: tuple[str, ...] | None = None,
    told: tuple[int, ...] = (),
) -> list[Broadcast]:
    """Schedule the announcement and reminders still ahead (none in the past, none in a burst). The
    announcement leaves out the contacts in `told` (they get a correction instead)."""
    return [
        _reminder(session, meeting, village, reminder.key, reminder.due_at, actor, now, told)
        for reminder in timing.reminder_plan(meeting.starts_at, village.timezone, now)
        if keys is None or reminder.key in keys
    ]


def _untold(meeting: Meeting, told: tuple[int, ...]) -> Audience:
    """The meeting's audience but those already told about it (who get a correction instead)."""
    audience = audience_of(meeting)
    return replace(audience, exclude=tuple(sorted({*audience.exclude, *told}))) if told else audience


def _reminder(
    session: Session,
    meeting: Meeting,
    village: Village,
    key: str,
    due_at: datetime,
    actor: str,
    now: datetime,
    told: tuple[int, ...] = (),
) -> Broadcast:
    """The announcement ("announce") or a reminder of the meeting, due at `due_at` (or now, if past).
    The announcement leaves out the contacts in `told`."""
    text = (
        announcement(meeting, village) if key == "announce" else _text(t.MEETING_REMINDER, meeting, village)
    )
    audience = _untold(meeting, told) if key == "announce" else audience_of(meeting)
    draft = service.Draft(
        kind=BroadcastKind.MUSDES,
        title=f"{meeting.title} ({key})",
        sms_text=text,
        audience=audience,
        send_at=max(due_at, now),
        validity_seconds=min(max(int((meeting.starts_at - due_at).total_seconds()), 600), MAX_VALIDITY),
        meeting_id=meeting.id,
        meeting_key=key,
    )
    return _create(session, village, draft, actor, now)


def create(
    *, session: Session, village: Village, meeting: Meeting, actor: str, now: datetime
) -> list[Broadcast]:
    """Store a meeting and schedule what residents will be told."""
    session.add(meeting)
    session.flush()
    return plan(session=session, meeting=meeting, village=village, actor=actor, now=now)


# A message in these states is with a provider or has reached the resident: they may have read it.
HANDED = tuple(
    s.value
    for s in (DeliveryStatus.SENDING, DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)
)


def told_of(session: Session, meeting: Meeting) -> tuple[int, ...]:
    """Contacts a message about the meeting has reached or may have: handed to a provider (an SMS in
    place of a WhatsApp one included). Withdrawn and failed messages told nobody."""
    broadcasts = select(BROADCAST.c.id).where(BROADCAST.c.meeting_id == meeting.id)
    runs = select(RUN.c.id).where(RUN.c.broadcast_id.in_(broadcasts))
    rows = select(OUTBOX.c.id).where(OUTBOX.c.run_id.in_(runs))
    reached = session.connection().execute(
        select(OUTBOX.c.contact_id)
        .where(
            or_(OUTBOX.c.run_id.in_(runs), OUTBOX.c.fallback_of_id.in_(rows)),
            OUTBOX.c.status.in_(HANDED),
        )
        .distinct()
    )
    return tuple(sorted(row[0] for row in reached))


def _pending(session: Session, meeting: Meeting, keys: Collection[str] | None = None) -> list[Broadcast]:
    """What waits to be sent about the meeting (only the broadcasts with these keys, if given), locked."""
    query = select(Broadcast).where(
        col(Broadcast.meeting_id) == meeting.id,
        col(Broadcast.status).in_([BroadcastStatus.SCHEDULED, BroadcastStatus.PENDING_APPROVAL]),
    )
    if keys is not None:
        query = query.where(col(Broadcast.meeting_key).in_(list(keys)))
    # Locked and read afresh: one the scheduler fires meanwhile is seen as sent, not sent again.
    return list(session.scalars(query.with_for_update().execution_options(populate_existing=True)).all())


def _withdraw(session: Session, meeting: Meeting, actor: str, now: datetime) -> None:
    """Withdraw everything about the meeting that no provider has yet: broadcasts waiting for their time
    are cancelled, and those already fired lose their queued messages (an invitation paced out over
    hours on a gateway phone included), so that no one gets the old date after the new one."""
    for broadcast in _pending(session, meeting):
        service.cancel(session=session, broadcast=broadcast, actor=actor, now=now)
    fired = session.connection().execute(
        select(BROADCAST.c.id).where(
            BROADCAST.c.meeting_id == meeting.id,
            BROADCAST.c.status.in_([BroadcastStatus.SENDING.value, BroadcastStatus.SENT.value]),
        )
    )
    service.withdraw(session=session, broadcast_ids=[row[0] for row in fired], now=now)


def move(
    *,
    session: Session,
    village: Village,
    meeting: Meeting,
    starts_at: datetime,
    actor: str,
    now: datetime,
    place: str | None = None,
) -> Broadcast | None:
    """Move a meeting: what was not yet handed to a provider is withdrawn; everyone it reached gets a
    correction, everyone else the invitation with the new time; reminders are planned again."""
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"meeting {meeting.id} is {meeting.status}")
    _withdraw(session, meeting, actor, now)
    told = told_of(session, meeting)
    meeting.starts_at = starts_at
    if place:
        meeting.place = place
    correction = None
    if told:
        key = f"moved-{now:%Y%m%d%H%M%S}"
        correction = _tell_those_told(session, village, meeting, told, t.MEETING_MOVED, key, actor, now)
    # The invitation with the new time goes to those not told, if the audience has anyone else.
    untold = _untold(meeting, told)
    anyone_else = audience.count(session=session, village_id=village.id or 0, audience=untold) > 0
    keys = None if anyone_else else _REMINDERS
    plan(session=session, meeting=meeting, village=village, actor=actor, now=now, keys=keys, told=told)
    return correction


@dataclass(frozen=True, slots=True)
class ZoneMove:
    """What a change of a village's time zone changed: broadcasts (to tell the scheduler) and meetings."""

    broadcasts: list[Broadcast]
    meetings: int


def follow_zone_change(*, session: Session, village: Village, old_zone: str, now: datetime) -> ZoneMove:
    """After `village.timezone` changed from `old_zone`, keep every time still ahead on the village's clock.

    Residents and cadres read and typed local times ("Musdes Rabu 19.30"); the operator corrects a zone
    that was wrong, so what was said must stay true. Meetings ahead keep their wall-clock time, and
    their reminders not yet sent are made again from it, so that their texts name the new zone and
    they go at 08.00 on the village's clock; one whose time the change put in the past goes now rather
    than never (nothing else is sent: those already told were told the same hour). An approval given
    stays given. Other broadcasts waiting for their time keep theirs (broadcasts.service).
    """
    actor = "system:zone"
    changed = service.follow_zone_change(session=session, village=village, old_zone=old_zone, now=now)
    ahead = session.scalars(
        select(Meeting)
        .where(
            col(Meeting.village_id) == village.id,
            col(Meeting.status) == MeetingStatus.SCHEDULED,
            col(Meeting.starts_at) > now,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    for meeting in ahead:
        pending = _pending(session, meeting, keys=REMINDER_KEYS)
        approved = {b.meeting_key: b.approved_by for b in pending if b.status == BroadcastStatus.SCHEDULED}
        for broadcast in pending:
            service.cancel(session=session, broadcast=broadcast, actor=actor, now=now)
        meeting.starts_at = service.same_clock(meeting.starts_at, old_zone, village.timezone)
        keys = {b.meeting_key for b in pending if b.meeting_key}
        made = plan(session=session, meeting=meeting, village=village, actor=actor, now=now, keys=tuple(keys))
        for key in sorted(keys - {b.meeting_key for b in made}):  # its time is past on the new clock
            made.append(_reminder(session, meeting, village, key, now, actor, now))
        for broadcast in made:
            by = approved.get(broadcast.meeting_key)
            if broadcast.status == BroadcastStatus.PENDING_APPROVAL and by:
                service.keep_approval(session=session, broadcast=broadcast, approved_by=by, now=now)
        changed += pending + made
    session.flush()
    return ZoneMove(changed, len(ahead))


def cancel(
    *, session: Session, village: Village, meeting: Meeting, actor: str, now: datetime
) -> Broadcast | None:
    """Call a meeting off: what was not yet handed to a provider is withdrawn, and everyone it reached
    hears of the cancellation; no one else hears anything."""
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(f"meeting {meeting.id} is {meeting.status}")
    _withdraw(session, meeting, actor, now)
    told = told_of(session, meeting)
    meeting.status = MeetingStatus.CANCELLED
    if not told:
        return None
    return _tell_those_told(session, village, meeting, told, t.MEETING_CANCELLED, "cancelled", actor, now)


def superseded(session: Session, meeting_id: int | None, made_at: datetime) -> bool:
    """Whether a broadcast made at `made_at` about meeting `meeting_id` (None: about none) is about a
    meeting since cancelled, or moved after it was made: what it says is no longer true, so nothing more
    of it may go (an SMS in place of one of its WhatsApp messages included)."""
    if meeting_id is None:
        return False
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.status == MeetingStatus.CANCELLED:
        return True
    # A move makes a new announcement (to those not told) or a correction (to those told), or both.
    later = (
        session.connection()
        .execute(
            select(BROADCAST.c.id).where(
                BROADCAST.c.meeting_id == meeting_id,
                BROADCAST.c.created_at > made_at,
                or_(BROADCAST.c.meeting_key == "announce", BROADCAST.c.meeting_key.like("moved-%")),
            )
        )
        .first()
    )
    return later is not None
