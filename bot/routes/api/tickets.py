"""/api/v1/tickets: residents' complaints, addressed by their six-digit tracking code.

Reading follows handlers/rights.py: a complaint about the village head (about_head) exists only for the
BPD and the operator (for everyone else its code answers 404, like an unknown one); an anonymous
complaint's reporter is shown only to the operator. Changing a ticket needs the right to act on it: the
BPD acts only on complaints about the head. Every change is appended to the ticket's history, recorded
in the audit log, and, when it matters to them, told to the reporters in Indonesian through the outbox.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from sqlmodel import Session, col, select

from bot.deps import NowDep, SettingsDep
from bot.routes.api.deps import (
    Limit,
    Offset,
    Reader,
    Scope,
    SessionDep,
    Unprocessable,
    refused_as_unprocessable,
    requires,
)
from bot.routes.api.schemas import problems
from bot.routes.api.schemas.tickets import (
    CODE_PATTERN,
    Assignment,
    CategoryChange,
    FlagsChange,
    FlagsPublic,
    MergeRequest,
    NoteCreate,
    ReporterPublic,
    StatusChange,
    TicketDetail,
    TicketPublic,
)
from handlers import lifecycle, rights, tickets
from handlers.rights import Right
from models import (
    Category,
    Contact,
    ContactIdentity,
    IdentityKind,
    Staff,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from models.errors import Conflict, Forbidden, NotFound
from models.phone import hide_reporter

router = APIRouter(prefix="/tickets", tags=["tickets"])

Code = Annotated[
    str, Path(pattern=CODE_PATTERN, description="The six-digit tracking code", examples=["482913"])
]
Dusun = Annotated[str | None, Query(min_length=1, max_length=80, pattern=r"^[^\x00]+$")]
Actor = Annotated[Scope, Depends(requires(Right.TICKET_ACT, "act on tickets"))]


NOT_FOUND = problems({404: "No such ticket in this village, or one the role may not see"})
CHANGE = NOT_FOUND | problems(
    {
        403: "The role may not act on this ticket (the BPD: only about the head)",
        409: "The ticket's status forbids it, or nothing would change",
    }
)


# --- reading -------------------------------------------------------------------------------------


def _visible(session: Session, scope: Scope, code: str) -> Ticket:
    """The village's ticket when the caller may know it exists; 404 otherwise, as for an unknown code."""
    ticket = tickets.get_by_code(session=session, village_id=scope.village_id, code=code)
    if ticket is None or not rights.sees_ticket(scope.staff.role, ticket):
        raise NotFound(f"no ticket {code}")
    return ticket


def _actionable(session: Session, scope: Scope, code: str, *, lock: bool = True) -> Ticket:
    """The ticket, locked for this transaction, when the caller may change it; 404 or 403 otherwise."""
    ticket = _visible(session, scope, code)
    role = scope.staff.role
    if not rights.acts_on_ticket(role, ticket):
        raise Forbidden(
            f"role {role.value} may not act on ticket {code}: the BPD acts only on complaints about "
            "the village head"
        )
    if lock:
        # Two staff changing one ticket at once must not both pass the status checks (PostgreSQL).
        session.refresh(ticket, with_for_update=True)
    return ticket


def _reporters(session: Session, scope: Scope, rows: Sequence[Ticket]) -> dict[int, ReporterPublic]:
    """The reporter of each ticket (by ticket id) that the caller may see reported by someone."""
    shown = {row.reporter_id for row in rows if rights.sees_reporter(scope.staff.role, row)}
    if not shown:
        return {}
    phones: dict[int, str] = {}
    for contact_id, phone in session.exec(
        select(ContactIdentity.contact_id, ContactIdentity.value)
        .where(col(ContactIdentity.contact_id).in_(shown), ContactIdentity.kind == IdentityKind.PHONE)
        .order_by(col(ContactIdentity.id))
    ).all():
        phones.setdefault(contact_id, phone)
    people = {
        contact.id: ReporterPublic(contact_id=contact.id, name=contact.name, phone=phones.get(contact.id))
        for contact in session.exec(select(Contact).where(col(Contact.id).in_(shown))).all()
        if contact.id is not None
    }
    return {
        row.id: people[row.reporter_id]
        for row in rows
        if row.id is not None and row.reporter_id in people and rights.sees_reporter(scope.staff.role, row)
    }


