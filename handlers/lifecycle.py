"""A ticket's life after the resident reported it: verify, work, close, reject, forward, merge, reopen.

Every change is an appended TicketEvent (nothing is edited away). Public changes are told to the
reporter, and to everyone whose report was merged into the ticket, in Indonesian through the outbox.
Deadlines are in working days (verify within 3, act within 5 more); `escalate_overdue` tells the head,
or the BPD chair for a complaint about the head, when one passes.
"""

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from broadcasts import digest, notices, runs
from broadcasts.fanout import VillageRoutes
from broadcasts.sms import fit, sanitize, septets, to_gsm7
from handlers import rights, workdays
from handlers import staff as staff_people
from models import (
    Category,
    Channel,
    Lane,
    OutboxSource,
    Pending,
    Role,
    Staff,
    Ticket,
    TicketEvent,
    TicketEventKind,
    TicketStatus,
    Village,
)
from models import texts as t
from models.errors import BadRequest, Conflict
from models.tables import CONTACT
from models.ticket import overdue_clause

log = logging.getLogger("kentongan.lifecycle")

VERIFY_DAYS = 3
ACT_DAYS = 5
CONFIRM_WINDOW = timedelta(days=14)
SMS_ROOM = 160  # one GSM-7 SMS
# A notice that carries a staff note may take two GSM-7 parts (2 x 153 septets), never more. One septet
# less than that: an escape pair (e.g. "[") is never split between parts, which may waste one.
NOTICE_SEGMENTS = 2
NOTICE_ROOM = NOTICE_SEGMENTS * 153 - 1
OPEN = (TicketStatus.BARU, TicketStatus.DIVERIFIKASI, TicketStatus.DIPROSES)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who changes a ticket: 'staff:<id>' with a role, or 'warga' / 'system'."""

    name: str
    role: Role | None = None


def deadlines(
    *, reported_at: datetime, timezone: str, holidays: Collection[date]
) -> tuple[datetime, datetime]:
    """A new ticket's two deadlines, (verify, act): verify within VERIFY_DAYS working days of the report,
    act within ACT_DAYS more, in the village's zone without its weekends and `holidays`."""
    return (
        workdays.due(reported_at, VERIFY_DAYS, timezone, holidays),
        workdays.due(reported_at, VERIFY_DAYS + ACT_DAYS, timezone, holidays),
    )


def _due(village: Village, start: datetime, days: int) -> datetime:
    """`days` working days after `start` in the village (its zone, weekends and holidays)."""
    return workdays.due(start, days, village.timezone, workdays.parse_holidays(village.holidays))


def _stage(status: TicketStatus) -> str | None:
    """Which deadline a status runs against: verification for a new ticket, action for one in hand."""
    if status == TicketStatus.BARU:
        return "verify"
    return "act" if status in OPEN else None


def _next_stage(ticket: Ticket, before: TicketStatus) -> None:
    """A ticket that moved to another deadline may be escalated again, once, when that one passes."""
    if _stage(before) != _stage(ticket.status):
        ticket.escalated_at = None


def _new_act_deadline(session: Session, ticket: Ticket, now: datetime) -> None:
    village = session.get(Village, ticket.village_id)
    assert village is not None
    ticket.act_due_at = _due(village, now, ACT_DAYS)


def reporters(*, session: Session, ticket: Ticket) -> list[int]:
    """The ticket's reporter and the reporters of tickets merged into it."""
    merged = session.exec(select(Ticket.reporter_id).where(col(Ticket.merged_into_id) == ticket.id)).all()
    return list(dict.fromkeys([ticket.reporter_id, *merged]))


def _event(
    session: Session, ticket: Ticket, kind: TicketEventKind, actor: Actor, now: datetime, **fields: object
) -> None:
    assert ticket.id is not None
    session.add(TicketEvent(ticket_id=ticket.id, kind=kind, actor=actor.name, created_at=now, **fields))  # type: ignore[arg-type]


def notify(
    *,
    session: Session,
    routes: VillageRoutes,
    contact_ids: Collection[int],
    text: str,
    now: datetime,
    source_id: int | None,
    lane: Lane = Lane.NOTICE,
) -> int:
    """Queue a ticket notice for each contact on their own channel; returns how many could be reached."""
    queued = notices.send(
        session=session,
        routes=routes,
        contact_ids=contact_ids,
        text=text,
        now=now,
        source=OutboxSource.TICKET_NOTICE,
        source_id=source_id,
        lane=lane,
    )
    return len(queued)


