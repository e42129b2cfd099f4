"""Where staff SMS commands are carried out: `handle` takes a message from a registered staff number,
reads the command (grammar.py), finds the sender, and dispatches it to its action (reading.py,
ticket_actions.py, broadcast_actions.py) or to the wait for YA (confirmation.py); the PIN is then
masked in the stored message.

The operator. The operator belongs to no village: an active operator with the number acts on the village
the message was sent to (when none of that village's own staff has it), with every right, and the
audit entries carry that village. What waits for YA belongs to the village it was asked in.
"""

import dataclasses
import re
from collections.abc import Collection
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from handlers import rights
from handlers import staff as staff_people
from handlers.contacts import ContactState, VillageInfo
from handlers.inbound import InboundMessage
from handlers.rights import Right
from handlers.staff_commands import broadcast_actions, confirmation, meeting_actions, reading, ticket_actions
from handlers.staff_commands.commands import (
    TICKET_VERBS,
    Aside,
    Broadcast,
    Cancel,
    ChangeMeeting,
    Command,
    Confirm,
    Digest,
    ListMeetings,
    ListTickets,
    Lookup,
    Menu,
    NewMeeting,
    TicketChange,
    pin_of,
    right_of,
)
from handlers.staff_commands.grammar import (
    CONFIRM_WORDS,
    NOTHING_TO_CANCEL_WORDS,
    YEAR,
    code_with_number,
    command_named_in,
    keyword,
    numbers_in,
    parse,
    plain,
    usage_key,
)
from handlers.staff_commands.turn import Handled, Turn
from models import Channel, IdentityKind, Role, Ticket
from models.texts import StaffText as s

INTENT = "staff"  # Message.intent of a staff command


def may_concern_staff(text: str, contact: ContactState, now: datetime) -> bool:
    """Whether to look the sender up as staff: the message has a staff keyword (`keyword`), or a command
    from this number waits for YA (`confirmation_waits`). Neither costs a query."""
    return keyword(text) is not None or confirmation.confirmation_waits(contact, now)


def handle(
    *,
    session: Session,
    village: VillageInfo,
    contact: ContactState,
    message: InboundMessage,
    message_id: int,
    now: datetime,
    available: Collection[Channel] = frozenset(Channel),
) -> Handled | None:
    """Act on a staff command from a registered staff number (the village's, or else an operator's); None
    to read the message as a resident's."""
    if message.sender_kind != IdentityKind.PHONE:
        return None
    text = message.text.strip()
    if not may_concern_staff(text, contact, now):  # the cheap checks: most messages cost no query
        return None
    zone = ZoneInfo(village.timezone)
    command = parse(text, now_local=now.astimezone(zone), dusun_names=village.dusun_names)
    # The village's own staff, or else the operator, who acts on the village the message was sent to.
    member = staff_people.by_phone(session=session, village_id=village.id, phone=message.sender)
    if member is None or member.id is None:
        return None
    turn = Turn(session, village, member, contact, message, message_id, now, frozenset(available))
    command = _as_staff(turn, command, text)
    if command is None or isinstance(command, Aside):
        # Something waits for YA: say it was not sent rather than answer as a resident.
        return confirmation.still_waiting(turn)
    pin = pin_of(command)
    handled: Handled | None
    if isinstance(command, Confirm | Cancel):
        handled = _answer(turn, command, text)
    else:
        confirmation.drop(turn)  # a new command replaces whatever waited for YA
        reply, note = act(turn, command)
        handled = Handled([reply], note, turn.ticket_id)
    if pin is not None:
        turn.mask_stored_pin(pin)
    return handled


def _as_staff(turn: Turn, command: Command | None, text: str) -> Command | None:
    """The command as this sender's: a question when its PIN is a year or it asks for an example the
    role may not use; a malformed command when it holds one of the village's codes and another number."""
    if command is not None and _year_not_pin(command, text, turn.role):
        command = None  # "Rapat 2026 kapan ya pak" from the head: a question
    if isinstance(command, Menu) and command.broadcasters and not rights.can(turn.role, Right.BROADCAST):
        command = None  # "Siaran radio desa kapan?" from the head: a question
    if command is None or isinstance(command, Aside):
        command = _malformed(turn, text) or command
    return command


