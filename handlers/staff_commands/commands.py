"""The staff commands as the grammar reads them: one frozen dataclass per command, and what each needs.

A command with parts missing is still a command (None or "" where the text did not say), so that the
reply can say what is missing. `pin_of` is the number to mask in the stored message, `right_of` the
right (handlers/rights.py) a command needs.
"""

from dataclasses import dataclass
from datetime import datetime

from handlers.rights import Right
from models import BroadcastKind, MeetingKind, TicketStatus

TICKET_VERBS: dict[str, TicketStatus] = {
    "verif": TicketStatus.DIVERIFIKASI,
    "proses": TicketStatus.DIPROSES,
    "selesai": TicketStatus.SELESAI,
    "tolak": TicketStatus.DITOLAK,
    "teruskan": TicketStatus.DITERUSKAN,
    "bukan": TicketStatus.BUKAN_WEWENANG,
}


@dataclass(frozen=True, slots=True)
class Menu:
    """STAF: the menu, or one command's example (`topic`: a USAGE key); also the answer to a command
    word followed by a number when the rest does not read (`pin`: that number, masked when stored)."""

    topic: str | None = None
    pin: str | None = None
    broadcasters: bool = False  # RAPAT / SIARAN / DARURAT without a PIN: the example only for who may send
    verb: str = "VERIF"  # the ticket command the example shows


@dataclass(frozen=True, slots=True)
class ListTickets:
    """TIKET / TELAT: one page of the open (or overdue) tickets."""

    overdue: bool
    page: int = 1


@dataclass(frozen=True, slots=True)
class Lookup:
    """LIHAT / TIKET <kode>: one ticket, read-only (`pin`: one typed out of habit, masked, not checked)."""

    code: str
    pin: str | None = None


@dataclass(frozen=True, slots=True)
class Digest:
    """RINGKASAN: the digest of the last 24 hours."""


@dataclass(frozen=True, slots=True)
class TicketChange:
    """VERIF / PROSES / SELESAI / TOLAK / TERUSKAN / BUKAN: move a ticket, with a note for its reporters."""

    verb: str
    code: str | None
    pin: str | None
    note: str = ""

    @property
    def to(self) -> TicketStatus:
        """The status the verb moves a ticket to."""
        return TICKET_VERBS[self.verb]


@dataclass(frozen=True, slots=True)
class NewMeeting:
    """RAPAT: a meeting to announce (after YA); None or "" where the text did not say."""

    pin: str | None
    starts_at: datetime | None
    title: str = ""
    place: str = ""
    agenda: str = ""
    kind: MeetingKind = MeetingKind.LAINNYA
    dusun: str | None = None


@dataclass(frozen=True, slots=True)
class Broadcast:
    """SIARAN / DARURAT: a text for every subscriber (after YA)."""

    pin: str | None
    text: str
    kind: BroadcastKind = BroadcastKind.UMUM


@dataclass(frozen=True, slots=True)
class Confirm:
    """YA: send what waits (`pin`: a number typed after it, masked, not checked)."""

    pin: str | None = None


@dataclass(frozen=True, slots=True)
class Cancel:
    """BATAL: drop what waits (`pin`: as for YA)."""

    pin: str | None = None


@dataclass(frozen=True, slots=True)
class Aside:
    """A short message that starts like an answer to YA / BATAL but is neither ("ya tapi besok"): while
    something waits, it is told that nothing was sent; otherwise it is a resident's message."""

    pin: None = None


@dataclass(frozen=True, slots=True)
class ListMeetings:
    """RAPAT alone: the meetings ahead, with the numbers PINDAH and BATAL take."""


@dataclass(frozen=True, slots=True)
class ChangeMeeting:
    """RAPAT PINDAH <no> <PIN> <tanggal> <jam> / RAPAT BATAL <no> <PIN>: move a meeting to a new time,
    or call it off (after YA); None where the text did not say."""

    cancel: bool
    meeting_id: int | None
    pin: str | None
    starts_at: datetime | None = None


Command = (
    Menu
    | ListTickets
    | Lookup
    | Digest
    | TicketChange
    | NewMeeting
    | ListMeetings
    | ChangeMeeting
    | Broadcast
    | Confirm
    | Cancel
    | Aside
)


def pin_of(command: Command) -> str | None:
    """The number a command holds that may be a PIN: masked in the stored message."""
    return None if isinstance(command, ListTickets | Digest | ListMeetings) else command.pin


def right_of(command: Command) -> Right | None:
    """The right a command needs (None: any staff member may send it)."""
    if isinstance(command, ListTickets | Lookup):
        return Right.READ
    if isinstance(command, Digest):
        return Right.DIGEST
    if isinstance(command, TicketChange):
        return Right.TICKET_ACT
    if isinstance(command, NewMeeting | ListMeetings | ChangeMeeting | Broadcast):
        return Right.BROADCAST
    return None