_units = septets
clean_note = to_gsm7


def fit_note(note: str, room: int) -> str:
    """The cleaned note ending in a full stop, cut with '...' only when it exceeds `room` septets."""
    short = clean_note(note)
    if short and short[-1] not in ".!?":
        short += "."
    return fit(short, room)


def _notice_frames() -> list[str]:
    """Every notice that carries a note, with the longest values and an empty note."""
    status_own = t.STATUS_OWN.format(
        code="000000",
        category=max((c.label for c in Category), key=len),
        status=max((s.label for s in TicketStatus), key=len),
        note=t.STATUS_NOTE.format(note=""),
    )
    empty = t.TICKET_NOTE.format(note="")
    return [status_own, *(tpl.format(code="000000", note=empty) for tpl in t.TICKET_NOTICES.values())]


# The longest public note (in GSM-7 septets, after clean_note) that every notice carries whole within
# NOTICE_SEGMENTS parts; one septet is kept for the full stop added. The API refuses longer ones.
PUBLIC_NOTE_MAX = NOTICE_ROOM - max(_units(frame) for frame in _notice_frames()) - 1


def public_note_units(note: str) -> int:
    """How many of PUBLIC_NOTE_MAX's septets a public note takes once cleaned for SMS."""
    return _units(clean_note(note))


def _with_note(template: str, code: str, note: str | None) -> str:
    if not note or not clean_note(note):
        return template.format(code=code, note="")
    frame = template.format(code=code, note=t.TICKET_NOTE.format(note=""))
    short = fit_note(note, NOTICE_ROOM - _units(frame))
    return template.format(code=code, note=t.TICKET_NOTE.format(note=short))


def change_status(
    *,
    session: Session,
    ticket: Ticket,
    to: TicketStatus,
    actor: Actor,
    now: datetime,
    routes: VillageRoutes,
    public_note: str | None = None,
    internal_note: str | None = None,
) -> int:
    """Move a ticket, record it, and tell its reporters (a 'selesai' asks them to confirm the fix).

    Returns how many reporters a notice was queued for (0 when no channel of this deployment reaches
    them), so that the staff member can be told the truth."""
    if to == TicketStatus.DUPLIKAT:
        raise BadRequest("a duplicate is marked by merging it into the surviving ticket")
    if to == TicketStatus.BARU:
        raise BadRequest("a ticket cannot go back to baru; reopen it with diproses")
    if ticket.merged_into_id is not None:
        raise Conflict(f"ticket {ticket.code} was merged into another ticket; change that one instead")
    if ticket.status not in OPEN and to != TicketStatus.DIPROSES:
        raise Conflict(f"ticket {ticket.code} is {ticket.status}; it can only be reopened (diproses)")
    if ticket.status == to:
        raise Conflict(f"ticket {ticket.code} is already {to}")
    before = ticket.status
    ticket.status, ticket.updated_at = to, now
    ticket.resolved_at = now if to == TicketStatus.SELESAI else None
    if before not in OPEN:  # reopened: the village owes it action again, within a new deadline
        _new_act_deadline(session, ticket, now)
    _next_stage(ticket, before)
    _event(session, ticket, TicketEventKind.STATUS_CHANGED, actor, now, from_status=before, to_status=to)
    if internal_note:
        _event(session, ticket, TicketEventKind.INTERNAL_NOTE, actor, now, note=internal_note)
    if public_note:
        _event(session, ticket, TicketEventKind.PUBLIC_NOTE, actor, now, note=public_note, public=True)
    text = _with_note(t.TICKET_NOTICES[to.value], ticket.code, public_note)
    people = reporters(session=session, ticket=ticket)
    told = notify(session=session, routes=routes, contact_ids=people, text=text, now=now, source_id=ticket.id)
    if to == TicketStatus.SELESAI:
        for contact_id in people:
            session.connection().execute(
                CONTACT.update()
                .where(CONTACT.c.id == contact_id)
                .values(
                    pending=Pending.CONFIRM_FIX,
                    pending_ticket_id=ticket.id,
                    pending_until=now + CONFIRM_WINDOW,
                )
            )
    return told


