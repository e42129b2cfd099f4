"""What staff do to tickets by text message: VERIF, PROSES, SELESAI, TOLAK, TERUSKAN and BUKAN
<kode> <PIN> [catatan], each moving one ticket through handlers/lifecycle.py and telling its reporters.

The ticket a code names is looked up first, so that the message names it whatever comes of the command;
a code that does not exist and one the role may not know of answer alike. A ticket moves only forward
(`MOVES_FROM`); TOLAK, TERUSKAN and BUKAN need a note for the reporter (`NOTE_REQUIRED`).
"""

from handlers import lifecycle, rights, tickets
from handlers.rights import Right
from handlers.staff_commands.commands import TicketChange
from handlers.staff_commands.turn import Turn
from models import TicketStatus
from models.texts import STAFF_ROLE_NAMES, STAFF_STATUS_NAMES, STAFF_USAGE
from models.texts import StaffText as s
from models.ticket import STATUS_LABELS

NOTE_REQUIRED = frozenset({"tolak", "teruskan", "bukan"})  # the reporter is told why, or to whom
NOTE_MISSING = {"tolak": s.REASON_MISSING, "teruskan": s.FORWARD_MISSING, "bukan": s.NOT_OURS_MISSING}
# The statuses each verb may move a ticket from: never backwards, never a merged duplicate; PROSES also
# reopens a closed ticket, as lifecycle allows.
MOVES_FROM: dict[TicketStatus, tuple[TicketStatus, ...]] = {
    TicketStatus.DIVERIFIKASI: (TicketStatus.BARU,),
    TicketStatus.DIPROSES: tuple(
        st for st in TicketStatus if st not in (TicketStatus.DIPROSES, TicketStatus.DUPLIKAT)
    ),
    TicketStatus.SELESAI: lifecycle.OPEN,
    TicketStatus.DITOLAK: lifecycle.OPEN,
    TicketStatus.DITERUSKAN: lifecycle.OPEN,
    TicketStatus.BUKAN_WEWENANG: lifecycle.OPEN,
}


def change_ticket(turn: Turn, command: TicketChange) -> str:
    """VERIF, PROSES, SELESAI, TOLAK, TERUSKAN, BUKAN: move a ticket, with a note for its reporters."""
    verb = command.verb.upper()
    ticket = None
    if command.code is not None:
        # The message is about this ticket whatever comes of it (the message log hides it from those
        # who may not see the ticket); one the sender may not see is not named at all.
        found = tickets.get_by_code(session=turn.session, village_id=turn.village.id, code=command.code)
        if found is not None and rights.sees_ticket(turn.role, found):
            ticket, turn.ticket_id = found, found.id
    if not rights.can(turn.role, Right.TICKET_ACT):
        return turn.not_allowed("ticket")
    if command.code is None:
        return s.CODE_MISSING.format(verb=verb) if command.pin else STAFF_USAGE["ticket"].format(verb=verb)
    if command.pin is None:
        return s.PIN_MISSING.format(example=f"{verb} {command.code} 1234 catatan")
    if command.verb in NOTE_REQUIRED and not command.note:
        return NOTE_MISSING[command.verb].format(code=command.code)
    refused = turn.check_pin(command.pin)
    if refused is not None:
        return refused
    target = f"ticket:{command.code}"
    if ticket is None:
        # The same answer for a code that does not exist and one this role may not know of.
        turn.refuse(command.verb, "not_found", target)
        return s.TICKET_UNKNOWN.format(code=command.code)
    if not rights.acts_on_ticket(turn.role, ticket):
        turn.refuse(command.verb, "not_actionable", target)
        return s.TICKET_NOT_YOURS.format(code=ticket.code, role=STAFF_ROLE_NAMES[turn.role.value])
    # Two staff changing one ticket at once must not both pass the status check (PostgreSQL).
    turn.session.refresh(ticket, with_for_update=True)
    if ticket.status not in MOVES_FROM[command.to]:
        turn.refuse(command.verb, f"status_{ticket.status.value}", target)
        # "sudah berstatus diproses": the staff's names read after "sudah" ("sedang diproses" does not).
        status = STAFF_STATUS_NAMES[ticket.status.value]
        return s.TICKET_UNCHANGED.format(code=ticket.code, status=status)
    before = ticket.status
    told = lifecycle.change_status(
        session=turn.session,
        ticket=ticket,
        to=command.to,
        actor=lifecycle.Actor(turn.actor.name, turn.role),
        now=turn.now,
        routes=turn.routes(),
        public_note=command.note or None,
    )
    turn.record(
        "ticket.status",
        target,
        **{"from": before.value, "to": command.to.value, "note": bool(command.note)},
    )
    changed = s.TICKET_CHANGED if told else s.TICKET_CHANGED_UNTOLD
    return changed.format(code=ticket.code, status=STATUS_LABELS[command.to])
