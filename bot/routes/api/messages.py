"""/api/v1/messages: the village's message log, for the cadre (kader) and the operator.

The ticket visibility rules of handlers/rights.py hold here too: messages about a complaint about the
village head (about_head) are left out for everyone but the BPD and the operator (and the BPD has no
right to the log), and for a message about an anonymous complaint only the operator sees who sent it.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select

from bot.routes.api.deps import Limit, Offset, Scope, SessionDep, Unprocessable, requires
from bot.routes.api.schemas import INT4_MAX, Moment
from bot.routes.api.schemas.messages import MessagePublic
from handlers import staff_commands
from handlers.rights import Right, hides_about_head
from models import Contact, Direction, Message, Role, Ticket

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


def _sent_by_reporter(village_id: int, ticket_flag: Any, flag: str) -> ColumnElement[bool]:
    """The message is of someone with a ticket carrying the flag, or with such a report in progress
    ("ADUAN ANONIM" sent, the detail still to come: models/contact.py pending_flags)."""
    with_ticket = select(Ticket.reporter_id).where(
        Ticket.village_id == village_id, col(ticket_flag).is_(True)
    )
    reporting = select(Contact.id).where(
        Contact.village_id == village_id, col(Contact.pending_flags).contains(flag, autoescape=True)
    )
    return or_(col(Message.contact_id).in_(with_ticket), col(Message.contact_id).in_(reporting))


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
    """The village's messages, newest first, filtered by direction, contact, complaint code and time.

    For everyone but the operator: the messages of anyone who complained about the head (all of them,
    since "CEK" lists their codes) and staff text commands are left out; in the messages of anyone who
    complained anonymously the resident's number reads "anonim" and the contact id is left out, and a
    `contact_id` filter leaves them out, so that nothing ties the complaint to its reporter.
    """
    if since is not None and until is not None and since >= until:
        raise Unprocessable("since must be before until")
    operator = scope.staff.role == Role.OPERATOR
    # Ticket ids are per deployment, but a message and its ticket always share a village: say so anyway.
    joined = and_(col(Ticket.id) == col(Message.ticket_id), col(Ticket.village_id) == col(Message.village_id))
    # A reporter's other messages give them away as much as the complaint's own ("ADUAN ANONIM" before
    # the detail, "CEK" listing their codes): the rule follows the person, not only the message.
    anonymous_reporter = _sent_by_reporter(scope.village_id, Ticket.anonymous, "anonim")
    head_reporter = _sent_by_reporter(scope.village_id, Ticket.about_head, "about_head")
    hidden = or_(col(Ticket.anonymous).is_(True), anonymous_reporter)
    query = (
        select(Message, Ticket.code, hidden)
        .outerjoin(Ticket, joined)
        .where(Message.village_id == scope.village_id)
    )
    no_ticket = col(Ticket.id).is_(None)
    if hides_about_head(scope.staff.role):
        query = query.where(
            or_(no_ticket, col(Ticket.about_head).is_(False)),
            or_(col(Message.contact_id).is_(None), ~head_reporter),
        )
    if not operator:
        # Staff text commands are staff work, in the audit log; here they would show the BPD's lists
        # of complaints about the head to a cadre.
        query = query.where(or_(col(Message.intent).is_(None), col(Message.intent) != staff_commands.INTENT))
    if direction is not None:
        query = query.where(Message.direction == direction)
    if contact_id is not None:
        query = query.where(Message.contact_id == contact_id)
        if not operator:
            query = query.where(~hidden)
    if ticket is not None:
        query = query.where(Ticket.code == ticket)
    if since is not None:
        query = query.where(col(Message.created_at) >= since)
    if until is not None:
        query = query.where(col(Message.created_at) < until)
    rows = session.exec(
        query.order_by(col(Message.created_at).desc(), col(Message.id).desc()).offset(offset).limit(limit)
    ).all()
    return [
        MessagePublic.of(message, code, hide_resident=bool(private) and not operator)
        for message, code, private in rows
    ]