def merge(
    *, session: Session, duplicate: Ticket, into: Ticket, actor: Actor, now: datetime, routes: VillageRoutes
) -> None:
    """Close `duplicate` into `into`; its reporters get the surviving code and, from now on, its updates.

    A complaint about the head merges only with another about the head: the survivor's history names
    the duplicate, and the head must not learn of it.
    """
    if duplicate.id == into.id:
        raise BadRequest(f"ticket {duplicate.code} cannot be merged into itself")
    if into.village_id != duplicate.village_id:
        raise BadRequest("a ticket can only be merged into another ticket of the same village")
    if duplicate.merged_into_id is not None:
        # Merged tickets share about_head, so whoever sees this one may see where it went.
        survivor = session.get(Ticket, duplicate.merged_into_id)
        raise Conflict(
            f"ticket {duplicate.code} was already merged into {survivor.code if survivor else '?'}"
        )
    if into.merged_into_id is not None:
        raise Conflict(f"ticket {into.code} was itself merged; merge into the ticket it points to")
    if into.status not in OPEN:
        # Nobody works on a closed ticket: a new report merged there would never be looked at.
        raise Conflict(
            f"ticket {into.code} is {into.status}; reopen it (status diproses) before merging into it"
        )
    if duplicate.about_head != into.about_head:
        raise Conflict(
            "a complaint about the village head can only be merged with another one about the head"
        )
    before = duplicate.status
    duplicate.status, duplicate.merged_into_id, duplicate.updated_at = TicketStatus.DUPLIKAT, into.id, now
    _event(
        session,
        duplicate,
        TicketEventKind.MERGED,
        actor,
        now,
        from_status=before,
        to_status=TicketStatus.DUPLIKAT,
        note=f"digabung ke {into.code}",
    )
    _event(session, into, TicketEventKind.MERGED, actor, now, note=f"aduan {duplicate.code} digabung ke sini")
    # Tickets already merged into the duplicate follow it to the survivor.
    for earlier in session.exec(select(Ticket).where(col(Ticket.merged_into_id) == duplicate.id)).all():
        earlier.merged_into_id = into.id
    into.updated_at = now
    text = t.TICKET_MERGED.format(old=duplicate.code, code=into.code)
    notify(
        session=session,
        routes=routes,
        contact_ids=[duplicate.reporter_id],
        text=text,
        now=now,
        source_id=into.id,
    )


def note_notice(ticket: Ticket, note: str) -> str:
    """A public note as the reporter reads it: the words a CEK answers and the note, whole when it is at
    most PUBLIC_NOTE_MAX (the API refuses longer ones; a longer one from a text command is cut)."""
    head = sanitize(
        t.STATUS_OWN.format(
            code=ticket.code,
            category=ticket.category.label,
            status=ticket.status.label,
            note=t.STATUS_NOTE.format(note=""),
        )
    )
    return head + fit_note(note, NOTICE_ROOM - _units(head))


def add_note(
    *,
    session: Session,
    ticket: Ticket,
    text: str,
    public: bool,
    actor: Actor,
    now: datetime,
    routes: VillageRoutes,
) -> int:
    """Append a note; a public one is also sent to the ticket's reporters. Returns how many were told."""
    if not text.strip():
        raise BadRequest("a note needs some text")
    kind = TicketEventKind.PUBLIC_NOTE if public else TicketEventKind.INTERNAL_NOTE
    _event(session, ticket, kind, actor, now, note=text, public=public)
    ticket.updated_at = now
    if not public:
        return 0
    return notify(
        session=session,
        routes=routes,
        contact_ids=reporters(session=session, ticket=ticket),
        text=note_notice(ticket, text),
        now=now,
        source_id=ticket.id,
    )


def assign(*, session: Session, ticket: Ticket, staff: Staff | None, actor: Actor, now: datetime) -> None:
    """Give the ticket to an active staff member of its village who may act on it, or take it away."""
    if staff is not None:
        if staff.village_id != ticket.village_id or not staff.active:
            raise BadRequest(f"staff_id {staff.id}: no active staff member of this village")
        if not rights.acts_on_ticket(staff.role, ticket):
            raise BadRequest(f"staff_id {staff.id}: role {staff.role.value} may not act on this ticket")
    wanted = staff.id if staff is not None else None
    if ticket.assignee_id == wanted:
        raise Conflict(
            f"ticket {ticket.code} is already assigned to staff {wanted}"
            if wanted is not None
            else f"ticket {ticket.code} is not assigned to anyone"
        )
    ticket.assignee_id, ticket.updated_at = wanted, now
    note = f"ditugaskan ke {staff.name} ({staff.role.value}:{staff.id})" if staff else "penugasan dicabut"
    _event(session, ticket, TicketEventKind.ASSIGNED, actor, now, note=note)


