"""Staff by text message: registered staff numbers work from a feature phone by SMS or WhatsApp.

The grammar. The first word is the command, in any case (quotes or punctuation before it are skipped);
`#`, `*`, `,`, `;`, `:`, `/`, `=` and `_` separate the numbers after it as well as spaces do, and the words
KODE, PIN, NO, NOMOR before them are skipped, also glued ("pin1234", "kode482913"). A ticket command
whose PIN is not after the code may end its note with "PIN 1234".
Digits are ASCII 0-9 only: superscripts and other scripts' digits are not numbers here.

    STAF | BANTUAN STAF | MENU STAF     the menu for the sender's role (only the commands it may use);
                                        STAF RAPAT (etc.): an example
    TIKET [hal]                         open tickets the role may see, newest first, in one-SMS pages;
                                        a page beyond 999 is no such page
    TELAT [hal]                         overdue tickets (also TERLAMBAT)
    LIHAT <kode> | TIKET <kode>         one ticket in one SMS: code, category, status, dusun/RT/RW, the
                                        deadline (verify or act; "lewat batas" when overdue) and its text
                                        cut to fit; never who reported it. TIKET with exactly 6 digits is
                                        a code, a shorter number a page. No PIN (a PIN typed after the
                                        code out of habit is not checked, only masked)
    RINGKASAN                           the digest of the last 24 hours (also REKAP): Kades, BPD, operator
    VERIF | PROSES | SELESAI | TOLAK | TERUSKAN | BUKAN  <kode> <PIN> [catatan]
                                        also VERIFIKASI, DIPROSES, TUTUP, DITOLAK, DITERUSKAN, BUKAN
                                        WEWENANG. The code is exactly 6 digits, the PIN 4 to 6: in either
                                        order, and when both have 6 digits the first is the code. The
                                        note goes to the reporter; TOLAK (the reason), TERUSKAN (to whom:
                                        diteruskan) and BUKAN (why: bukan_wewenang) need one.
    RAPAT <PIN> <tanggal> <jam> <tempat> <acara> [agenda <agenda>]
                                        tanggal: 12/12, 12-12-2026, 12.12.2026, 12 Des, besok, lusa, hari
                                        ini, senin..minggu (the next such day; today while the hour is
                                        ahead); jam: 19.30, 19:30, jam 19, jam 7 malam, pukul 9 pagi;
                                        either first. The acara starts at its first meeting word (Musdes,
                                        Musdus, Musrenbangdes, Musdesus, Rapat, Musyawarah, Pertemuan,
                                        Sosialisasi), the place is before it; or "<acara> di <tempat>".
                                        At most a year ahead (366 days): a later date is refused.
    SIARAN <PIN> <teks>                 a general (umum) broadcast to every subscriber
    DARURAT <PIN> <teks>                an emergency broadcast: not held for quiet hours
    YA | BATAL                          send or drop the RAPAT / SIARAN / DARURAT waiting for it; also
                                        IYA, YAA, OK, OKE, SIAP with polite words (pak, bu, betul, silakan,
                                        kirim, sekarang, lanjut) and BATAL, JANGAN, TIDAK JADI

Typing slips. A command word of 4 letters or more may have one typo ("VERIFY", "selesei", "STAFF"), read
with handlers/understand.py's keyword tolerance (words residents use, their keywords and SMS
abbreviations are never read as a slip); YA and BATAL must be exact. The command word may be glued to
the number after it ("verif806317 1234"). A slipped or glued word is a command only when a number
follows it, like the words residents use (below); STAFF alone is still the menu and TIKET-like words
keep their own rule.

When a message is a command. Only a first word from the list above (or nearly) makes us look the sender
up, and only when the message reads as a command, so ordinary traffic costs no query. A message from a
number that is neither an active staff number of the village nor an active operator's is a resident's
message, whatever it says. From a staff number, STAF is a command alone, before a command word ("STAF
RAPAT") or a page number; TIKET, TELAT and RINGKASAN when nothing but a page number (or "hari ini"; after
TIKET, a ticket code) follows (RINGKASAN and STAF have one page: "RINGKASAN 2" is the digest); VERIF
and words residents also use (PROSES, SELESAI, TUTUP, TOLAK, TERUSKAN, BUKAN, LIHAT, RAPAT, SIARAN,
DARURAT) only when a number follows them (VERIF alone is its example), so that
"verifikasi data bansos gimana" is still a question. RAPAT, SIARAN and DARURAT followed by text but no
PIN answer with their example for a role that may broadcast, and are a resident's message from one that
may not ("rapat musdes kapan?" from the head). A year (19xx, 20xx) followed by words is no PIN in a
command the role may not use ("Rapat 2026 kapan ya pak"). Any message holding the code of one of the
village's tickets and another number of 4 to 6 digits ("Sdh selesai 482913 1234", "slsai 482913 1234")
is a malformed command: the answer is the example of the command a word of it names (or the menu), the
other number is masked as a PIN, and it is never a ticket. The natural answers above only while
something waits for them, otherwise they are read as a resident's; YA (IYA, Y, YA KIRIM) and BATAL
(BATALKAN, BATAL KIRIM) with nothing waiting are told so when the role may broadcast (the head's YA
never confirms anything: it is a resident's), unless the number's own complaint was just asked "sudah
beres?" (then that YA is the reporter's answer). But a
command word followed at once by a number of 4 to 6 digits (a PIN, or a code) is always a command:
when the rest does not read, the answer is that command's example, so that a slip never turns a PIN
into a complaint ticket. YA or BATAL with such a number sends or drops what waits (the number is not
checked), or says that nothing does.

The operator. The operator belongs to no village: an active operator with the number acts on the village
the message was sent to (when none of that village's own staff has it), with every right, and the
audit entries carry that village. What waits for YA belongs to the village it was asked in.

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

Replies fit one GSM-7 SMS. What staff typed and a reply says back (a meeting's title and place, a
complaint's text in LIHAT) goes through broadcasts.sms.sanitize, and what has no GSM-7 form (emoji,
other scripts) is left out, so that an echo never turns a reply into a 70-character UCS-2 one; echoes
are cut by septets (an extension character such as [ or ] takes two). A meeting's title, place and
agenda are stored so filtered, as SIARAN's text is, so that the invitation reads as the confirmation.

What YA creates is left to the scheduler to send. A broadcast is stored `scheduled` for now (or waits
for approval when the village asks for it for that kind) and the scheduler's sweep fires it within
half a minute, holding it through quiet hours unless it is an emergency. We do not fire it here:
routing needs the channels this deployment sends on, which only the process edge knows, and a fan-out
to every subscriber must not sit inside the inbound transaction that other residents' messages share.

The PIN is not kept: once a command that carries one is handled (right PIN or wrong, locked or
refused), the stored message's text and the provider's payload have it masked as ****, since the message
log shows message bodies to other staff. Only the token read as the PIN is masked, not a ticket code
with the same digits. A ticket command names its ticket on the message (Handled.ticket_id) when the
sender may know of it, so that the message log can hide it from those who may not.

Rights come from handlers/rights.py: a complaint about the head does not exist for the head or a cadre
(its code answers exactly as an unknown one), the BPD acts only on those, the head cannot broadcast,
a cadre gets no digest. Every action and every refusal is in the audit log; wrong PINs are counted and
locked by handlers/staff.py.
"""

import dataclasses
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, select, update
from sqlmodel import Session, col

from broadcasts import audience, digest, meetings, runs, service, sms, timing
from broadcasts.audience import Audience
from broadcasts.fanout import VillageRoutes
from handlers import audit, lifecycle, rights, tickets
from handlers import staff as staff_people
from handlers.contacts import ContactState, VillageInfo
from handlers.inbound import InboundMessage
from handlers.normalize import ABBREVIATIONS
from handlers.rights import Right
from handlers.understand import KNOWN_WORDS as RESIDENT_WORDS  # residents' words: never a slip
from handlers.understand import deletion_index, deletions  # the keyword typo scheme residents get
from handlers.understand import keyword_of as resident_keyword
from models import Broadcast as BroadcastRow
from models import (
    BroadcastKind,
    BroadcastStatus,
    Channel,
    Contact,
    DigestPeriod,
    Direction,
    IdentityKind,
    Meeting,
    MeetingKind,
    Message,
    Pending,
    Role,
    Staff,
    Ticket,
    TicketStatus,
    Village,
)
from models.phone import hide_personal
from models.texts import (
    MONTHS as MONTH_NAMES,
)
from models.texts import (
    STAFF_CATEGORY_SHORT,
    STAFF_DUE_STAGES,
    STAFF_MENU_PARTS,
    STAFF_ROLE_NAMES,
    STAFF_STATUS_NAMES,
    STAFF_STATUS_SHORT,
    STAFF_USAGE,
    STAFF_WHAT,
    format_date,
    format_rupiah,
    format_when,
    zone_name,
)
from models.texts import StaffText as s
from models.ticket import STATUS_LABELS

