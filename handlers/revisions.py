"""WhatsApp edits and deletions ("revoke") of a resident's earlier message.

An edit changes what the earlier message says: its stored text (the first version stays in its `raw`)
and, when its words are in a complaint (the message opened it or described it), the ticket's text; the
ticket's append-only history gets an event holding the words as they were. A deletion is recorded: the
earlier message is marked (message.revoked_at) and its complaint's history says so, but nothing is
erased: what was reported stays with the village. Neither is answered. An edit of a message never
stored here (sent before the village used Kentongan, or to another number) is handled as a new message.

Each edit or deletion is a message of its own, stored once under its own id, so a provider's repeat
fails on the unique key and changes nothing twice; an edit older than the one already applied (Meta's
order is not guaranteed) changes nothing either. The row inherits the earlier message's intent, ticket
and note, so that the message log hides it from whoever may not see the earlier one (a complaint about
the head, one held back by the flood limit, a staff command), and a staff command's edit has its
PIN-like numbers masked, as the command itself had.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from handlers import lifecycle, staff_commands
from handlers.inbound import EDIT, REVOKE, InboundMessage
from handlers.understand import understand
from models import Category, Direction, Intent, Ticket, TicketEvent, TicketEventKind
from models.tables import MESSAGE

EDIT_NOTE, REVOKE_NOTE = "edit", "revoke"
EDITED_EVENT = "diubah pelapor di WhatsApp. Sebelumnya: {before}"
REVOKED_EVENT = "pelapor menghapus pesannya di WhatsApp (isi aduan tetap disimpan)"
RESIDENT = lifecycle.Actor("warga")
# What may be a PIN in a staff command's edit: a whole number of 4 to 6 digits.
_PIN_LIKE = re.compile(r"(?<![0-9])[0-9]{4,6}(?![0-9])")


@dataclass(frozen=True, slots=True)
class _Earlier:
    """The stored message an edit or deletion names."""

    id: int
    body: str
    intent: str | None
    ticket_id: int | None
    note: str | None
    edited_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Applied:
    """What the edit or deletion was stored as: the earlier message's intent and ticket, and a note."""

    note: str
    intent: str | None = None
    ticket_id: int | None = None


def apply(
    *,
    session: Session,
    message: InboundMessage,
    message_id: int,
    village_id: int,
    contact_id: int,
    now: datetime,
    dusun_names: Sequence[str] = (),
) -> Applied | None:
    """Apply the message's edit or deletion of an earlier one; None when it is neither, or an edit of a
    message never stored (then it is read as a new message)."""
    revision = message.revises
    if revision is None:
        return None
    connection = session.connection()
    c = MESSAGE.c
    found = connection.execute(
        select(c.id, c.body, c.intent, c.ticket_id, c.note, c.edited_at, c.revoked_at).where(
            c.village_id == village_id,
            c.channel == message.channel,
            c.provider_id == revision.original_id,
            c.direction == Direction.IN,
            c.contact_id == contact_id,  # one can only change one's own messages
            c.id != message_id,
        )
    ).first()
    if found is None:
        return None if revision.kind == EDIT else Applied(REVOKE_NOTE)
    original = _Earlier(*found)
    staff = original.intent == staff_commands.INTENT
    note = original.note or (EDIT_NOTE if revision.kind == EDIT else REVOKE_NOTE)
    applied = Applied(note, original.intent, original.ticket_id)
    at = message.received_at or now
    if staff and revision.kind == EDIT:
        # A command holds a PIN: the edit's text and payload are masked like the command's were.
        values = {"body": _mask(message.stored_text), "raw": _mask_json(dict(message.raw))}
        connection.execute(update(MESSAGE).where(c.id == message_id).values(**values))
    if revision.kind == REVOKE:
        if original.revoked_at is None:
            connection.execute(update(MESSAGE).where(c.id == original.id).values(revoked_at=at))
            if _about_complaint(original):
                _ticket_event(session, original, contact_id, REVOKED_EVENT, now)
        return applied
    stale = (original.edited_at is not None and at < original.edited_at) or original.revoked_at is not None
    new = message.text.strip()
    if stale or not new or new == (original.body or "").strip():
        return applied
    changes: dict[str, Any] = {"edited_at": at}
    if not staff:
        changes["body"] = message.text
    connection.execute(update(MESSAGE).where(c.id == original.id).values(**changes))
    if _about_complaint(original):
        _edit_ticket(session, original, contact_id, new, now, dusun_names)
    return applied