def recategorise(
    *, session: Session, ticket: Ticket, category: Category, actor: Actor, now: datetime
) -> None:
    """Correct the ticket's category (the message may have been read wrongly); reporters are not told."""
    before = ticket.category
    if before == category:
        raise Conflict(f"ticket {ticket.code} is already in category {before.value}")
    ticket.category, ticket.updated_at = category, now
    _event(
        session,
        ticket,
        TicketEventKind.CATEGORY_CHANGED,
        actor,
        now,
        note=f"{before.value} -> {category.value}",
    )


def make_private(
    *,
    session: Session,
    ticket: Ticket,
    actor: Actor,
    now: datetime,
    anonymous: bool = False,
    confidential: bool = False,
    about_head: bool = False,
) -> list[str]:
    """Turn privacy flags on (never off: what was hidden stays hidden); returns those newly set anywhere.

    Merged tickets are one complaint: the flags go to the surviving ticket and every duplicate alike
    (a duplicate left unflagged would show the head what its survivor hides). A complaint found to be
    about the head leaves the sight of the head and the cadres at once, and may be escalated again, now
    to the BPD chair.
    """
    survivor = session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else ticket
    assert survivor is not None
    group = [survivor, *session.exec(select(Ticket).where(col(Ticket.merged_into_id) == survivor.id)).all()]
    newly: list[str] = []
    for member in group:
        changed = [
            name
            for name, wanted, current in (
                ("anonim", anonymous, member.anonymous),
                ("rahasia", confidential, member.confidential),
                ("about_head", about_head, member.about_head),
            )
            if wanted and not current
        ]
        if not changed:
            continue
        member.anonymous = member.anonymous or anonymous
        member.confidential = member.confidential or confidential
        if about_head and not member.about_head:
            member.about_head, member.escalated_at = True, None
        member.updated_at = now
        _event(
            session, member, TicketEventKind.INTERNAL_NOTE, actor, now, note="ditandai: " + ", ".join(changed)
        )
        newly = list(dict.fromkeys([*newly, *changed]))
    return newly


def confirm_fix(
    *,
    session: Session,
    ticket: Ticket,
    fixed: bool,
    now: datetime,
    detail: str | None = None,
    reporter_id: int | None = None,
    available: Collection[Channel] = (),
) -> str:
    """The reporter's answer to 'is it really fixed?': 1 closes it for good, 2 reopens it.

    `detail`: what the reporter said besides the answer ("masih bolong"), kept with the reopening.
    A ticket with several reporters (merged reports) that one of them reopens is no longer closed for
    the others either: each other reporter (`reporter_id` is the one answering) is told, on the
    channels in `available`, and is no longer asked to confirm."""
    resident = Actor("warga")
    if fixed:
        _event(
            session,
            ticket,
            TicketEventKind.PUBLIC_NOTE,
            resident,
            now,
            note="Pelapor mengonfirmasi sudah beres.",
        )
        return t.TICKET_CONFIRMED.format(code=ticket.code)
    reason = "Pelapor: belum beres" + (f" - {detail.strip()}" if detail and detail.strip() else "")
    if ticket.status == TicketStatus.SELESAI:
        ticket.status, ticket.updated_at, ticket.resolved_at = TicketStatus.DIPROSES, now, None
        _new_act_deadline(session, ticket, now)
        _next_stage(ticket, TicketStatus.SELESAI)
        _event(
            session,
            ticket,
            TicketEventKind.STATUS_CHANGED,
            resident,
            now,
            from_status=TicketStatus.SELESAI,
            to_status=TicketStatus.DIPROSES,
            note=reason,
        )
        _tell_other_reporters(session, ticket, reporter_id, available, now)
    elif detail and detail.strip():  # already reopened (by staff, or another reporter): keep the words
        _event(session, ticket, TicketEventKind.DETAIL_ADDED, resident, now, note=reason)
    return t.TICKET_REOPENED.format(code=ticket.code)


