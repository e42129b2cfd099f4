"""The reply to `CEK`: how a resident's report stands, or which of their reports are open; one SMS each.

`CEK 482913` names one ticket. Its reporters (and the reporters of tickets merged into it, who follow
the surviving ticket) hear its category, its status and the newest note meant for them; anyone else
hears only its status, and nothing at all of a complaint about the head or a confidential one (the head
could ask any phone to CEK a code). `CEK` alone lists the sender's open tickets, as many as one SMS
holds; `CEK 12345` names the mistyped number back. handlers/pipeline.py routes the message here; the
queries are handlers/tickets.py's, the wording models/texts.py's (`STATUS_*`).
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from broadcasts.sms import sanitize
from handlers import lifecycle, tickets
from models import Ticket
from models import texts as t


@dataclass(frozen=True, slots=True)
class StatusReply:
    """The answer to a CEK, and the ticket its code named (the message log links it, hidden from those
    who may not see the ticket)."""

    text: str
    ticket_id: int | None = None


def reply(*, session: Session, village_id: int, sender_id: int, code: str | None, text: str) -> StatusReply:
    """The answer to `CEK [code]` sent to village `village_id` by contact `sender_id`; `text` is the
    message as written (a number that is not a six-digit code is named back)."""
    if code is None:
        return StatusReply(_open_tickets(session=session, sender_id=sender_id, text=text))
    ticket = tickets.get_by_code(session=session, village_id=village_id, code=code)
    if ticket is None:
        return StatusReply(t.STATUS_UNKNOWN.format(code=code))
    return StatusReply(_one_ticket(session=session, ticket=ticket, sender_id=sender_id, code=code), ticket.id)


def _open_tickets(*, session: Session, sender_id: int, text: str) -> str:
    """The sender's open tickets, newest first, as many as one SMS holds and how many more there are."""
    typed = tickets.mistyped_code(text)
    if typed is not None:  # "CEK 12345": not "you have no open reports"
        return t.STATUS_BAD_CODE.format(number=typed, digits=len(typed))
    mine = tickets.list_open_for_reporter(session=session, reporter_id=sender_id, limit=None)
    if not mine:
        return t.STATUS_NONE
    items = [f"{c} ({status.label})" for c, status in mine]
    for shown in range(len(items), 0, -1):
        rest = len(items) - shown
        listed = ", ".join(items[:shown])
        answer = (
            t.STATUS_LIST_MORE.format(items=listed, n=rest) if rest else t.STATUS_LIST.format(items=listed)
        )
        if len(answer) <= lifecycle.SMS_ROOM:
            return answer
    return t.STATUS_LIST_MORE.format(items=items[0], n=len(items) - 1)


def _one_ticket(*, session: Session, ticket: Ticket, sender_id: int, code: str) -> str:
    """How `ticket` stands, as much as the sender may know."""
    # Reporters merged into a ticket are its reporters: they follow the surviving ticket.
    survivor = session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else None
    group = survivor or ticket
    own = ticket.reporter_id == sender_id or sender_id in lifecycle.reporters(session=session, ticket=group)
    if not own:
        # Its existence is not for others: the head could ask any phone to CEK a code.
        if ticket.about_head or ticket.confidential:
            return t.STATUS_UNKNOWN.format(code=code)
        return t.STATUS_OTHER.format(code=ticket.code, status=ticket.status.label)
    assert group.id is not None
    note = tickets.last_public_note(session=session, ticket_id=group.id)
    if survivor is not None:

        def build(text: str) -> str:
            return t.STATUS_MERGED.format(
                old=ticket.code, code=group.code, status=group.status.label, note=text
            )
    else:

        def build(text: str) -> str:
            return t.STATUS_OWN.format(
                code=ticket.code, category=ticket.category.label, status=ticket.status.label, note=text
            )

    return sanitize(build(_note_within(note, build)))


def _note_within(note: str | None, build: Callable[[str], str]) -> str:
    """The note part of a CEK answer, cut so that the answer stays one SMS."""
    if not note or not lifecycle.clean_note(note):
        return ""
    room = lifecycle.SMS_ROOM - len(sanitize(build(t.STATUS_NOTE.format(note=""))))
    return t.STATUS_NOTE.format(note=lifecycle.fit_note(note, room))
