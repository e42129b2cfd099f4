"""Where staff SMS commands are parsed: the grammar, from a text to a Command (commands.py). Pure and
cheap: `head`, `keyword` and `answer_of` run before any query; `parse` reads the whole command, RAPAT's date
and time with dates.py.

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
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from handlers.normalize import ABBREVIATIONS
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
)
from handlers.staff_commands.dates import is_digits, parse_when
from handlers.understand import KNOWN_WORDS as RESIDENT_WORDS  # residents' words: never a slip
from handlers.understand import deletion_index, deletions  # the keyword typo scheme residents get
from handlers.understand import keyword_of as resident_keyword
from models import BroadcastKind, MeetingKind

NOTE_LIMIT = 500  # characters of a note kept on the ticket

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
NEEDS_NUMBER = frozenset(
    {"verif", "proses", "selesai", "tolak", "teruskan", "bukan", "lihat", "rapat", "siaran", "darurat"}
)
# Without a PIN, these are still the command's example for a role that may broadcast (never a ticket).
BROADCAST_COMMANDS = frozenset({"rapat", "siaran", "darurat"})
CONFIRM_WORDS = frozenset({"ya", "iya", "y", "ya kirim", "iya kirim", "ya umumkan"})
CANCEL_WORDS = frozenset({"batal", "batalkan", "batal kirim"})
# BATAL with nothing waiting is told so; not BATALKAN, which from a resident means "unsubscribe me".
NOTHING_TO_CANCEL_WORDS = CANCEL_WORDS - {"batalkan"}
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
TRAILING_PIN = re.compile(r"(?:^|[\s#*,;:/=._-])pin[\s#*,;:/=._-]*([0-9]{4,6})(?![0-9])", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![0-9])[0-9]{4,6}(?![0-9])")
YEAR = re.compile(r"(?:19|20)[0-9]{2}")
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


_ANSWER_START = re.compile(r"ya+|iya+|y|ok+|oke+|okay|okey|siap|sip|batal|batalkan|jangan|jgn")


def answer_of(text: str) -> Command | None:
    """A natural answer to "Balas YA ... atau BATAL" ("ya pak", "oke kirim", "tidak jadi"), or a short
    message that starts like one (Aside); None for any other message. Pure and cheap."""
    if any(ch.isdigit() for ch in text):
        return None
    flat = plain(text)
    words = flat.split()
    if not words or len(words) > ANSWER_WORDS:
        return None
    if CONFIRM_PHRASE.fullmatch(flat):
        return Confirm()
    if CANCEL_PHRASE.fullmatch(flat):
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
        if found is not None and usage_key(found[0]) is not None:
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


def number_tokens(text: str, pos: int, most: int) -> tuple[list[tuple[str, int]], int]:
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
    found, pos = number_tokens(body, 0, most)
    return [number for number, _ in found], body[pos:].lstrip(_SEPARATORS)


def code_and_pin_at(numbers: Sequence[str]) -> tuple[int | None, int | None]:
    """Where among `numbers` are the ticket code and the PIN (see `code_and_pin`)."""
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
    code, pin = code_and_pin_at(numbers)
    return (
        numbers[code] if code is not None else None,
        numbers[pin] if pin is not None else None,
    )


def _stray(numbers: Sequence[str]) -> str | None:
    """Of numbers after a command that takes none, the one to mask: the PIN if one reads, else the first
    (a lone 6-digit number may be a PIN too: better masked than kept)."""
    return code_and_pin(numbers)[1] or (numbers[0] if numbers else None)


def plain(text: str) -> str:
    """`text` in lower case with punctuation read as spaces and spaces collapsed ("Ya, pak!" -> "ya pak")."""
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
            return Menu(usage_key(found.name), _stray(numbers))
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
        topic = usage_key(topic_head.name) if topic_head is not None else None
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
        return Digest() if plain(body) in DIGEST_TAILS or _page_only(body) else None
    if name in ("ya", "batal"):
        flat = plain(text)
        numbers, _ = leading_numbers(body, 2)
        if name == "ya":
            return Confirm(_stray(numbers)) if flat in CONFIRM_WORDS or numbers else None
        return Cancel(_stray(numbers)) if flat in CANCEL_WORDS or numbers else None

    if name in TICKET_VERBS or name == "lihat":
        numbers, rest = leading_numbers(body, 2)
        if not numbers and needs_number:
            # VERIF alone asks for its format; "verifikasi data bansos gimana" is a question.
            return Menu("ticket") if name == "verif" and found.exact and not body else None
        code, pin = code_and_pin(numbers)
        if name == "lihat":
            return Lookup(code, pin) if code is not None else None
        trailing = TRAILING_PIN.search(rest) if pin is None and code is not None else None
        if trailing is not None:  # "SELESAI 482913 sudah beres PIN 1234"
            pin, rest = trailing.group(1), rest[: trailing.start()] + rest[trailing.end() :]
        return TicketChange(name, code, pin, rest.strip()[:NOTE_LIMIT])

    if name == "rapat":
        meetings = _meeting_change(body, now_local)
        if meetings is not None:
            return meetings
    numbers, rest = leading_numbers(body, 1)
    if not numbers and needs_number:
        if name in BROADCAST_COMMANDS and found.exact:  # "DARURAT banjir ...": asks for the PIN
            return Menu(usage_key(name), broadcasters=True)
        return None
    pin = numbers[0] if numbers else None
    if name in ("siaran", "darurat"):
        kind = BroadcastKind.DARURAT if name == "darurat" else BroadcastKind.UMUM
        return Broadcast(pin, rest.strip(), kind)
    return parse_meeting(rest, pin=pin, now_local=now_local, dusun_names=dusun_names)


def _meeting_change(body: str, now_local: datetime) -> ListMeetings | ChangeMeeting | None:
    """RAPAT alone (the list), RAPAT PINDAH <no> <PIN> <when>, RAPAT BATAL <no> <PIN>; None for a new
    meeting (or a question)."""
    if not body.strip(" .!?"):
        return ListMeetings()
    words = body.split(maxsplit=1)
    verb = plain(words[0])
    if verb not in MEETING_CHANGE_VERBS:
        return None
    said = _MEETING_NUMBER_AND_PIN.match(words[1] if len(words) > 1 else "")
    meeting_id = int(said.group(1)) if said and said.group(1) else None
    pin = said.group(2) if said else None
    if MEETING_CHANGE_VERBS[verb] == "batal":
        return ChangeMeeting(cancel=True, meeting_id=meeting_id, pin=pin)
    rest = said.group(3) if said else ""
    spans = [m.group().lower() for m in re.finditer(r"\S+", rest)]
    starts_at, _ = parse_when(spans, now_local) if spans else (None, 0)
    return ChangeMeeting(cancel=False, meeting_id=meeting_id, pin=pin, starts_at=starts_at)


# "3 1234 ...", "no 3 pin 1234 ...": the meeting's number (as RAPAT lists it), its PIN, the rest.
_MEETING_NUMBER_AND_PIN = re.compile(
    r"\s*(?:no\.?|nomor|#)?\s*(\d{1,6})?[\s,.:;]*(?:pin\s*)?(\d{4,6})?\b[\s,.:;]*(.*)",
    re.IGNORECASE | re.DOTALL,
)


# RAPAT PINDAH / RAPAT BATAL, as cadres also write them.
MEETING_CHANGE_VERBS = {
    "pindah": "pindah",
    "geser": "pindah",
    "ubah": "pindah",
    "undur": "pindah",
    "batal": "batal",
    "batalkan": "batal",
    "hapus": "batal",
}


def _page_only(body: str) -> bool:
    """Whether `body` is nothing but a page number ("2", "hal 2"): too short to be a PIN (1 to 3 digits)."""
    page = _PAGE.fullmatch(body.strip(" .!?"))
    return page is not None and len(page.group(1)) <= 3


def usage_key(command: str) -> str | None:
    """The STAFF_USAGE example (models/texts.py) of a command; None for one that has none."""
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


# --- RAPAT's text: when (dates.py), where, what ---------------------------------------------------

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


def _meeting_kind(title: str) -> MeetingKind:
    words = plain(title).split()
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
        said = f" {plain(title)} {plain(place)} "
        dusun = next((name for name in dusun_names if f" {plain(name)} " in said), None)
    return NewMeeting(pin, starts_at, title[:200], place[:200], agenda, kind, dusun)