INTENT = "staff"  # Message.intent of a staff command
CONFIRM_WAIT = timedelta(minutes=15)
SMS_ROOM = 160  # one GSM-7 SMS
LIST_LIMIT = 200  # tickets listed at most; a village has far fewer open ones
NOTE_LIMIT = 500  # characters of a note kept on the ticket
ACARA_ROOM, TEMPAT_ROOM = 32, 25  # characters of a meeting's title and place in a one-SMS reply
MEETING_HORIZON = timedelta(days=366)  # a meeting further ahead than this is a typing slip
_MESSAGE: Table = Message.__table__  # type: ignore[attr-defined]

# --- grammar (pure functions) --------------------------------------------------------------------

ALIASES = {
    "STAF": "menu",
    "TIKET": "list",
    "TELAT": "overdue",
    "TERLAMBAT": "overdue",
    "LIHAT": "lihat",
    "RINGKASAN": "digest",
    "REKAP": "digest",
    "VERIF": "verif",
    "VERIFIKASI": "verif",
    "PROSES": "proses",
    "DIPROSES": "proses",
    "SELESAI": "selesai",
    "TUTUP": "selesai",
    "TOLAK": "tolak",
    "DITOLAK": "tolak",
    "TERUSKAN": "teruskan",
    "DITERUSKAN": "teruskan",
    "BUKAN": "bukan",
    "RAPAT": "rapat",
    "SIARAN": "siaran",
    "DARURAT": "darurat",
    "YA": "ya",
    "IYA": "ya",
    "Y": "ya",
    "BATAL": "batal",
    "BATALKAN": "batal",
}
MENU_PREFIXES = frozenset({"BANTUAN", "MENU", "HELP"})  # ... followed by STAF
SECOND_WORDS = {"bukan": frozenset({"WEWENANG", "WWN"})}  # BUKAN WEWENANG is BUKAN
TICKET_VERBS: dict[str, TicketStatus] = {
    "verif": TicketStatus.DIVERIFIKASI,
    "proses": TicketStatus.DIPROSES,
    "selesai": TicketStatus.SELESAI,
    "tolak": TicketStatus.DITOLAK,
    "teruskan": TicketStatus.DITERUSKAN,
    "bukan": TicketStatus.BUKAN_WEWENANG,
}
NOTE_REQUIRED = frozenset({"tolak", "teruskan", "bukan"})  # the reporter is told why, or to whom
# The statuses each verb may move a ticket from: never backwards, never a merged duplicate; PROSES also
# reopens a closed ticket, as lifecycle allows.
_OPEN = (TicketStatus.BARU, TicketStatus.DIVERIFIKASI, TicketStatus.DIPROSES)
MOVES_FROM: dict[TicketStatus, tuple[TicketStatus, ...]] = {
    TicketStatus.DIVERIFIKASI: (TicketStatus.BARU,),
    TicketStatus.DIPROSES: tuple(
        st for st in TicketStatus if st not in (TicketStatus.DIPROSES, TicketStatus.DUPLIKAT)
    ),
    TicketStatus.SELESAI: _OPEN,
    TicketStatus.DITOLAK: _OPEN,
    TicketStatus.DITERUSKAN: _OPEN,
    TicketStatus.BUKAN_WEWENANG: _OPEN,
}
# Words that may only be commands when a number follows (residents write them too).
NEEDS_NUMBER = frozenset(
    {"verif", "proses", "selesai", "tolak", "teruskan", "bukan", "lihat", "rapat", "siaran", "darurat"}
)
# Without a PIN, these are still the command's example for a role that may broadcast (never a ticket).
BROADCAST_COMMANDS = frozenset({"rapat", "siaran", "darurat"})
CONFIRM_WORDS = frozenset({"ya", "iya", "y", "ya kirim", "iya kirim", "ya umumkan"})
CANCEL_WORDS = frozenset({"batal", "batalkan", "batal kirim"})
# BATAL with nothing waiting is told so; not BATALKAN, which from a resident means "unsubscribe me".
NOTHING_TO_CANCEL_WORDS = CANCEL_WORDS - {"batalkan"}
WAITING_NOTE = "staff:waiting"  # the stored note of a message answered "still waiting for YA"
# Natural answers to "Balas YA ... atau BATAL" (on the plain text): only read while something waits.
_POLITE = r"(?:\s+(?:pak|bu|bapak|ibu|mas|mbak|betul|benar|bener|silakan|silahkan|kirim|kirimkan|umumkan|"
_POLITE += r"sekarang|skrg|lanjut|lanjutkan|saja|aja|deh|dong|ya|sip|terima kasih|makasih|trims))*"
CONFIRM_PHRASE = re.compile(rf"(?:ya+|iya+|y|ok+|oke+|okay|okey|siap|sip){_POLITE}")
_NOT_NOW = r"(?:\s+(?:kirim|dikirim|dulu))?"
CANCEL_PHRASE = re.compile(
    rf"(?:batal|batalkan|jangan|jgn|(?:tidak|tdk|gak|ga|gk|nggak|ngga|enggak|ndak) jadi){_NOT_NOW}{_POLITE}"
)
ANSWER_WORDS = 6  # a longer message is not an answer to YA / BATAL
DIGEST_TAILS = frozenset({"", "hari ini", "hr ini", "harian"})
_FILLERS = frozenset({"kode", "kd", "pin", "no", "nomor", "nomer"})
_SEPARATORS = " \t\r\n#*,;:/=.-_"

# Before the command word: spaces, markup and stray quotes or punctuation ("‘selesai ...", "*VERIF*").
_LEAD = r"[\s*_~\"'`‘’“”«»()\[\].,;:!?#>-]*"
_FIRST_WORD = re.compile(_LEAD + r"([A-Za-z]+)[*_~]*(?=[\s#*,;:/=.!?_-]|$)")
_GLUED_WORD = re.compile(_LEAD + r"([A-Za-z]+)(?=[0-9])")  # "verif806317"
_HEAD_TOKEN = re.compile(r"[\s#*,;:/=._\-]*([^\s#*,;:/=_]+)")
_GLUED_FILLER = re.compile(r"(kode|kd|pin|no|nomor|nomer)([0-9]+)")  # "pin1234", "kode482913"
_TRAILING_PIN = re.compile(r"(?:^|[\s#*,;:/=._-])pin[\s#*,;:/=._-]*([0-9]{4,6})(?![0-9])", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![0-9])[0-9]{4,6}(?![0-9])")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
# Shortened command words seen with a ticket code and a PIN: an example is the answer, never a ticket.
_SHORTENED = {
    "slsai": "selesai",
    "sls": "selesai",
    "sles": "selesai",
    "slse": "selesai",
    "trskn": "teruskan",
    "trsk": "teruskan",
    "terus": "teruskan",
    "vrf": "verif",
    "vrfk": "verif",
    "verf": "verif",
    "prs": "proses",
    "prses": "proses",
    "tlk": "tolak",
    "tlak": "tolak",
}
_PAGE = re.compile(r"(?:hal(?:aman)?\.?\s*)?([0-9]+)", re.IGNORECASE)
PAGE_LIMIT = 999  # a page number beyond this is "no such page" whatever the list's length
PAGE_DIGITS = 20  # a longer page number is answered as PAGE_LIMIT + 1
MASK = "****"  # what a PIN is replaced with in the stored message

# --- typing slips: one typo in a command word of 4+ letters, as residents' keywords are forgiven ---------

_EXACT_ONLY = frozenset({"YA", "IYA", "Y", "BATAL", "BATALKAN"})  # a slip must never send or drop
_SPELLINGS = {
    spelling.lower(): name
    for spelling, name in ALIASES.items()
    if len(spelling) >= 4 and spelling not in _EXACT_ONLY
}
# Everyday words one slip away from a command word that residents' vocabulary does not list.
_NOT_SLIPS = frozenset({"telah", "tepat", "saran", "sarana", "lipat", "diprotes", "terusan", "rekam"})


_SLIPS = deletion_index(_SPELLINGS)  # one deletion from each command spelling -> its command


def near_command(word: str) -> str | None:
    """The command a word one typo away from a command word names; None for any word residents use."""
    token = word.lower()
    if not 3 <= len(token) <= 11 or not token.isalpha() or token in _SPELLINGS:
        return None
    if token in RESIDENT_WORDS or token in ABBREVIATIONS or token in _NOT_SLIPS:
        return None
    hit = _SLIPS.get(token)  # a letter missing
    if hit is None:
        for deleted in deletions(token):  # a letter too many, changed, or two swapped
            hit = _SPELLINGS.get(deleted) if len(deleted) >= 4 else None
            hit = hit or _SLIPS.get(deleted)
            if hit is not None:
                break
    if hit is None or resident_keyword(token) is not None:  # "lapor" slipped is still a resident's
        return None
    return hit