def _about_complaint(original: _Earlier) -> bool:
    return original.ticket_id is not None and original.intent == Intent.COMPLAINT


def _own_ticket(session: Session, original: _Earlier, contact_id: int) -> Ticket | None:
    ticket = session.get(Ticket, original.ticket_id)
    return ticket if ticket is not None and ticket.reporter_id == contact_id else None


def _ticket_event(session: Session, original: _Earlier, contact_id: int, note: str, now: datetime) -> None:
    ticket = _own_ticket(session, original, contact_id)
    if ticket is not None and ticket.id is not None:
        kind = TicketEventKind.INTERNAL_NOTE
        session.add(
            TicketEvent(ticket_id=ticket.id, kind=kind, actor=RESIDENT.name, note=note, created_at=now)
        )
        session.flush()


def _edit_ticket(
    session: Session, original: _Earlier, contact_id: int, new: str, now: datetime, dusun_names: Sequence[str]
) -> None:
    """Put the edited words in the ticket where the earlier ones stand (the whole message, or the detail
    read from it: "ADUAN ANONIM jalan rusak" gave "jalan rusak"). A message whose words are not in the
    ticket (a CEK, "tolong rahasiakan nama saya") leaves it as it is."""
    ticket = _own_ticket(session, original, contact_id)
    old = (original.body or "").strip()
    if ticket is None or ticket.id is None or not old:
        return
    pairs = [(old, new)]
    detail = understand(old, dusun_names=dusun_names).detail.strip()
    if detail and detail != old:
        pairs.append((detail, understand(new, dusun_names=dusun_names).detail.strip() or new))
    found = next(((before, after) for before, after in pairs if before in ticket.text), None)
    if found is None:
        return
    before_text = ticket.text
    ticket.text = before_text.replace(found[0], found[1], 1)
    ticket.updated_at = now
    note = EDITED_EVENT.format(before=found[0])
    kind = TicketEventKind.DETAIL_ADDED
    session.add(TicketEvent(ticket_id=ticket.id, kind=kind, actor=RESIDENT.name, note=note, created_at=now))
    # What the text said of the place and the kind of problem follows the edit, unless staff set them.
    was, now_reads = (understand(text, dusun_names=dusun_names) for text in (before_text, ticket.text))
    for field in ("dusun", "rw", "rt"):
        current, read_before = getattr(ticket, field), getattr(was.location, field)
        read_now = getattr(now_reads.location, field)
        if read_now is not None and current == read_before:
            setattr(ticket, field, read_now)
    if ticket.category == Category.LAINNYA and now_reads.category not in (None, Category.LAINNYA):
        ticket.category = now_reads.category or Category.LAINNYA
    # "jangan sebut nama saya" added in an edit counts as in the first message; flags are never removed.
    if now_reads.anonymous or now_reads.confidential or now_reads.about_head:
        lifecycle.make_private(
            session=session,
            ticket=ticket,
            actor=RESIDENT,
            now=now,
            anonymous=now_reads.anonymous,
            confidential=now_reads.confidential,
            about_head=now_reads.about_head,
        )
    session.flush()


def _mask(text: str) -> str:
    return _PIN_LIKE.sub(staff_commands.MASK, text)


def _mask_json(value: Any) -> Any:
    if isinstance(value, str):
        return _mask(value)
    if isinstance(value, dict):
        return {key: _mask_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask_json(item) for item in value]
    return value