def _tell_other_reporters(
    session: Session, ticket: Ticket, reporter_id: int | None, available: Collection[Channel], now: datetime
) -> None:
    """A reporter reopened `ticket`: the others, who were told it was done, hear that it is not."""
    others = [c for c in reporters(session=session, ticket=ticket) if c != reporter_id]
    if not others:
        return
    # Their "is it fixed?" question is answered by the reopening: a later "1" must not close it.
    session.connection().execute(
        CONTACT.update()
        .where(
            CONTACT.c.id.in_(others),
            CONTACT.c.pending == Pending.CONFIRM_FIX,
            CONTACT.c.pending_ticket_id == ticket.id,
        )
        .values(pending=Pending.NONE, pending_ticket_id=None)
    )
    if not available:
        return
    village = session.get(Village, ticket.village_id)
    assert village is not None
    notify(
        session=session,
        routes=runs.village_routes(session=session, village=village, available=available),
        contact_ids=others,
        text=t.TICKET_REOPENED_BY_OTHER.format(code=ticket.code),
        now=now,
        source_id=ticket.id,
    )


def overdue(*, session: Session, now: datetime) -> list[Ticket]:
    """Open tickets past their deadline that nobody has been told about yet, oldest first."""
    return list(
        session.exec(
            select(Ticket)
            .where(overdue_clause(now), col(Ticket.escalated_at).is_(None))
            .order_by(col(Ticket.created_at), col(Ticket.id))
        ).all()
    )


def _quiet(village: Village, now: datetime) -> bool:
    wall = now.astimezone(ZoneInfo(village.timezone)).replace(tzinfo=None)
    return runs.quiet_rules(village).quiet_end_if_inside(wall) is not None  # quiet hours, not blackouts


def escalate_overdue(*, session: Session, now: datetime, routes_for: Callable[[int], VillageRoutes]) -> int:
    """Tell the head (or the BPD chair, for complaints about the head) of each newly overdue ticket, once
    per deadline; during the village's quiet hours they wait for the morning (deadlines end at midnight,
    and nobody should be woken for a late ticket). Returns how many notices were queued.

    Who is told: every active staff member of that role whom a channel of this deployment reaches, the
    same people the digests go to (`broadcasts.digest.holders`, oldest first); a village with two BPD
    rows tells both. A ticket is marked escalated only when at least one notice was queued: when nobody
    can be reached (a head created by `kentongan token create` has no phone), nothing is recorded, a
    warning is logged, and the next check tries again.
    """
    count = 0
    villages: dict[int, Village | None] = {}
    for ticket in overdue(session=session, now=now):
        if ticket.village_id not in villages:
            villages[ticket.village_id] = session.get(Village, ticket.village_id)
        village = villages[ticket.village_id]
        if village is not None and _quiet(village, now):
            continue
        role = Role.BPD if ticket.about_head else Role.KADES
        people = digest.holders(session=session, village_id=ticket.village_id, roles=(role,))
        contact_ids = [
            contact_id
            for person in people
            if (contact_id := staff_people.ensure_contact(session=session, staff=person, now=now)) is not None
        ]
        stage = "verifikasi" if ticket.status == TicketStatus.BARU else "penanganan"
        where = (
            " ".join(
                p
                for p in (
                    ticket.dusun,
                    f"RT {ticket.rt}" if ticket.rt else "",
                    f"RW {ticket.rw}" if ticket.rw else "",
                )
                if p
            )
            or "lokasi belum disebut"
        )
        category = Category(ticket.category).label
        text = t.TICKET_ESCALATED.format(code=ticket.code, category=category, where=where, stage=stage)
        told = (
            notify(
                session=session,
                routes=routes_for(ticket.village_id),
                contact_ids=list(dict.fromkeys(contact_ids)),
                text=text,
                now=now,
                source_id=ticket.id,
            )
            if contact_ids
            else 0
        )
        if not told:
            log.warning(
                "overdue ticket %s (village id %s): no active %s reachable; will retry at the next check",
                ticket.code,
                ticket.village_id,
                role.value,
            )
            continue
        ticket.escalated_at = now
        _event(
            session,
            ticket,
            TicketEventKind.ESCALATED,
            Actor("system"),
            now,
            note=f"lewat batas {stage}; ke {role}",
        )
        count += told
    return count