def is_digits(text: str) -> bool:
    """Whether `text` is ASCII digits only: superscripts and other scripts' digits are not numbers here
    (str.isdigit takes '²⁰²⁶', which int() refuses)."""
    return text.isascii() and text.isdecimal()


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


Command = (
    Menu | ListTickets | Lookup | Digest | TicketChange | NewMeeting | Broadcast | Confirm | Cancel | Aside
)


def pin_of(command: Command) -> str | None:
    """The number a command holds that may be a PIN: masked in the stored message."""
    return None if isinstance(command, ListTickets | Digest) else command.pin


def right_of(command: Command) -> Right | None:
    """The right a command needs (None: any staff member may send it)."""
    if isinstance(command, ListTickets | Lookup):
        return Right.READ
    if isinstance(command, Digest):
        return Right.DIGEST
    if isinstance(command, TicketChange):
        return Right.TICKET_ACT
    if isinstance(command, NewMeeting | Broadcast):
        return Right.BROADCAST
    return None


_ANSWER_START = re.compile(r"ya+|iya+|y|ok+|oke+|okay|okey|siap|sip|batal|batalkan|jangan|jgn")


def answer_of(text: str) -> Command | None:
    """A natural answer to "Balas YA ... atau BATAL" ("ya pak", "oke kirim", "tidak jadi"), or a short
    message that starts like one (Aside); None for any other message. Pure and cheap."""
    if any(ch.isdigit() for ch in text):
        return None
    plain = _plain(text)
    words = plain.split()
    if not words or len(words) > ANSWER_WORDS:
        return None
    if CONFIRM_PHRASE.fullmatch(plain):
        return Confirm()
    if CANCEL_PHRASE.fullmatch(plain):
        return Cancel()
    return Aside() if _ANSWER_START.fullmatch(words[0]) else None


def numbers_in(text: str) -> list[tuple[str, int]]:
    """Every number of 4 to 6 ASCII digits in `text` (however it is glued), with where it starts."""
    return [(m.group(), m.start()) for m in _NUMBER.finditer(text)]


def code_with_number(text: str) -> bool:
    """Whether `text` holds a 6-digit number (perhaps a ticket's code) and another of 4 to 6 digits (perhaps
    a PIN): from a staff number, a malformed command. Pure and cheap."""
    numbers = numbers_in(text)
    return len(numbers) >= 2 and any(len(number) == 6 for number, _ in numbers)


def command_named_in(text: str) -> str | None:
    """The command any word of a malformed message names ("Sdh selesai ...", "slsai ..."), or None."""
    for word in re.findall(r"[A-Za-z]+", text):
        name = _SHORTENED.get(word.lower())
        found = (name, True) if name is not None else _command_word(word.upper())
        if found is not None and _usage_key(found[0]) is not None:
            return found[0]
    return None


@dataclass(frozen=True, slots=True)
class Head:
    """A message's command word: which command, where the text after it starts, and whether it was
    written as listed (not slipped, not glued to a number)."""

    name: str
    end: int
    exact: bool


def _first_word(text: str) -> tuple[str, int] | None:
    match = _FIRST_WORD.match(text)
    return (match.group(1).upper(), match.end()) if match else None


def _command_word(word: str) -> tuple[str, bool] | None:
    """The command an (upper case) word names and whether exactly; None for none."""
    name = ALIASES.get(word)
    if name is not None:
        return name, True
    near = near_command(word)
    return (near, False) if near is not None else None


def head(text: str) -> Head | None:
    """The staff command a message's first word names, or None; pure and cheap, before any query."""
    first = _first_word(text)
    if first is None:
        glued = _GLUED_WORD.match(text)
        found = _command_word(glued.group(1).upper()) if glued else None
        if glued is None or found is None or found[0] in ("menu", "ya", "batal"):
            return None
        return Head(found[0], glued.end(), exact=False)
    word, end = first
    found = _command_word(word)
    if found is None:
        if word in MENU_PREFIXES:
            second = _first_word(text[end:])
            staf = _command_word(second[0]) if second is not None else None
            if second is not None and staf is not None and staf[0] == "menu":
                return Head("menu", end + second[1], staf[1])
        return None
    name, exact = found
    second = _first_word(text[end:])
    if second is not None and second[0] in SECOND_WORDS.get(name, ()):
        end += second[1]
    return Head(name, end, exact)


def may_concern_staff(text: str, contact: ContactState, now: datetime) -> bool:
    """Whether to look the sender up as staff: the message has a staff keyword (`keyword`), or a command
    from this number waits for YA (`confirmation_waits`). Neither costs a query."""
    return keyword(text) is not None or confirmation_waits(contact, now)


def confirmation_waits(contact: ContactState, now: datetime) -> bool:
    """Whether a RAPAT / SIARAN / DARURAT from this number waits for YA, as mirrored on its contact (the
    staff row decides; the mirror only saves ordinary messages the lookup)."""
    return contact.staff_waits_until is not None and contact.staff_waits_until >= now


def keyword(text: str) -> str | None:
    """What a message may be from a staff number, or None; pure and cheap, before any query: the command
    its first word names (or nearly), "ya" / "batal" / "aside" for a natural answer to YA (or a short
    message that starts like one), "unclear" for a 6-digit number with another 4 to 6 digit one (a
    malformed command). A message with no digits costs a query only when it reads as an answer."""
    found = head(text)
    if found is not None:
        return found.name
    answer = answer_of(text)
    if answer is not None:
        return "ya" if isinstance(answer, Confirm) else "batal" if isinstance(answer, Cancel) else "aside"
    return "unclear" if code_with_number(text) else None


def _number_tokens(text: str, pos: int, most: int) -> tuple[list[tuple[str, int]], int]:
    """Up to `most` numbers of 4 to 6 digits from `pos` on (KODE, PIN, NO skipped), each with where it
    starts in `text`, and where the text after them starts."""
    found = list[tuple[str, int]]()
    while len(found) < most:
        match = _HEAD_TOKEN.match(text, pos)
        if match is None:
            break
        token = match.group(1)
        bare = token.strip(".-").lower()
        start = match.start(1) + len(token) - len(token.lstrip(".-"))
        if bare in _FILLERS:
            pos = match.end()
            continue
        glued = _GLUED_FILLER.fullmatch(bare)
        if glued is not None:  # "pin1234", "kode482913"
            start += len(glued.group(1))
            bare = glued.group(2)
        if is_digits(bare) and 4 <= len(bare) <= 6:
            found.append((bare, start))
            pos = match.end()
            continue
        break
    return found, pos


def leading_numbers(body: str, most: int) -> tuple[list[str], str]:
    """Up to `most` leading numbers of 4 to 6 digits (KODE, PIN, NO skipped), and the text after them."""
    found, pos = _number_tokens(body, 0, most)
    return [number for number, _ in found], body[pos:].lstrip(_SEPARATORS)


def _code_and_pin_at(numbers: Sequence[str]) -> tuple[int | None, int | None]:
    if not numbers:
        return None, None
    if len(numbers) == 1:
        return (0, None) if len(numbers[0]) == 6 else (None, 0)
    if len(numbers[0]) == 6:
        return 0, 1
    if len(numbers[1]) == 6:
        return 1, 0
    return None, 0


def code_and_pin(numbers: Sequence[str]) -> tuple[str | None, str | None]:
    """Which number is the ticket code (exactly 6 digits) and which the PIN (4 to 6), in either order."""
    code, pin = _code_and_pin_at(numbers)
    return (
        numbers[code] if code is not None else None,
        numbers[pin] if pin is not None else None,
    )


def _stray(numbers: Sequence[str]) -> str | None:
    """Of numbers after a command that takes none, the one to mask: the PIN if one reads, else the first
    (a lone 6-digit number may be a PIN too: better masked than kept)."""
    return code_and_pin(numbers)[1] or (numbers[0] if numbers else None)


_ANY_TIME = datetime(2026, 1, 1, tzinfo=UTC)  # pin_span reads no dates


def pin_span(text: str) -> tuple[int, int] | None:
    """Where in `text` (as received, unstripped) is the PIN that `parse` reads in it; None for none."""
    command = parse(text, now_local=_ANY_TIME)
    pin = pin_of(command) if command is not None else None
    found = head(text)
    if pin is None or found is None:
        return None
    numbers, _ = _number_tokens(text, found.end, 2)
    at = _code_and_pin_at([number for number, _ in numbers])[1]
    if isinstance(command, NewMeeting | Broadcast) or at is None or numbers[at][0] != pin:
        at = next((i for i, (number, _) in enumerate(numbers) if number == pin), None)
    if at is None:
        trailing = _TRAILING_PIN.search(text, found.end)  # "selesai 482913 sudah beres pin 1234"
        if trailing is None or trailing.group(1) != pin:
            return None
        return trailing.start(1), trailing.end(1)
    start = numbers[at][1]
    return start, start + len(pin)