def act(turn: Turn, command: Command) -> tuple[str, str]:
    """The reply to a command other than YA / BATAL, and the message's note."""
    if isinstance(command, Menu):
        return reading.menu(turn, command.topic, command.verb), "staff:menu"
    if isinstance(command, ListTickets):
        return reading.list_tickets(turn, command), "staff:list"
    if isinstance(command, Lookup):
        return reading.lookup(turn, command), "staff:lihat"
    if isinstance(command, Digest):
        return reading.digest(turn), "staff:digest"
    if isinstance(command, TicketChange):
        return ticket_actions.change_ticket(turn, command), f"staff:{command.verb}"
    if isinstance(command, NewMeeting):
        return broadcast_actions.prepare_meeting(turn, command), "staff:rapat"
    if isinstance(command, ListMeetings):
        return meeting_actions.list_meetings(turn), "staff:rapat_daftar"
    if isinstance(command, ChangeMeeting):
        note = "staff:rapat_batal" if command.cancel else "staff:rapat_pindah"
        return meeting_actions.prepare_change(turn, command), note
    assert isinstance(command, Broadcast)
    return broadcast_actions.prepare_broadcast(turn, command), f"staff:{command.kind.value}"


def _answer(turn: Turn, command: Confirm | Cancel, text: str) -> Handled | None:
    """YA or BATAL: what waited sent or dropped; or that nothing waits; None for a resident's answer."""
    confirm = isinstance(command, Confirm)
    handled = _confirmed(turn, confirm=confirm)
    # "YA 1234", and YA or BATAL as written exactly, are a staff answer even with nothing waiting:
    # from a role that may have something waiting (one that may broadcast), and not while the
    # number's own complaint asks "beres?" (that YA is the reporter's). "ya pak" stays a resident's.
    exact = (
        plain(text) in (CONFIRM_WORDS if confirm else NOTHING_TO_CANCEL_WORDS)
        and rights.can(turn.role, Right.BROADCAST)
        and not (confirm and confirmation.reporter_waits(turn))
    )
    if handled is None and (command.pin is not None or exact):
        handled = Handled([s.CONFIRM_NOTHING if confirm else s.CANCEL_NOTHING], "staff:nothing_waits")
    if handled is not None and turn.scheduled:
        handled = dataclasses.replace(handled, scheduled=tuple(turn.scheduled))
    return handled


def _confirmed(turn: Turn, *, confirm: bool) -> Handled | None:
    """End the wait; at YA in time, create what waited (the PIN was checked when it was asked)."""
    taken = confirmation.take(turn, confirm=confirm)
    if not isinstance(taken, confirmation.Confirmed):
        return taken
    if not rights.can(turn.role, Right.BROADCAST):
        return Handled([turn.not_allowed("broadcast")], "staff:ya")
    if taken.command == "rapat":
        return Handled([broadcast_actions.create_meeting(turn, taken.fields)], "staff:ya")
    if taken.command in ("rapat_pindah", "rapat_batal"):
        return Handled([meeting_actions.create_change(turn, taken.fields)], "staff:ya")
    return Handled([broadcast_actions.create_broadcast(turn, taken.fields)], "staff:ya")


def _malformed(turn: Turn, text: str) -> Menu | None:
    """A message with the code of one of the village's tickets and another number of 4 to 6 digits:
    a staff command that did not read ("Sdh selesai 482913 1234"). Its example (or the menu) is the
    answer and the other number is masked as a PIN: never a ticket, never a resident's check."""
    if not code_with_number(text):
        return None
    numbers = numbers_in(text)
    codes = {number for number, _ in numbers if len(number) == 6}
    known = (
        turn.session.connection()
        .execute(
            select(col(Ticket.code))
            .where(col(Ticket.village_id) == turn.village.id, col(Ticket.code).in_(codes))
            .limit(1)
        )
        .scalar()
    )
    if known is None:
        return None
    at = next(i for i, (number, _) in enumerate(numbers) if number == known)
    pin = next(number for i, (number, _) in enumerate(numbers) if i != at)
    name = command_named_in(text)
    topic = usage_key(name) if name is not None else None
    turn.refuse(name or "unclear", "malformed")
    return Menu(topic, pin, verb=name.upper() if name in TICKET_VERBS else "VERIF")


def _year_not_pin(command: Command, text: str, role: Role) -> bool:
    """Whether the number read as a PIN is a year followed by words ("Rapat 2026 kapan ya pak") in a
    command the role may not use: then the message is a question, not a command."""
    pin = pin_of(command)
    need = right_of(command)
    if isinstance(command, Menu) and command.topic in ("meeting", "broadcast", "emergency"):
        need = Right.BROADCAST
    if pin is None or not YEAR.fullmatch(pin) or need is None or rights.can(role, need):
        return False
    at = re.search(rf"(?<![0-9]){pin}(?![0-9])", text)
    return at is not None and re.search(r"[A-Za-z]", text[at.end() :]) is not None
