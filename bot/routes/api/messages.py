"""/api/v1/messages: the village's message log, for the cadre (kader) and the operator: what came in
(the message table) and what went out (the outbox: replies, ticket notices, broadcasts, digests), newest
first in one list.

The ticket visibility rules of handlers/rights.py hold here too: messages about a complaint about the
village head (about_head), and every message of or to someone who made one, are left out for everyone
but the BPD and the operator (and the BPD has no right to the log); for a message of or to the reporter
of an anonymous complaint only the operator sees who the resident is. Staff text commands and their
replies, and digests (the BPD's holds the complaints about the head), are the operator's to read.
"""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import ColumnElement, Select, and_, case, literal, or_, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.routes.api.deps import Limit, Offset, Scope, SessionDep, Unprocessable, requires
from bot.routes.api.schemas import INT4_MAX, Moment
from bot.routes.api.schemas.messages import MessagePublic
from handlers import staff_commands
from handlers.rights import Right, hides_about_head
from models import Contact, Direction, Message, Outbox, OutboxSource, Role, Ticket
from models.errors import Forbidden

router = APIRouter(prefix="/messages", tags=["messages"])

LogReader = Annotated[Scope, Depends(requires(Right.MESSAGE_READ, "read the message log"))]
TicketCode = Annotated[
    str | None,
    Query(
        alias="ticket",
        pattern=r"^[0-9]{1,12}$",
        description="Only messages about the complaint with this tracking code",
        examples=["482913"],
    ),
]
RECEIVED, SENT = "message", "outbox"
RATE_LIMITED = "rate_limited"  # Message.note of a complaint held back by the flood limit
LogQuery = Select[*tuple[Any, ...]]


def _of_reporter(village_id: int, contact_id: Any, ticket_flag: Any, flag: str) -> ColumnElement[bool]:
    """The message is of (or to) someone with a ticket carrying the flag, or with such a report in
    progress ("ADUAN ANONIM" sent, the detail still to come: models/contact.py pending_flags)."""
    with_ticket = select(Ticket.reporter_id).where(
        Ticket.village_id == village_id, col(ticket_flag).is_(True)
    )
    reporting = select(Contact.id).where(
        Contact.village_id == village_id, col(Contact.pending_flags).contains(flag, autoescape=True)
    )
    return or_(col(contact_id).in_(with_ticket), col(contact_id).in_(reporting))