def mask_pin(text: str, pin: str) -> str:
    """`text` with `pin` masked: where the grammar reads it, when the text reads as the command (so that
    a ticket code with the same digits stays); otherwise every whole token of its digits."""
    span = pin_span(text)
    if span is not None and text[span[0] : span[1]] == pin:
        return text[: span[0]] + MASK + text[span[1] :]
    return re.sub(rf"(?<![0-9]){re.escape(pin)}(?![0-9A-Za-z])", MASK, text)


def masked(value: Any, pin: str) -> Any:
    """A JSON value (a provider's payload) with `pin` masked in every string in it."""
    if isinstance(value, str):
        return mask_pin(value, pin)
    if isinstance(value, Mapping):
        return {key: masked(item, pin) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [masked(item, pin) for item in value]
    return value


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def parse(text: str, *, now_local: datetime, dusun_names: Sequence[str] = ()) -> Command | None:
    """The staff command in `text`, or None when it is to be read as a resident's message.

    `now_local` (in the village's zone) resolves RAPAT's relative dates; `dusun_names` find a Musdus's
    dusun. A command with parts missing is still returned (with None or ""), for a reply that says
    what is missing; a command word followed by a number that reads as nothing else is its example.
    """
    answer = answer_of(text)
    if isinstance(answer, Confirm | Cancel):
        return answer
    found = head(text)
    if found is None:
        return answer
    body = text[found.end :].strip()
    command = _parse_body(found, body, text, now_local, dusun_names)
    if command is None:
        numbers, _ = leading_numbers(body, 2)
        if numbers:  # a PIN (or a code) typed after a command word: never a resident's message
            return Menu(_usage_key(found.name), _stray(numbers))
    return command if command is not None else answer


def _parse_body(
    found: Head, body: str, text: str, now_local: datetime, dusun_names: Sequence[str]
) -> Command | None:
    name = found.name
    needs_number = name in NEEDS_NUMBER or not found.exact
    if name == "menu":
        if _page_only(body):
            return Menu()  # "STAF 2": the menu has one page
        topic_head = head(body) if body else None
        topic = _usage_key(topic_head.name) if topic_head is not None else None
        numbers, _ = leading_numbers(body, 2)
        if topic is None and body and not numbers:
            return None  # "staf desa tidak ada di kantor": a resident's
        return Menu(topic, None if topic else _stray(numbers))
    if name in ("list", "overdue"):
        if not body:
            return ListTickets(overdue=name == "overdue")
        code, pin = code_and_pin(leading_numbers(body, 2)[0])
        if name == "list" and code is not None:  # TIKET 482913: LIHAT by its other name
            return Lookup(code, pin)
        page = _PAGE.fullmatch(body.strip(" .!?"))
        if page is None:
            return None
        # Kept as typed for the "no such page" reply, up to what fits it; never int() of thousands of digits.
        digits = page.group(1).lstrip("0") or "0"
        number = int(digits) if len(digits) <= PAGE_DIGITS else PAGE_LIMIT + 1
        return ListTickets(name == "overdue", max(number, 1))
    if name == "digest":
        # "RINGKASAN 2": the digest is one SMS, so a page number asks for it all the same.
        return Digest() if _plain(body) in DIGEST_TAILS or _page_only(body) else None
    if name in ("ya", "batal"):
        plain = _plain(text)
        numbers, _ = leading_numbers(body, 2)
        if name == "ya":
            return Confirm(_stray(numbers)) if plain in CONFIRM_WORDS or numbers else None
        return Cancel(_stray(numbers)) if plain in CANCEL_WORDS or numbers else None

    if name in TICKET_VERBS or name == "lihat":
        numbers, rest = leading_numbers(body, 2)
        if not numbers and needs_number:
            # VERIF alone asks for its format; "verifikasi data bansos gimana" is a question.
            return Menu("ticket") if name == "verif" and found.exact and not body else None
        code, pin = code_and_pin(numbers)
        if name == "lihat":
            return Lookup(code, pin) if code is not None else None
        trailing = _TRAILING_PIN.search(rest) if pin is None and code is not None else None
        if trailing is not None:  # "SELESAI 482913 sudah beres PIN 1234"
            pin, rest = trailing.group(1), rest[: trailing.start()] + rest[trailing.end() :]
        return TicketChange(name, code, pin, rest.strip()[:NOTE_LIMIT])

    numbers, rest = leading_numbers(body, 1)
    if not numbers and needs_number:
        if name in BROADCAST_COMMANDS and found.exact:  # "DARURAT banjir ...": asks for the PIN
            return Menu(_usage_key(name), broadcasters=True)
        return None
    pin = numbers[0] if numbers else None
    if name in ("siaran", "darurat"):
        kind = BroadcastKind.DARURAT if name == "darurat" else BroadcastKind.UMUM
        return Broadcast(pin, rest.strip(), kind)
    return parse_meeting(rest, pin=pin, now_local=now_local, dusun_names=dusun_names)


def _page_only(body: str) -> bool:
    """Whether `body` is nothing but a page number ("2", "hal 2"): too short to be a PIN (1 to 3 digits)."""
    page = _PAGE.fullmatch(body.strip(" .!?"))
    return page is not None and len(page.group(1)) <= 3


def _usage_key(command: str) -> str | None:
    if command in TICKET_VERBS:
        return "ticket"
    return {
        "list": "list",
        "overdue": "list",
        "lihat": "lookup",
        "digest": "digest",
        "rapat": "meeting",
        "siaran": "broadcast",
        "darurat": "emergency",
    }.get(command)


# --- RAPAT: when, where, what ----------------------------------------------------------------------

MONTHS = {
    **dict.fromkeys(("jan", "januari"), 1),
    **dict.fromkeys(("feb", "februari", "pebruari", "peb"), 2),
    **dict.fromkeys(("mar", "maret"), 3),
    **dict.fromkeys(("apr", "april"), 4),
    "mei": 5,
    **dict.fromkeys(("jun", "juni"), 6),
    **dict.fromkeys(("jul", "juli"), 7),
    **dict.fromkeys(("agu", "agt", "agus", "agustus"), 8),
    **dict.fromkeys(("sep", "sept", "september"), 9),
    **dict.fromkeys(("okt", "oktober"), 10),
    **dict.fromkeys(("nov", "nop", "november", "nopember"), 11),
    **dict.fromkeys(("des", "desember"), 12),
}
WEEKDAYS = {
    "senin": 0,
    "selasa": 1,
    "rabu": 2,
    "kamis": 3,
    "jumat": 4,
    "jum'at": 4,
    "sabtu": 5,
    "minggu": 6,
    "ahad": 6,
}
RELATIVE_DAYS = {"hari ini": 0, "ini": 0, "nanti": 0, "besok": 1, "bsk": 1, "esok": 1, "lusa": 2}
PERIODS = frozenset({"pagi", "siang", "sore", "malam"})
_WHEN_FILLERS = frozenset({"tgl", "tanggal", "hari", "hr", "pada", "depan", "wib", "wita", "wit", ","})
_TIME_MARKERS = frozenset({"jam", "pukul", "pkl"})
_TIME = re.compile(r"([0-9]{1,2})[.:]([0-9]{2})(?:wib|wita|wit)?")
_DATE = re.compile(
    r"([0-9]{1,2})[/-]([0-9]{1,2})(?:[/-]([0-9]{4}|[0-9]{2}))?"
    r"|([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4}|[0-9]{2})"
)
MEETING_WORDS = frozenset(
    {
        "musdes",
        "musdus",
        "musrenbangdes",
        "musrenbang",
        "musdesus",
        "rapat",
        "musyawarah",
        "pertemuan",
        "sosialisasi",
    }
)


def _hour_in(hour: int, period: str | None) -> int | None:
    """A clock hour read with pagi / siang / sore / malam: 'jam 7 malam' is 19, '1 siang' is 13."""
    if (period == "siang" and hour < 11) or (period in ("sore", "malam") and 1 <= hour < 12):
        hour += 12
    if period == "malam" and hour == 12:
        return None  # midnight: no village meets then, and the date would be ambiguous
    return hour if 0 <= hour <= 23 else None


def parse_when(words: Sequence[str], now_local: datetime) -> tuple[datetime | None, int]:
    """Read a meeting's date and time from the leading `words` (lower case); returns it and how many
    words it took. None when the date or the hour is missing or impossible."""
    day: date | None = None
    weekday: int | None = None
    year_given = False
    hour: int | None = None
    minute = 0
    period: str | None = None
    expect_hour = False
    i = 0
    today = now_local.date()
    while i < len(words):
        word = words[i].strip(",;")
        following = words[i + 1].strip(",;") if i + 1 < len(words) else ""
        if not word or word in _WHEN_FILLERS:
            i += 1
            continue
        if word in _TIME_MARKERS:
            expect_hour = True
            i += 1
            continue
        if hour is None and (match := _TIME.fullmatch(word)):
            hour, minute = int(match.group(1)), int(match.group(2))
            i += 1
            continue
        if day is None and weekday is None and (match := _DATE.fullmatch(word)):
            d, m, y = (
                (match.group(1), match.group(2), match.group(3)) if match.group(1) else match.group(4, 5, 6)
            )
            year = (int(y) + 2000 if len(y) == 2 else int(y)) if y else today.year
            year_given = bool(y)
            try:
                day = date(year, int(m), int(d))
            except ValueError:
                return None, i
            i += 1
            continue
        if day is None and weekday is None and word == "hari" and following == "ini":
            day, i = today, i + 2
            continue
        if day is None and weekday is None and word in RELATIVE_DAYS:
            day = today + timedelta(days=RELATIVE_DAYS[word])
            year_given = True
            i += 1
            continue
        if day is None and weekday is None and word in WEEKDAYS:
            if word == "minggu" and following == "depan":
                return None, i  # "minggu depan" is "next week", not a day
            weekday = WEEKDAYS[word]
            i += 1
            continue
        if is_digits(word) and len(word) <= 2:
            if day is None and weekday is None and following in MONTHS:
                after = words[i + 2].strip(",;") if i + 2 < len(words) else ""
                year = int(after) if is_digits(after) and len(after) == 4 else today.year
                year_given = year != today.year or after == str(today.year)
                try:
                    day = date(year, MONTHS[following], int(word))
                except ValueError:
                    return None, i
                i += 3 if is_digits(after) and len(after) == 4 else 2
                continue
            if hour is None and (expect_hour or following in PERIODS):
                hour, minute, expect_hour = int(word), 0, False
                i += 1
                continue
        if word in PERIODS:
            period = word
            i += 1
            continue
        break
    if hour is None or (day is None and weekday is None):
        return None, i
    clock = _hour_in(hour, period)
    if clock is None or not 0 <= minute <= 59:
        return None, i
    zone = now_local.tzinfo
    if weekday is not None:
        day = today + timedelta(days=(weekday - today.weekday()) % 7)
        if datetime.combine(day, time(clock, minute), tzinfo=zone) <= now_local:
            day += timedelta(days=7)
    assert day is not None
    moment = datetime.combine(day, time(clock, minute), tzinfo=zone)
    if not year_given and moment < now_local - timedelta(days=1):
        try:  # "1/1" written in December means next January
            moment = moment.replace(year=moment.year + 1)
        except ValueError:
            return None, i
    return moment, i


def _meeting_kind(title: str) -> MeetingKind:
    words = _plain(title).split()
    first = words[0] if words else ""
    if first == "musdus":
        return MeetingKind.MUSDUS
    if first == "musdesus":
        return MeetingKind.MUSDESUS
    if first in ("musrenbangdes", "musrenbang"):
        return MeetingKind.MUSRENBANGDES
    if first == "musdes":
        return MeetingKind.MUSDES_RKPDES if "rkpdes" in words else MeetingKind.MUSDES
    return MeetingKind.LAINNYA


def place_and_title(text: str) -> tuple[str, str, str]:
    """Split what follows the date and time into (place, title, agenda); "" for a part not found."""
    agenda = ""
    found = re.search(r"[,.;]?\s*\bagenda\b\s*:?\s*", text, re.IGNORECASE)
    if found:
        text, agenda = text[: found.start()], text[found.end() :]
    spans = list(re.finditer(r"\S+", text))
    lower = [m.group().lower().strip(",.;:") for m in spans]
    place = title = ""
    if not spans:
        return "", "", _tidy(agenda)
    at = next((k for k in range(1, len(lower)) if lower[k] == "di"), None)
    if lower[0] in MEETING_WORDS:
        if at is None:
            title = text
        else:
            title, place = text[: spans[at].start()], text[spans[at].end() :]
    else:
        start = next((k for k in range(1, len(lower)) if lower[k] in MEETING_WORDS), None)
        if start is not None:
            place, title = text[: spans[start].start()], text[spans[start].start() :]
        elif at is not None:
            title, place = text[: spans[at].start()], text[spans[at].end() :]
        else:
            place = text
    place = re.sub(r"^di\s+", "", _tidy(place), flags=re.IGNORECASE)
    return place, _tidy(title), _tidy(agenda)


def _tidy(text: str) -> str:
    return " ".join(text.split()).strip(" ,.;:-")


def parse_meeting(
    body: str, *, pin: str | None, now_local: datetime, dusun_names: Sequence[str] = ()
) -> NewMeeting:
    """RAPAT's text after the PIN: when, where, what, and the dusun of a Musdus."""
    spans = list(re.finditer(r"\S+", body))
    starts_at, used = parse_when([m.group().lower() for m in spans], now_local)
    rest = body[spans[used].start() :] if used < len(spans) else ""
    place, title, agenda = place_and_title(rest)
    kind = _meeting_kind(title)
    dusun = None
    if kind == MeetingKind.MUSDUS:
        said = f" {_plain(title)} {_plain(place)} "
        dusun = next((name for name in dusun_names if f" {_plain(name)} " in said), None)
    return NewMeeting(pin, starts_at, title[:200], place[:200], agenda, kind, dusun)


def pages(items: Sequence[str], header: str, keyword: str, room: int = SMS_ROOM) -> list[str]:
    """Items packed greedily into one-SMS pages: 'header hal 1/3: a, b. Balas KEYWORD 2 ...'."""
    pages_of: list[list[str]] = []
    # The longest page header and footer, so that numbering cannot push a page over the room.
    fixed = len(
        header + s.LIST_PAGE.format(page=999, pages=999) + s.LIST_MORE.format(keyword=keyword, page=999)
    )
    current: list[str] = []
    for item in items:
        if current and fixed + len(", ".join([*current, item])) > room:
            pages_of.append(current)
            current = []
        current.append(item)
    if current:
        pages_of.append(current)
    total = len(pages_of)
    texts = []
    for number, page_items in enumerate(pages_of, start=1):
        more = s.LIST_MORE.format(keyword=keyword, page=number + 1) if number < total else s.LIST_END
        texts.append(header + s.LIST_PAGE.format(page=number, pages=total) + ", ".join(page_items) + more)
    return texts


# --- execution over a session ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Handled:
    """The replies to a staff command, the note stored on the message, the ticket it acted on, and the
    broadcasts it created that wait for their time (to tell the scheduler after the commit)."""

    replies: list[str]
    note: str
    ticket_id: int | None = None
    scheduled: tuple[tuple[int, datetime], ...] = ()


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
    turn = _StaffTurn(session, village, member, contact, message, message_id, now, frozenset(available))
    if command is not None and _year_not_pin(command, text, member.role):
        command = None  # "Rapat 2026 kapan ya pak" from the head: a question
    if isinstance(command, Menu) and command.broadcasters and not rights.can(member.role, Right.BROADCAST):
        command = None  # "Siaran radio desa kapan?" from the head: a question
    if command is None or isinstance(command, Aside):
        command = turn.malformed(text) or command
    if command is None or isinstance(command, Aside):
        # Something waits for YA: say it was not sent rather than answer as a resident.
        return turn.still_waiting()
    pin = pin_of(command)
    handled: Handled | None
    if isinstance(command, Confirm | Cancel):
        handled = turn.answer(confirm=isinstance(command, Confirm))
        # "YA 1234", and YA or BATAL as written exactly, are a staff answer even with nothing waiting:
        # from a role that may have something waiting (one that may broadcast), and not while the
        # number's own complaint asks "beres?" (that YA is the reporter's). "ya pak" stays a resident's.
        confirm = isinstance(command, Confirm)
        exact = (
            _plain(text) in (CONFIRM_WORDS if confirm else NOTHING_TO_CANCEL_WORDS)
            and rights.can(member.role, Right.BROADCAST)
            and not (confirm and turn.reporter_waits())
        )
        if handled is None and (pin is not None or exact):
            handled = Handled([s.CONFIRM_NOTHING if confirm else s.CANCEL_NOTHING], "staff:nothing_waits")
        if handled is not None and turn.scheduled:
            handled = dataclasses.replace(handled, scheduled=tuple(turn.scheduled))
    else:
        turn.drop_pending()  # a new command replaces whatever waited for YA
        reply, note = turn.act(command)
        handled = Handled([reply], note, turn.ticket_id)
    if pin is not None:
        turn.mask_stored_pin(pin)
    return handled


@dataclass
class _StaffTurn:
    """One staff command being acted on."""

    session: Session
    village: VillageInfo
    staff: Staff
    contact: ContactState
    message: InboundMessage
    message_id: int
    now: datetime
    available: frozenset[Channel]
    ticket_id: int | None = None  # the ticket the command names, when the sender may know of it
    # Broadcasts created that wait for their time, as (id, when): the scheduler is told after the commit.
    scheduled: list[tuple[int, datetime]] = field(default_factory=list)

    def schedule(self, *made: BroadcastRow) -> None:
        for broadcast in made:
            if broadcast.id is not None and (at := broadcast.waits_until) is not None:
                self.scheduled.append((broadcast.id, at))

    @property
    def role(self) -> Role:
        return self.staff.role

    @property
    def actor(self) -> audit.StaffActor:
        return audit.StaffActor(self.staff.id, self.staff.role, self.message.channel.value)

    def record(self, action: str, target: str | None = None, **detail: Any) -> None:
        audit.record(
            session=self.session,
            actor=self.actor,
            village_id=self.village.id,
            action=action,
            now=self.now,
            target=target,
            detail=detail,
        )

    def refuse(self, command: str, reason: str, target: str | None = None) -> None:
        self.record("staff.command_refused", target, command=command, reason=reason)

    def local_time(self, moment: datetime) -> str:
        local = moment.astimezone(ZoneInfo(self.village.timezone))
        return f"{local.hour:02d}.{local.minute:02d} {zone_name(self.village.timezone)}"

    def village_row(self) -> Village:
        row = self.session.get(Village, self.village.id)
        assert row is not None
        return row

    def mask_stored_pin(self, pin: str) -> None:
        """Mask the PIN in the stored message, its text and the provider's payload: the message log
        shows messages to other staff. Right or wrong, the PIN must not be kept."""
        self.session.connection().execute(
            update(_MESSAGE)
            .where(_MESSAGE.c.id == self.message_id)
            .values(body=mask_pin(self.message.text, pin), raw=masked(dict(self.message.raw), pin))
        )

    def malformed(self, text: str) -> Menu | None:
        """A message with the code of one of the village's tickets and another number of 4 to 6 digits:
        a staff command that did not read ("Sdh selesai 482913 1234"). Its example (or the menu) is the
        answer and the other number is masked as a PIN: never a ticket, never a resident's check."""
        if not code_with_number(text):
            return None
        numbers = numbers_in(text)
        codes = {number for number, _ in numbers if len(number) == 6}
        known = (
            self.session.connection()
            .execute(
                select(col(Ticket.code))
                .where(col(Ticket.village_id) == self.village.id, col(Ticket.code).in_(codes))
                .limit(1)
            )
            .scalar()
        )
        if known is None:
            return None
        at = next(i for i, (number, _) in enumerate(numbers) if number == known)
        pin = next(number for i, (number, _) in enumerate(numbers) if i != at)
        name = command_named_in(text)
        topic = _usage_key(name) if name is not None else None
        self.refuse(name or "unclear", "malformed")
        return Menu(topic, pin, verb=name.upper() if name in TICKET_VERBS else "VERIF")

    def still_waiting(self) -> Handled | None:
        """Something waits for YA from this number in this village: a message that is neither YA nor
        BATAL nor a command is told that nothing was sent, and the wait goes on from it. None otherwise."""
        waiting, until = self.staff.pending_command, self.staff.pending_until
        if (
            waiting is None
            or until is None
            or until < self.now
            or waiting.get("village_id", self.village.id) != self.village.id
            or self.interrupted(int(waiting.get("message_id", 0)))
        ):
            self.forget_wait()
            return None
        # Locked and read again, as YA does: a new command racing this message must not be undone.
        self.session.refresh(self.staff, with_for_update=True)
        if self.staff.pending_command != waiting:
            return Handled([s.CONFIRM_UNCLEAR], WAITING_NOTE)  # replaced meanwhile; the new one waits
        self.staff.pending_command = {**waiting, "message_id": self.message_id}
        return Handled([s.CONFIRM_UNCLEAR], WAITING_NOTE)

    def not_allowed(self, right_of: str) -> str:
        self.refuse(right_of, "not_allowed")
        return s.NOT_ALLOWED.format(role=STAFF_ROLE_NAMES[self.role.value], what=STAFF_WHAT[right_of])

    # --- dispatch ------------------------------------------------------------------------------

    def act(self, command: Command) -> tuple[str, str]:
        """The reply to a command other than YA / BATAL, and the message's note."""
        if isinstance(command, Menu):
            return self.menu(command.topic, command.verb), "staff:menu"
        if isinstance(command, ListTickets):
            return self.list_tickets(command), "staff:list"
        if isinstance(command, Lookup):
            return self.lookup(command), "staff:lihat"
        if isinstance(command, Digest):
            return self.digest(), "staff:digest"
        if isinstance(command, TicketChange):
            return self.change_ticket(command), f"staff:{command.verb}"
        if isinstance(command, NewMeeting):
            return self.prepare_meeting(command), "staff:rapat"
        assert isinstance(command, Broadcast)
        return self.prepare_broadcast(command), f"staff:{command.kind.value}"

    def menu(self, topic: str | None, verb: str = "VERIF") -> str:
        if topic is not None:
            return STAFF_USAGE[topic].format(verb=verb)
        wanted = {
            "list": Right.READ,  # TIKET, TELAT, LIHAT
            "digest": Right.DIGEST,
            "ticket": Right.TICKET_ACT,
            "broadcast": Right.BROADCAST,  # RAPAT, SIARAN, DARURAT
        }
        parts = [STAFF_MENU_PARTS[key] for key, right in wanted.items() if rights.can(self.role, right)]
        # The example offered is of a command this role may use: RAPAT, the hardest to write, or VERIF.
        example = "RAPAT" if rights.can(self.role, Right.BROADCAST) else "VERIF"
        return s.MENU.format(commands=", ".join(parts), command=example)

    def check_pin(self, pin: str) -> str | None:
        """None when the PIN is right; otherwise the reply (wrong, locked, not set)."""
        result = staff_people.check_pin(
            session=self.session,
            staff=self.staff,
            pin=pin,
            now=self.now,
            channel=self.message.channel.value,
            village_id=self.village.id,  # the operator's failures are logged in the village texted
        )
        if result == staff_people.PinCheck.OK:
            return None
        if result == staff_people.PinCheck.LOCKED:
            until = self.staff.pin_locked_until or self.now + staff_people.LOCK_FOR
            return s.PIN_LOCKED.format(until=self.local_time(until))
        if result == staff_people.PinCheck.NOT_SET:
            self.refuse("pin", "pin_not_set")
            return s.PIN_NOT_SET
        return s.PIN_WRONG.format(left=staff_people.MAX_FAILURES - self.staff.pin_failures)

    # --- reading -------------------------------------------------------------------------------

    def list_tickets(self, command: ListTickets) -> str:
        if not rights.can(self.role, Right.READ):
            return self.not_allowed("list")
        name = "TELAT" if command.overdue else "TIKET"
        if command.page > PAGE_LIMIT:
            self.record("staff.tickets_listed", overdue=command.overdue, page=command.page)
            return s.LIST_NO_PAGE.format(page=command.page, keyword=name)
        found = tickets.list_visible(
            session=self.session,
            village_id=self.village.id,
            role=self.role,
            now=self.now,
            statuses=_OPEN,
            overdue=True if command.overdue else None,
            limit=LIST_LIMIT,
        )
        # No count: for the BPD it is the number of complaints about the head, who reads the audit log.
        self.record("staff.tickets_listed", overdue=command.overdue, page=command.page)
        if not found:
            return s.LIST_EMPTY_OVERDUE if command.overdue else s.LIST_EMPTY
        items = [
            s.LIST_ITEM.format(
                code=ticket.code,
                category=STAFF_CATEGORY_SHORT[ticket.category.value],
                status=STAFF_STATUS_SHORT.get(ticket.status.value, ticket.status.value),
            )
            for ticket in found
        ]
        header = (s.LIST_OVERDUE if command.overdue else s.LIST_OPEN).format(n=len(found))
        texts = pages(items, header, name)
        if command.page > len(texts):
            return s.LIST_NO_PAGE.format(page=command.page, keyword=name)
        return texts[command.page - 1]

    def lookup(self, command: Lookup) -> str:
        if not rights.can(self.role, Right.READ):
            return self.not_allowed("lookup")
        target = f"ticket:{command.code}"
        found = tickets.get_by_code(session=self.session, village_id=self.village.id, code=command.code)
        if found is None or not rights.sees_ticket(self.role, found):
            # The same answer for a code that does not exist and one this role may not know of.
            self.refuse("lihat", "not_found", target)
            return s.TICKET_UNKNOWN.format(code=command.code)
        self.ticket_id = found.id
        self.record("staff.ticket_viewed", target)
        reporter = self.session.get(Contact, found.reporter_id)
        return describe(
            found, now=self.now, timezone=self.village.timezone, name=reporter.name if reporter else None
        )

    def digest(self) -> str:
        if not rights.can(self.role, Right.DIGEST):
            return self.not_allowed("digest")
        village = self.village_row()
        result = digest.compose(
            session=self.session,
            village=village,
            role=self.role,
            since=digest.period_start(self.now, weekly=False),
            now=self.now,
            everything=village.bpd_digest_everything,
        )
        # No counts: the BPD's are of complaints about the head, who reads the audit log.
        self.record("staff.digest", period=DigestPeriod.ON_DEMAND.value)
        return result.whatsapp if self.message.channel.is_whatsapp else result.sms

    # --- tickets -------------------------------------------------------------------------------

    def change_ticket(self, command: TicketChange) -> str:
        verb = command.verb.upper()
        ticket = None
        if command.code is not None:
            # The message is about this ticket whatever comes of it (the message log hides it from those
            # who may not see the ticket); one the sender may not see is not named at all.
            found = tickets.get_by_code(session=self.session, village_id=self.village.id, code=command.code)
            if found is not None and rights.sees_ticket(self.role, found):
                ticket, self.ticket_id = found, found.id
        if not rights.can(self.role, Right.TICKET_ACT):
            return self.not_allowed("ticket")
        if command.code is None:
            return (
                s.CODE_MISSING.format(verb=verb) if command.pin else STAFF_USAGE["ticket"].format(verb=verb)
            )
        if command.pin is None:
            return s.PIN_MISSING.format(example=f"{verb} {command.code} 1234 catatan")
        if command.verb in NOTE_REQUIRED and not command.note:
            return _NOTE_MISSING[command.verb].format(code=command.code)
        refused = self.check_pin(command.pin)
        if refused is not None:
            return refused
        target = f"ticket:{command.code}"
        if ticket is None:
            # The same answer for a code that does not exist and one this role may not know of.
            self.refuse(command.verb, "not_found", target)
            return s.TICKET_UNKNOWN.format(code=command.code)
        if not rights.acts_on_ticket(self.role, ticket):
            self.refuse(command.verb, "not_actionable", target)
            return s.TICKET_NOT_YOURS.format(code=ticket.code, role=STAFF_ROLE_NAMES[self.role.value])
        # Two staff changing one ticket at once must not both pass the status check (PostgreSQL).
        self.session.refresh(ticket, with_for_update=True)
        if ticket.status not in MOVES_FROM[command.to]:
            self.refuse(command.verb, f"status_{ticket.status.value}", target)
            # "sudah berstatus diproses": the staff's names read after "sudah" ("sedang diproses" does not).
            status = STAFF_STATUS_NAMES[ticket.status.value]
            return s.TICKET_UNCHANGED.format(code=ticket.code, status=status)
        before = ticket.status
        told = lifecycle.change_status(
            session=self.session,
            ticket=ticket,
            to=command.to,
            actor=lifecycle.Actor(self.actor.name, self.role),
            now=self.now,
            routes=self.routes(),
            public_note=command.note or None,
        )
        self.record(
            "ticket.status",
            target,
            **{"from": before.value, "to": command.to.value, "note": bool(command.note)},
        )
        changed = s.TICKET_CHANGED if told else s.TICKET_CHANGED_UNTOLD
        return changed.format(code=ticket.code, status=STATUS_LABELS[command.to])

    def routes(self) -> VillageRoutes:
        """How reporters are told of a change: on the channels this deployment sends on."""
        return runs.village_routes(session=self.session, village=self.village_row(), available=self.available)

    # --- meetings and broadcasts: asked, then confirmed ----------------------------------------

    def prepare_meeting(self, command: NewMeeting) -> str:
        if not rights.can(self.role, Right.BROADCAST):
            return self.not_allowed("meeting")
        if command.pin is None:
            return STAFF_USAGE["meeting"]
        if command.starts_at is None:
            return s.MEETING_WHEN
        if not command.title or not command.place:
            return STAFF_USAGE["meeting"]
        if command.starts_at <= self.now:
            return s.MEETING_PAST.format(kapan=format_when(command.starts_at, self.village.timezone))
        if command.starts_at > self.now + MEETING_HORIZON:
            # "31/12/9999" is a slip of the keypad; the reply names the year, which format_when leaves out.
            local = command.starts_at.astimezone(ZoneInfo(self.village.timezone))
            return s.MEETING_TOO_FAR.format(kapan=format_date(local))
        held = self.held_until(BroadcastKind.UMUM)
        if held is not None and held >= command.starts_at:
            # At 04.00 for 05.30 with quiet hours to 06.00: the invitation would come after the meeting.
            return s.MEETING_BEFORE_QUIET_END.format(
                kapan=format_when(command.starts_at, self.village.timezone),
                until=self.local_time(held),
            )
        refused = self.check_pin(command.pin)
        if refused is not None:
            return refused
        fields = _meeting_fields(command)
        meeting = self.meeting_of(fields)
        told = audience.count(
            session=self.session, village_id=self.village.id, audience=meetings.audience_of(meeting)
        )
        reminders = len(timing.reminder_plan(meeting.starts_at, self.village.timezone, self.now)) - 1
        self.set_pending({"command": "rapat", **fields})
        return s.MEETING_CONFIRM.format(
            acara=_echo(meeting.title, ACARA_ROOM),
            kapan=format_when(meeting.starts_at, self.village.timezone),
            tempat=_echo(meeting.place, TEMPAT_ROOM),
            n=_count(told),
            reminders=max(reminders, 0),
        )

    def meeting_of(self, fields: dict[str, Any]) -> Meeting:
        return Meeting(
            village_id=self.village.id,
            kind=MeetingKind(fields["kind"]),
            title=fields["title"],
            # The hour as typed, on the village's clock now (its zone may have been corrected since).
            starts_at=datetime.fromisoformat(fields["starts_at"])
            .replace(tzinfo=ZoneInfo(self.village.timezone))
            .astimezone(UTC),
            place=fields["place"],
            agenda=fields["agenda"],
            dusun=fields["dusun"],
        )

    def prepare_broadcast(self, command: Broadcast) -> str:
        usage = "emergency" if command.kind == BroadcastKind.DARURAT else "broadcast"
        if not rights.can(self.role, Right.BROADCAST):
            return self.not_allowed("broadcast")
        if command.pin is None:
            return STAFF_USAGE[usage]
        if not command.text:
            return s.BROADCAST_NO_TEXT
        refused = self.check_pin(command.pin)
        if refused is not None:
            return refused
        # A brace would read as a {variable} when the broadcast is rendered; a keypad user never means one.
        text = sms.sanitize(command.text).translate(str.maketrans("{}", "()"))
        count = audience.count(session=self.session, village_id=self.village.id, audience=Audience())
        if count == 0:
            self.refuse(command.kind.value, "no_subscribers")
            return s.BROADCAST_NOBODY
        segments = sms.segments(text)
        reply = s.BROADCAST_CONFIRM.format(
            n=_count(count),
            segments=segments,
            cost=format_rupiah(count * segments * self.village.prices.sms_segment),
        )
        held = self.held_until(command.kind)
        if held is not None:
            reply += s.QUIET_SUFFIX.format(kapan=format_when(held, self.village.timezone))
        self.set_pending({"command": "siaran", "kind": command.kind.value, "text": text})
        return reply

    def held_until(self, kind: BroadcastKind) -> datetime | None:
        """When a broadcast made now would go, if quiet hours or a blackout hold it."""
        allowed = timing.next_allowed(
            self.now,
            self.village.timezone,
            runs.quiet_rules(self.village_row()),
            emergency=kind == BroadcastKind.DARURAT,
        )
        return allowed if allowed > self.now else None

    # --- waiting for YA ------------------------------------------------------------------------

    def set_pending(self, command: dict[str, Any]) -> None:
        # The village it was asked in: the operator's YA to another village's number finds nothing.
        self.staff.pending_command = {**command, "message_id": self.message_id, "village_id": self.village.id}
        self.staff.pending_until = self.now + CONFIRM_WAIT
        self.contact.set(staff_waits_until=self.staff.pending_until)
        self.record("staff.confirm_asked", command=command["command"])

    def drop_pending(self) -> None:
        if self.staff.pending_command is not None:
            self.staff.pending_command, self.staff.pending_until = None, None
        self.forget_wait()

    def forget_wait(self) -> None:
        """Clear the contact's mirror of the wait, so that its next messages cost no staff lookup."""
        if self.contact.staff_waits_until is not None:
            self.contact.set(staff_waits_until=None)

    def answer(self, *, confirm: bool) -> Handled | None:
        """YA or BATAL: act on what waits; None when nothing did (a reporter's 'ya' is theirs)."""
        if self.staff.pending_command is None:
            return None
        # Two YA at once must not both find the command waiting (PostgreSQL).
        self.session.refresh(self.staff, with_for_update=True)
        waiting = self.staff.pending_command
        until = self.staff.pending_until
        self.drop_pending()
        if waiting is None:
            return None
        name = str(waiting.get("command"))
        elsewhere = waiting.get("village_id", self.village.id) != self.village.id
        if (
            until is None
            or until < self.now
            or elsewhere
            or self.interrupted(int(waiting.get("message_id", 0)))
        ):
            self.record("staff.confirm_expired", command=name)
            if confirm and self.reporter_waits():
                return None  # the number's own complaint asked "beres?": this 'ya' answers that
            return Handled([s.CONFIRM_NOTHING if confirm else s.CANCEL_NOTHING], "staff:expired")
        if not confirm:
            self.record("staff.confirm_cancelled", command=name)
            return Handled([s.CANCELLED], "staff:batal")
        if not rights.can(self.role, Right.BROADCAST):
            return Handled([self.not_allowed("broadcast")], "staff:ya")
        if name == "rapat":
            return Handled([self.create_meeting(waiting)], "staff:ya")
        return Handled([self.create_broadcast(waiting)], "staff:ya")

    def reporter_waits(self) -> bool:
        """Whether this number, as a reporter, was asked whether its complaint is fixed ("beres? 1/2")."""
        return (
            self.contact.pending == Pending.CONFIRM_FIX
            and self.contact.pending_until is not None
            and self.contact.pending_until >= self.now
        )

    def interrupted(self, asked_in: int) -> bool:
        """Whether another message came from this number between the question and this answer, to this
        village's number or another's (the operator, or staff texting a neighbouring village)."""
        between = self.session.connection().execute(
            select(func.count())
            .select_from(Message)
            .where(
                col(Message.sender) == self.message.sender,
                col(Message.direction) == Direction.IN,
                col(Message.id) > asked_in,
                col(Message.id) < self.message_id,
            )
        )
        return bool(between.scalar_one())

    def create_meeting(self, fields: dict[str, Any]) -> str:
        meeting = self.meeting_of(fields)
        kapan = format_when(meeting.starts_at, self.village.timezone)
        if meeting.starts_at <= self.now:
            return s.MEETING_PAST.format(kapan=kapan)
        made = meetings.create(
            session=self.session,
            village=self.village_row(),
            meeting=meeting,
            actor=self.actor.name,
            now=self.now,
        )
        self.record(
            "meeting.create",
            f"meeting:{meeting.id}",
            kind=meeting.kind.value,
            broadcasts=[b.id for b in made],
        )
        self.schedule(*made)
        acara = _echo(meeting.title, ACARA_ROOM)
        if any(b.status == BroadcastStatus.PENDING_APPROVAL for b in made):
            return s.MEETING_APPROVAL.format(acara=acara, kapan=kapan)
        reminders = max(len(made) - 1, 0)
        # The invitation is due now: quiet hours (or a blackout) hold it; a meeting is never darurat.
        held = self.held_until(BroadcastKind.MUSDES)
        if held is not None:
            kirim = format_when(held, self.village.timezone)
            return s.MEETING_HELD.format(acara=acara, kapan=kapan, kirim=kirim, reminders=reminders)
        return s.MEETING_CREATED.format(acara=acara, kapan=kapan, reminders=reminders)

    def create_broadcast(self, fields: dict[str, Any]) -> str:
        kind = BroadcastKind(fields["kind"])
        text = str(fields["text"])
        village = self.village_row()
        count = audience.count(session=self.session, village_id=self.village.id, audience=Audience())
        draft = service.Draft(kind=kind, title=f"SMS staf: {_short(text, 60)}", sms_text=text)
        created = service.create(
            session=self.session,
            village=village,
            draft=draft,
            actor=self.actor.name,
            now=self.now,
            needs_approval={BroadcastKind(k) for k in village.approval_kinds},
        )
        self.record(
            "broadcast.create",
            f"broadcast:{created.id}",
            kind=kind.value,
            status=created.status.value,
            recipients=count,
        )
        self.schedule(created)
        if created.status == BroadcastStatus.PENDING_APPROVAL:
            return s.BROADCAST_APPROVAL
        held = self.held_until(kind)
        if held is not None:
            return s.BROADCAST_HELD.format(n=_count(count), kapan=format_when(held, self.village.timezone))
        return s.BROADCAST_QUEUED.format(n=_count(count))


def _year_not_pin(command: Command, text: str, role: Role) -> bool:
    """Whether the number read as a PIN is a year followed by words ("Rapat 2026 kapan ya pak") in a
    command the role may not use: then the message is a question, not a command."""
    pin = pin_of(command)
    need = right_of(command)
    if isinstance(command, Menu) and command.topic in ("meeting", "broadcast", "emergency"):
        need = Right.BROADCAST
    if pin is None or not _YEAR.fullmatch(pin) or need is None or rights.can(role, need):
        return False
    at = re.search(rf"(?<![0-9]){pin}(?![0-9])", text)
    return at is not None and re.search(r"[A-Za-z]", text[at.end() :]) is not None


def _meeting_fields(command: NewMeeting) -> dict[str, Any]:
    """What RAPAT stores until YA, in GSM-7 as the confirmation and the invitation show it."""
    assert command.starts_at is not None
    return {
        "kind": command.kind.value,
        "title": _gsm_field(command.title),
        "starts_at": command.starts_at.isoformat(),
        "place": _gsm_field(command.place),
        "agenda": _gsm_field(command.agenda),
        "dusun": command.dusun,
    }


def _gsm_field(text: str) -> str:
    # A brace would read as a {variable} when the invitation is rendered, as in SIARAN's text.
    return _gsm(text).translate(str.maketrans("{}", "()"))


def _short(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 3].rstrip() + "..."


_gsm = sms.to_gsm7
_units = sms.septets


def _echo(text: str, room: int) -> str:
    """What staff typed, said back in a reply: GSM-7, at most `room` septets (an extension character such
    as [ or ] takes two)."""
    return _fit(_gsm(text), room)


def _fit(text: str, room: int) -> str:
    """`text` (GSM-7) cut to `room` septets, with "..." when cut: as many characters as fit, since a
    reply to staff packs the most of a complaint's text into its one SMS."""
    return sms.fit(text, room, whole_words=False)


_NOTE_MISSING = {"tolak": s.REASON_MISSING, "teruskan": s.FORWARD_MISSING, "bukan": s.NOT_OURS_MISSING}


def describe(ticket: Ticket, *, now: datetime, timezone: str, name: str | None = None) -> str:
    """LIHAT's answer: one GSM-7 SMS with the ticket's code, category, status, where, deadline and as much
    of its text as fits. Never who reported it, nor their `name` or a long number in the text (a phone,
    an NIK): a reply on a phone can be forwarded."""
    where = " ".join(
        part
        for part in (
            _echo(ticket.dusun or "", 25),
            f"RT {ticket.rt}" if ticket.rt else "",
            f"RW {ticket.rw}" if ticket.rw else "",
        )
        if part
    )
    stage, due_at = "", None  # a closed ticket has no deadline left
    if ticket.status == TicketStatus.BARU:
        stage, due_at = "verify", ticket.verify_due_at
    elif ticket.status in (TicketStatus.DIVERIFIKASI, TicketStatus.DIPROSES):
        stage, due_at = "act", ticket.act_due_at
    due = ""
    if due_at is not None:
        local = due_at.astimezone(ZoneInfo(timezone))
        due = (s.LOOKUP_LATE if ticket.is_overdue(now) else s.LOOKUP_DUE).format(
            stage=STAFF_DUE_STAGES[stage], date=f"{local.day} {MONTH_NAMES[local.month - 1]}"
        )
    opening = s.LOOKUP.format(
        code=ticket.code,
        category=STAFF_CATEGORY_SHORT[ticket.category.value],
        status=STAFF_STATUS_NAMES[ticket.status.value],
        where=where or s.LOOKUP_NO_PLACE,
        due=due,
        text="",
    )
    text = _gsm(hide_personal(ticket.text, marker="***", names=[name]))
    if not text:
        text = s.LOOKUP_PHOTO_ONLY if ticket.media else s.LOOKUP_NO_TEXT
    return opening + _fit(text, SMS_ROOM - _units(opening))


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")