def _assignees(session: Session, rows: Iterable[Ticket]) -> dict[int, Staff]:
    ids = {row.assignee_id for row in rows if row.assignee_id is not None}
    if not ids:
        return {}
    found = session.exec(select(Staff).where(col(Staff.id).in_(ids))).all()
    return {staff.id: staff for staff in found if staff.id is not None}


def _hidden_names(session: Session, scope: Scope, rows: Sequence[Ticket]) -> dict[int, str | None]:
    """For each ticket whose reporter the caller may not see (by ticket id): the reporter's name, to be
    blanked in the texts shown, with the numbers the resident typed (a phone, an NIK): together with the
    contact list, either would name the reporter of an anonymous complaint."""
    hidden = [row for row in rows if row.id is not None and not rights.sees_reporter(scope.staff.role, row)]
    if not hidden:
        return {}
    names = dict(
        session.exec(
            select(Contact.id, Contact.name).where(col(Contact.id).in_({row.reporter_id for row in hidden}))
        ).all()
    )
    return {row.id: names.get(row.reporter_id) for row in hidden if row.id is not None}


RESIDENT = "warga"  # TicketEvent.actor of what the reporter wrote


def _publics(session: Session, scope: Scope, rows: Sequence[Ticket], now: datetime) -> list[TicketPublic]:
    reporters = _reporters(session, scope, rows)
    assignees = _assignees(session, rows)
    hidden = _hidden_names(session, scope, rows)
    publics = []
    for row in rows:
        public = TicketPublic.of(
            row,
            now=now,
            reporter=reporters.get(row.id) if row.id is not None else None,
            assignee=assignees.get(row.assignee_id) if row.assignee_id is not None else None,
        )
        if row.id in hidden:
            public = public.model_copy(update={"text": hide_reporter(public.text, hidden[row.id])})
        publics.append(public)
    return publics


def _detail(session: Session, scope: Scope, ticket: Ticket, now: datetime) -> TicketDetail:
    """The ticket with its history, and its merges as far as the caller may see the other tickets."""
    role = scope.staff.role
    survivor = session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id is not None else None
    duplicates = session.exec(
        select(Ticket).where(col(Ticket.merged_into_id) == ticket.id).order_by(col(Ticket.id))
    ).all()
    events = session.exec(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id)
        .order_by(col(TicketEvent.created_at), col(TicketEvent.id))
    ).all()
    detail = TicketDetail.with_history(
        _publics(session, scope, [ticket], now)[0],
        media=ticket.media,
        merged_into=survivor.code if survivor is not None and rights.sees_ticket(role, survivor) else None,
        duplicates=[d.code for d in duplicates if rights.sees_ticket(role, d)],
        events=events,
    )
    hidden = _hidden_names(session, scope, [ticket])
    if ticket.id in hidden:  # what the resident wrote later (details) is theirs too
        detail.events = [
            event.model_copy(update={"note": hide_reporter(event.note, hidden[ticket.id])})
            if event.actor == RESIDENT and event.note
            else event
            for event in detail.events
        ]
    return detail


