"""How staff replies are worded to fit: one-SMS pages, echoes of what staff typed, LIHAT's ticket in one
SMS. The texts themselves are in models/texts.py (StaffText).

Replies fit one GSM-7 SMS. What staff typed and a reply says back (a meeting's title and place, a
complaint's text in LIHAT) goes through broadcasts.sms.sanitize, and what has no GSM-7 form (emoji,
other scripts) is left out, so that an echo never turns a reply into a 70-character UCS-2 one; echoes
are cut by septets (an extension character such as [ or ] takes two). A meeting's title, place and
agenda are stored so filtered, as SIARAN's text is, so that the invitation reads as the confirmation.
"""

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from broadcasts import sms
from models import Ticket, TicketStatus
from models.phone import hide_personal
from models.texts import MONTHS as MONTH_NAMES
from models.texts import STAFF_CATEGORY_SHORT, STAFF_DUE_STAGES, STAFF_STATUS_NAMES
from models.texts import StaffText as s

SMS_ROOM = 160  # one GSM-7 SMS


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


def short(text: str, room: int) -> str:
    """`text` cut to `room` characters, with "..." when cut (a broadcast's title)."""
    return text if len(text) <= room else text[: room - 3].rstrip() + "..."


gsm = sms.to_gsm7  # what has no GSM-7 form (emoji, other scripts) is left out
units = sms.septets


def echo(text: str, room: int) -> str:
    """What staff typed, said back in a reply: GSM-7, at most `room` septets (an extension character such
    as [ or ] takes two)."""
    return fit(gsm(text), room)


def fit(text: str, room: int) -> str:
    """`text` (GSM-7) cut to `room` septets, with "..." when cut: as many characters as fit, since a
    reply to staff packs the most of a complaint's text into its one SMS."""
    return sms.fit(text, room, whole_words=False)


def describe(ticket: Ticket, *, now: datetime, timezone: str, name: str | None = None) -> str:
    """LIHAT's answer: one GSM-7 SMS with the ticket's code, category, status, where, deadline and as much
    of its text as fits. Never who reported it, nor their `name` or a long number in the text (a phone,
    an NIK): a reply on a phone can be forwarded."""
    where = " ".join(
        part
        for part in (
            echo(ticket.dusun or "", 25),
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
    text = gsm(hide_personal(ticket.text, marker="***", names=[name]))
    if not text:
        text = s.LOOKUP_PHOTO_ONLY if ticket.media else s.LOOKUP_NO_TEXT
    return opening + fit(text, SMS_ROOM - units(opening))


def figure(n: int) -> str:
    """A count as Indonesians write it: 1.234."""
    return f"{n:,}".replace(",", ".")