def _person_rules(village_id: int, contact_id: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """For a row of or to `contact_id`, joined to the Ticket it concerns: whether the resident is hidden
    (the ticket is anonymous, or they reported anonymously), and whether they complained about the
    head. A reporter's other messages give them away as much as the complaint's own ("ADUAN ANONIM"
    before the detail, "CEK" listing their codes): the rules follow the person, not only the message."""
    anonymous_reporter = _of_reporter(village_id, contact_id, Ticket.anonymous, "anonim")
    head_reporter = _of_reporter(village_id, contact_id, Ticket.about_head, "about_head")
    return or_(col(Ticket.anonymous).is_(True), anonymous_reporter), head_reporter


def _columns(stored_in: str, row_id: Any, at: Any, rank: int, hidden: ColumnElement[bool]) -> LogQuery:
    """The columns of either half of the log, alike so that the two unite: which table, the row's id and
    time, its rank among rows of the same time, the code of the ticket it concerns, and whether the
    resident is hidden."""
    return sa_select(
        literal(stored_in).label("stored_in"),
        col(row_id).label("id"),
        col(at).label("at"),
        literal(rank).label("rank"),
        col(Ticket.code).label("code"),
        hidden.label("hidden"),
    )


def _received(
    scope: Scope, direction: Direction | None, contact_id: int | None, ticket: str | None
) -> LogQuery:
    """What came in (and anything the message table logged as sent): its kind, id, time, ticket code
    and whether the resident is hidden."""
    operator = scope.staff.role == Role.OPERATOR
    # Ticket ids are per deployment, but a message and its ticket always share a village: say so anyway.
    joined = and_(col(Ticket.id) == col(Message.ticket_id), col(Ticket.village_id) == col(Message.village_id))
    hidden, head_reporter = _person_rules(scope.village_id, Message.contact_id)
    # rank 0: at the same moment, the message comes before the replies it got.
    query: LogQuery = (
        _columns(RECEIVED, Message.id, Message.created_at, 0, hidden)
        .outerjoin(Ticket, joined)
        .where(col(Message.village_id) == scope.village_id)
    )
    if hides_about_head(scope.staff.role):
        query = query.where(
            or_(col(Ticket.id).is_(None), col(Ticket.about_head).is_(False)),
            or_(col(Message.contact_id).is_(None), ~head_reporter),
        )
    if not operator:
        # Staff text commands are staff work, in the audit log; here they would show the BPD's lists
        # of complaints about the head to a cadre.
        query = query.where(or_(col(Message.intent).is_(None), col(Message.intent) != staff_commands.INTENT))
    if hides_about_head(scope.staff.role):
        # A complaint the flood limit kept from becoming a ticket carries no flag: it may be about the head.
        query = query.where(or_(col(Message.note).is_(None), col(Message.note) != RATE_LIMITED))
    if direction is not None:
        query = query.where(col(Message.direction) == direction)
    return _narrowed(query, col(Message.contact_id), hidden, operator, contact_id, ticket)


def _sent(scope: Scope, contact_id: int | None, ticket: str | None) -> LogQuery:
    """What went out (the outbox), with the same columns as `_received`. A reply concerns the ticket of
    the message it answers, a ticket notice its ticket; the resident is the recipient."""
    operator = scope.staff.role == Role.OPERATOR
    answered = aliased(Message)
    is_reply = col(Outbox.source) == OutboxSource.REPLY
    ticket_id = case(
        (col(Outbox.source) == OutboxSource.TICKET_NOTICE, col(Outbox.source_id)),
        else_=col(answered.ticket_id),
    )
    joined = and_(col(Ticket.id) == ticket_id, col(Ticket.village_id) == col(Outbox.village_id))
    hidden, head_reporter = _person_rules(scope.village_id, Outbox.contact_id)
    query: LogQuery = (
        _columns(SENT, Outbox.id, Outbox.created_at, 1, hidden)
        .outerjoin(
            answered,
            and_(
                is_reply,
                col(answered.id) == col(Outbox.source_id),
                col(answered.village_id) == col(Outbox.village_id),
            ),
        )
        .outerjoin(Ticket, joined)
        .where(col(Outbox.village_id) == scope.village_id)
    )
    if hides_about_head(scope.staff.role):
        query = query.where(or_(col(Ticket.id).is_(None), col(Ticket.about_head).is_(False)), ~head_reporter)
    if not operator:
        # Answers to staff text commands (the BPD's TIKET lists complaints about the head), and digests
        # (the BPD's counts exactly those; the kader has no right to digests), are the operator's.
        # Broadcasts too: which subscribers a fan-out left out or masked would name the residents who
        # complained anonymously or about the head; a broadcast's reach is in /broadcasts/{id}.
        query = query.where(
            or_(col(answered.intent).is_(None), col(answered.intent) != staff_commands.INTENT),
            col(Outbox.source).not_in([OutboxSource.DIGEST, OutboxSource.BROADCAST]),
        )
    return _narrowed(query, col(Outbox.contact_id), hidden, operator, contact_id, ticket)


def _narrowed(
    query: LogQuery,
    contact: Any,
    hidden: ColumnElement[bool],
    operator: bool,
    contact_id: int | None,
    ticket: str | None,
) -> LogQuery:
    """The caller's filters, alike on both halves of the log: one contact (never a hidden one but for
    the operator, so that an empty answer names no one) and one ticket code."""
    if contact_id is not None:
        query = query.where(contact == contact_id)
        if not operator:
            query = query.where(~hidden)
    if ticket is not None:
        query = query.where(col(Ticket.code) == ticket)
    return query


def _answers(session: Session, rows: Sequence[Any], operator: bool) -> list[MessagePublic]:
    """The page's rows in full, in the page's order (two reads by primary key, whatever the page)."""
    received_ids = [row.id for row in rows if row.stored_in == RECEIVED]
    sent_ids = [row.id for row in rows if row.stored_in == SENT]
    received = (
        {m.id: m for m in session.exec(select(Message).where(col(Message.id).in_(received_ids)))}
        if received_ids
        else {}
    )
    sent = (
        {o.id: o for o in session.exec(select(Outbox).where(col(Outbox.id).in_(sent_ids)))}
        if sent_ids
        else {}
    )
    # The names of the residents hidden on this page: blanked in the texts too ("saya Sri Wahyuni ...").
    hidden_people = {
        (received[row.id].contact_id if row.stored_in == RECEIVED else sent[row.id].contact_id)
        for row in rows
        if row.hidden and not operator
    } - {None}
    names = (
        dict(session.exec(select(Contact.id, Contact.name).where(col(Contact.id).in_(hidden_people))).all())
        if hidden_people
        else {}
    )
    answers = []
    for row in rows:
        hide = bool(row.hidden) and not operator
        if row.stored_in == RECEIVED:
            message = received[row.id]
            name = names.get(message.contact_id) if hide and message.contact_id else None
            answers.append(MessagePublic.of(message, row.code, hide_resident=hide, name=name))
        else:
            outbound = sent[row.id]
            name = names.get(outbound.contact_id) if hide else None
            answers.append(MessagePublic.sent(outbound, row.code, hide_resident=hide, name=name))
    return answers


@router.get("")
def list_messages(
    scope: LogReader,
    session: SessionDep,
    direction: Direction | None = None,
    contact_id: Annotated[int | None, Query(ge=1, le=INT4_MAX)] = None,
    ticket: TicketCode = None,
    since: Annotated[Moment | None, Query(description="From this time on (ISO 8601 with offset)")] = None,
    until: Annotated[Moment | None, Query(description="Before this time (ISO 8601 with offset)")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[MessagePublic]:
    """The village's messages, in and out, newest first, filtered by direction, contact, complaint code
    and time. What came in carries the replies given to it; what went out (`stored_in: outbox`) is every
    reply, ticket notice, broadcast message and digest, with its `source`, delivery `status` and error.

    For everyone but the operator: the messages of and to anyone who complained about the head (all of
    them, since "CEK" lists their codes), complaints the flood limit held back (they carry no flag),
    staff text commands and their answers, digests and broadcast messages (see /broadcasts/{id} for a
    broadcast's reach) are left out; in the messages of and to anyone who complained anonymously the
    resident's number reads "anonim", the contact id is left out and the numbers and name in the texts
    read "[disembunyikan]"; and the `contact_id` filter is the operator's (403), so that nothing ties a
    complaint to its reporter.
    """
    if since is not None and until is not None and since >= until:
        raise Unprocessable("since must be before until")
    if contact_id is not None and scope.staff.role != Role.OPERATOR:
        # Whose messages are left out or masked for a cadre is exactly who complained anonymously or
        # about the head: a per-person view would tell, so it is the operator's.
        raise Forbidden("only the operator may filter the message log by contact")
    # The message table may hold rows logged as sent too: it is read for either direction.
    branches = [_received(scope, direction, contact_id, ticket)]
    if direction != Direction.IN:
        branches.append(_sent(scope, contact_id, ticket))
    for at, index in ((Message.created_at, 0), (Outbox.created_at, 1)):
        if index < len(branches):
            if since is not None:
                branches[index] = branches[index].where(col(at) >= since)
            if until is not None:
                branches[index] = branches[index].where(col(at) < until)
    log = (union_all(*branches) if len(branches) > 1 else branches[0]).subquery()
    # One sorted page over both tables: the database keeps only offset + limit rows while it reads.
    page = sa_select(log).order_by(log.c.at.desc(), log.c.rank, log.c.id.desc()).offset(offset).limit(limit)
    rows = session.connection().execute(page).all()
    return _answers(session, rows, scope.staff.role == Role.OPERATOR)