@router.get("")
def list_tickets(
    scope: Reader,
    session: SessionDep,
    now: NowDep,
    status: Annotated[
        list[TicketStatus] | None, Query(description="Repeat for several: ?status=baru&status=diproses")
    ] = None,
    overdue: Annotated[
        bool | None, Query(description="true: only late ones; false: only those on time or closed")
    ] = None,
    category: Category | None = None,
    dusun: Dusun = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[TicketPublic]:
    """The village's complaints, newest first, with the complaint's text, its deadlines and whether it
    is late. The reporter's name and number are null for an anonymous complaint (except for the
    operator); complaints about the village head are listed only for the BPD and the operator."""
    rows = tickets.list_visible(
        session=session,
        village_id=scope.village_id,
        role=scope.staff.role,
        now=now,
        statuses=status,
        overdue=overdue,
        category=category,
        dusun=dusun,
        limit=limit,
        offset=offset,
    )
    return _publics(session, scope, rows, now)


@router.get("/{code}", responses=NOT_FOUND)
def get_ticket(code: Code, scope: Reader, session: SessionDep, now: NowDep) -> TicketDetail:
    """One complaint with its photos, the ticket it was merged into (or those merged into it), who
    handles it, and its whole history (who did what, when, and which notes the reporters were told),
    oldest first."""
    return _detail(session, scope, _visible(session, scope, code), now)


# --- changing ------------------------------------------------------------------------------------


def _actor(scope: Scope) -> lifecycle.Actor:
    return lifecycle.Actor(scope.actor, scope.staff.role)


def _code_of(session: Session, scope: Scope, ticket_id: int) -> str | None:
    other = session.get(Ticket, ticket_id)
    return other.code if other is not None and rights.sees_ticket(scope.staff.role, other) else None


def _not_merged(session: Session, scope: Scope, ticket: Ticket) -> None:
    """A merged ticket's reporters now follow the survivor: its moves belong there, not on the duplicate."""
    if ticket.merged_into_id is not None:
        survivor = _code_of(session, scope, ticket.merged_into_id) or "another ticket"
        raise Conflict(f"ticket {ticket.code} was merged into {survivor}; change that ticket instead")


@router.post("/{code}/status", responses=CHANGE)
def change_status(
    code: Code,
    body: StatusChange,
    scope: Actor,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> TicketDetail:
    """Move a complaint along its lifecycle: `diverifikasi`, `diproses`, `selesai`, `ditolak`,
    `bukan_wewenang` or `diteruskan`; a closed one can only be reopened (`diproses`). Its reporters
    (and those of tickets merged into it) get an Indonesian SMS or WhatsApp notice with `public_note`
    whole (422 when it would not fit two SMS: the limit is in the schema); `selesai` asks them to reply
    1 (fixed) or 2 (not yet, which reopens it). A duplicate is marked with `/merge`, never here (422).
    409 when the ticket's status forbids the move."""
    if body.status == TicketStatus.DUPLIKAT:
        raise Unprocessable(
            f"status duplikat: use POST /api/v1/tickets/{code}/merge with the surviving ticket's code "
            '({"into": "123456"}), so that its reporters follow that ticket'
        )
    if body.status == TicketStatus.BARU:
        raise Unprocessable("status baru: a ticket cannot be moved back to new; reopen it with diproses")
    ticket = _actionable(session, scope, code)
    _not_merged(session, scope, ticket)
    before = ticket.status
    lifecycle.change_status(
        session=session,
        ticket=ticket,
        to=body.status,
        actor=_actor(scope),
        now=now,
        routes=scope.routes(session, settings),
        public_note=body.public_note,
        internal_note=body.internal_note,
    )
    scope.audit(
        session,
        "ticket.status",
        now,
        target=f"ticket:{code}",
        detail={
            "from": before.value,
            "to": body.status.value,
            "public_note": body.public_note is not None,
            "internal_note": body.internal_note is not None,
        },
    )
    session.flush()
    return _detail(session, scope, ticket, now)


@router.post("/{code}/notes", status_code=201, responses=CHANGE)
def add_note(
    code: Code,
    body: NoteCreate,
    scope: Actor,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> TicketDetail:
    """Add a note to the complaint's history. A public note is also sent to its reporters (and those
    of tickets merged into it) as one SMS: "Aduan 482913 (Infrastruktur): sedang diproses. Catatan:
    ..." (at most two SMS: a public note too long for that is refused with 422, naming the limit); an
    internal note is for staff only."""
    ticket = _actionable(session, scope, code)
    with refused_as_unprocessable():
        notified = lifecycle.add_note(
            session=session,
            ticket=ticket,
            text=body.text,
            public=body.public,
            actor=_actor(scope),
            now=now,
            routes=scope.routes(session, settings),
        )
    scope.audit(
        session,
        "ticket.note",
        now,
        target=f"ticket:{code}",
        detail={"public": body.public, "notified": notified},
    )
    session.flush()
    return _detail(session, scope, ticket, now)


@router.post("/{code}/assign", responses=CHANGE)
def assign(code: Code, body: Assignment, scope: Actor, session: SessionDep, now: NowDep) -> TicketDetail:
    """Give the complaint to a staff member to handle (an active one of this village who may act on
    it: the BPD only for complaints about the head, kader and kades never for those), or take it
    away with `{"staff_id": null}`. 422 for anyone else; 409 when nothing would change."""
    ticket = _actionable(session, scope, code)
    staff = session.get(Staff, body.staff_id) if body.staff_id is not None else None
    if body.staff_id is not None and staff is None:
        raise Unprocessable(f"staff_id {body.staff_id}: no active staff member of this village")
    before = ticket.assignee_id
    with refused_as_unprocessable():
        lifecycle.assign(session=session, ticket=ticket, staff=staff, actor=_actor(scope), now=now)
    scope.audit(
        session, "ticket.assign", now, target=f"ticket:{code}", detail={"from": before, "to": body.staff_id}
    )
    session.flush()
    return _detail(session, scope, ticket, now)


@router.post("/{code}/category", responses=CHANGE)
def change_category(
    code: Code, body: CategoryChange, scope: Actor, session: SessionDep, now: NowDep
) -> TicketDetail:
    """Correct the complaint's category (the message may have been read wrongly); the reporters are not
    told. 409 when it already has that category."""
    ticket = _actionable(session, scope, code)
    before = ticket.category
    lifecycle.recategorise(
        session=session, ticket=ticket, category=body.category, actor=_actor(scope), now=now
    )
    scope.audit(
        session,
        "ticket.category",
        now,
        target=f"ticket:{code}",
        detail={"from": before.value, "to": body.category.value},
    )
    session.flush()
    return _detail(session, scope, ticket, now)


@router.post("/{code}/flags", responses=CHANGE)
def set_flags(code: Code, body: FlagsChange, scope: Actor, session: SessionDep, now: NowDep) -> FlagsPublic:
    """Turn privacy flags on when the message was read wrongly or the reporter asked later: `anonymous`
    hides the reporter from all but the operator, `confidential` keeps it out of Open311, `about_head`
    hands it to the BPD (the head and the cadres no longer see it, the caller included). Flags are never
    turned off; asking for one already set changes nothing."""
    ticket = _actionable(session, scope, code)
    newly = lifecycle.make_private(
        session=session,
        ticket=ticket,
        actor=_actor(scope),
        now=now,
        anonymous=bool(body.anonymous),
        confidential=bool(body.confidential),
        about_head=bool(body.about_head),
    )
    if newly:
        scope.audit(session, "ticket.flags", now, target=f"ticket:{code}", detail={"set": newly})
    return FlagsPublic(
        code=ticket.code,
        anonymous=ticket.anonymous,
        confidential=ticket.confidential,
        about_head=ticket.about_head,
        newly_set=newly,
    )


@router.post("/{code}/merge", responses=CHANGE)
def merge(
    code: Code,
    body: MergeRequest,
    scope: Actor,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> TicketDetail:
    """Close this complaint as a duplicate (`duplikat`) of the one named in `into`: its reporter is told
    the surviving code, and from now on gets that ticket's notices. Answers the duplicate. 422 for an
    unknown `into` or the ticket itself; 409 when either was already merged, when `into` is closed
    (selesai, ditolak, ...: reopen it with `diproses` first, or nobody would look at the new report), or
    when only one of the two is about the village head (those are kept apart: the head must not learn
    of them)."""
    if body.into == code:
        raise Unprocessable(f"into: ticket {code} cannot be merged into itself")
    duplicate = _actionable(session, scope, code, lock=False)
    into = tickets.get_by_code(session=session, village_id=scope.village_id, code=body.into)
    if into is None or not rights.sees_ticket(scope.staff.role, into):
        raise Unprocessable(f"into: no ticket {body.into} in this village")
    # Both locked, always in the same order, so that two opposite merges cannot deadlock.
    for ticket in sorted((duplicate, into), key=lambda row: row.id or 0):
        session.refresh(ticket, with_for_update=True)
    before = duplicate.status
    lifecycle.merge(
        session=session,
        duplicate=duplicate,
        into=into,
        actor=_actor(scope),
        now=now,
        routes=scope.routes(session, settings),
    )
    scope.audit(
        session,
        "ticket.merge",
        now,
        target=f"ticket:{code}",
        detail={"from": before.value, "into": f"ticket:{into.code}"},
    )
    session.flush()
    return _detail(session, scope, duplicate, now)
