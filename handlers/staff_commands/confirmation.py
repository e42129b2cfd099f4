"""The wait for YA: what RAPAT, SIARAN and DARURAT leave waiting on the staff row, and how YA, BATAL or
another message end it.

Confirmation. RAPAT, SIARAN and DARURAT reach many people, so they first answer with what was
understood (the meeting's day and time as residents will read it; recipients, SMS parts and the
highest cost) and wait 15 minutes for YA, which must be the very next message from that number: another
command replaces it, and a message to another village's number cancels it (a late "ya" meant for
something else must never send a broadcast). Any other message while it waits ("oke tapi jamnya
benar?", "lampu jalan mati", an emoji) is told that nothing was sent, to answer YA or BATAL and then
send that message again; it is stored but not acted on, and the wait goes on from it. The exceptions
end the wait: the number's own answer to "is your complaint fixed? 1/2", which is the reporter's, and
an opt-out (STOP, BERHENTI), which must always work. The pipeline's loop guard limits "still waiting"
to three in a row, so that an auto-reply does not ping-pong for 15 minutes. The cheap checks cost a
query only for a message with a command word, a natural answer, or a code and another number, or while
something waits (mirrored on the contact as `staff_waits_until`, which the pipeline reads anyway). The
PIN is checked when the command comes, not again at YA.

What waits belongs to the village it was asked in: the operator's YA to another village's number finds
nothing. What YA then creates is run.py's to dispatch (broadcast_actions.py).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col

from handlers.contacts import ContactState
from handlers.staff_commands.turn import Handled, Turn
from models import Direction, Message, Pending
from models.texts import StaffText as s

CONFIRM_WAIT = timedelta(minutes=15)
WAITING_NOTE = "staff:waiting"  # the stored note of a message answered "still waiting for YA"


def confirmation_waits(contact: ContactState, now: datetime) -> bool:
    """Whether a RAPAT / SIARAN / DARURAT from this number waits for YA, as mirrored on its contact (the
    staff row decides; the mirror only saves ordinary messages the lookup)."""
    return contact.staff_waits_until is not None and contact.staff_waits_until >= now


def ask(turn: Turn, command: dict[str, Any]) -> None:
    """Leave `command` waiting for YA (15 minutes), mirrored on the contact."""
    # The village it was asked in: the operator's YA to another village's number finds nothing.
    staff = turn.staff
    staff.pending_command = {**command, "message_id": turn.message_id, "village_id": turn.village.id}
    staff.pending_until = turn.now + CONFIRM_WAIT
    turn.contact.set(staff_waits_until=staff.pending_until)
    turn.record("staff.confirm_asked", command=command["command"])


def drop(turn: Turn) -> None:
    """Drop whatever waits for YA (a new command replaces it)."""
    if turn.staff.pending_command is not None:
        turn.staff.pending_command, turn.staff.pending_until = None, None
    forget(turn)


def forget(turn: Turn) -> None:
    """Clear the contact's mirror of the wait, so that its next messages cost no staff lookup."""
    if turn.contact.staff_waits_until is not None:
        turn.contact.set(staff_waits_until=None)


def still_waiting(turn: Turn) -> Handled | None:
    """Something waits for YA from this number in this village: a message that is neither YA nor
    BATAL nor a command is told that nothing was sent, and the wait goes on from it. None otherwise."""
    staff = turn.staff
    waiting, until = staff.pending_command, staff.pending_until
    if (
        waiting is None
        or until is None
        or until < turn.now
        or waiting.get("village_id", turn.village.id) != turn.village.id
        or interrupted(turn, int(waiting.get("message_id", 0)))
    ):
        forget(turn)
        return None
    # Locked and read again, as YA does: a new command racing this message must not be undone.
    turn.session.refresh(staff, with_for_update=True)
    if staff.pending_command != waiting:
        return Handled([s.CONFIRM_UNCLEAR], WAITING_NOTE)  # replaced meanwhile; the new one waits
    staff.pending_command = {**waiting, "message_id": turn.message_id}
    return Handled([s.CONFIRM_UNCLEAR], WAITING_NOTE)


@dataclass(frozen=True, slots=True)
class Confirmed:
    """YA in time: the command that waited ("rapat" or "siaran") and what `ask` stored for it."""

    command: str
    fields: dict[str, Any]


def take(turn: Turn, *, confirm: bool) -> Handled | Confirmed | None:
    """YA or BATAL: end the wait. The reply when there is nothing to act on (expired, elsewhere,
    interrupted, cancelled), what waited when YA came in time, None when nothing waited (a reporter's
    'ya' is theirs)."""
    staff = turn.staff
    if staff.pending_command is None:
        return None
    # Two YA at once must not both find the command waiting (PostgreSQL).
    turn.session.refresh(staff, with_for_update=True)
    waiting = staff.pending_command
    until = staff.pending_until
    drop(turn)
    if waiting is None:
        return None
    name = str(waiting.get("command"))
    elsewhere = waiting.get("village_id", turn.village.id) != turn.village.id
    if until is None or until < turn.now or elsewhere or interrupted(turn, int(waiting.get("message_id", 0))):
        turn.record("staff.confirm_expired", command=name)
        if confirm and reporter_waits(turn):
            return None  # the number's own complaint asked "beres?": this 'ya' answers that
        return Handled([s.CONFIRM_NOTHING if confirm else s.CANCEL_NOTHING], "staff:expired")
    if not confirm:
        turn.record("staff.confirm_cancelled", command=name)
        return Handled([s.CANCELLED], "staff:batal")
    return Confirmed(name, waiting)


def reporter_waits(turn: Turn) -> bool:
    """Whether this number, as a reporter, was asked whether its complaint is fixed ("beres? 1/2")."""
    contact = turn.contact
    return (
        contact.pending == Pending.CONFIRM_FIX
        and contact.pending_until is not None
        and contact.pending_until >= turn.now
    )


def interrupted(turn: Turn, asked_in: int) -> bool:
    """Whether another message came from this number between the question and this answer, to this
    village's number or another's (the operator, or staff texting a neighbouring village)."""
    between = turn.session.connection().execute(
        select(func.count())
        .select_from(Message)
        .where(
            col(Message.sender) == turn.message.sender,
            col(Message.direction) == Direction.IN,
            col(Message.id) > asked_in,
            col(Message.id) < turn.message_id,
        )
    )
    return bool(between.scalar_one())
