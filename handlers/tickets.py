"""Complaint tickets as residents create and check them by text (Core on the hot path, see contacts.py)."""

import re
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, bindparam, false, func, insert, or_, select
from sqlmodel import Session, col

from handlers import rights
from handlers.understand import keyword_of
from models import Category, Role, Ticket, TicketEvent, TicketEventKind, TicketStatus
from models.base import insert_unless_taken
from models.tables import TICKET, TICKET_EVENT
from models.ticket import overdue_clause

OPEN_STATUSES = tuple(s for s in TicketStatus if s.is_open)
# Statuses a ticket can be reopened from (a duplicate never is: its survivor is).
REOPENABLE = tuple(s for s in TicketStatus if not s.is_open and s != TicketStatus.DUPLIKAT)

# Statements built once: building them per message costs more than running them.
_CODE_TAKEN = select(TICKET.c.id).where(
    TICKET.c.village_id == bindparam("village_id"), TICKET.c.code == bindparam("code")
)
# Two complaints in one village may draw the same free code at the same moment: the second insert then
# waits for the first transaction and does nothing, and that complaint draws another code.
_INSERT_TICKET = insert_unless_taken(TICKET, ["village_id", "code"], TICKET.c.id)
_INSERT_EVENT = insert(TICKET_EVENT)
_COUNT_RECENT = (
    select(func.count())
    .select_from(TICKET)
    .where(TICKET.c.reporter_id == bindparam("reporter_id"), TICKET.c.created_at >= bindparam("since"))
)


def new_code(*, session: Session, village_id: int) -> str:
    """A random six-digit code not yet used in the village: easy to type, impossible to guess the next."""
    connection = session.connection()
    while True:
        code = str(100_000 + secrets.randbelow(900_000))
        taken = connection.execute(_CODE_TAKEN, {"village_id": village_id, "code": code}).first()
        if taken is None:
            return code


def create(
    *,
    session: Session,
    village_id: int,
    reporter_id: int,
    text: str,
    category: Category | None,
    now: datetime,
    channel: str,
    about_head: bool = False,
    anonymous: bool = False,
    confidential: bool = False,
    dusun: str | None = None,
    rw: int | None = None,
    rt: int | None = None,
    media: Sequence[dict[str, str]] = (),
    verify_due_at: datetime | None = None,
    act_due_at: datetime | None = None,
) -> tuple[int, str]:
    """Open a ticket with a fresh code and its first history event; returns (id, code)."""
    connection = session.connection()
    ticket_id: int | None = None
    while ticket_id is None:
        code = new_code(session=session, village_id=village_id)
        ticket_id = connection.execute(
            _INSERT_TICKET[connection.dialect.name],
            {
                "village_id": village_id,
                "code": code,
                "reporter_id": reporter_id,
                "category": category or Category.LAINNYA,
                "status": TicketStatus.BARU,
                "text": text,
                "about_head": about_head,
                "anonymous": anonymous,
                "confidential": confidential,
                "dusun": dusun,
                "rw": rw,
                "rt": rt,
                "media": list(media),
                "channel": channel,
                "created_at": now,
                "updated_at": now,
                "verify_due_at": verify_due_at,
                "act_due_at": act_due_at,
            },
        ).scalar()
    connection.execute(
        _INSERT_EVENT,
        {
            "ticket_id": ticket_id,
            "kind": TicketEventKind.CREATED,
            "actor": "warga",
            "to_status": TicketStatus.BARU,
            "public": False,
            "created_at": now,
        },
    )
    return ticket_id, code


def add_detail(*, session: Session, ticket: Ticket, text: str, now: datetime) -> None:
    """Append the reporter's description to a ticket (the history keeps it as an event)."""
    assert ticket.id is not None
    ticket.text = f"{ticket.text}\n{text}".strip() if ticket.text else text
    ticket.updated_at = now
    session.add(
        TicketEvent(ticket_id=ticket.id, kind=TicketEventKind.DETAIL_ADDED, note=text, created_at=now)
    )


def nudge(*, session: Session, ticket_id: int, text: str, now: datetime) -> None:
    """Record that the reporter asked again how their report stands (shown to staff with its history)."""
    session.add(
        TicketEvent(ticket_id=ticket_id, kind=TicketEventKind.NUDGED, note=text[:500], created_at=now)
    )


def open_for_reporter(*, session: Session, reporter_id: int) -> list[Ticket]:
    """The reporter's own open tickets, newest first."""
    return list(
        session.scalars(
            select(Ticket)
            .where(col(Ticket.reporter_id) == reporter_id, col(Ticket.status).in_(OPEN_STATUSES))
            .order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc())
        )
    )


def add_media(*, session: Session, ticket: Ticket, media: Sequence[dict[str, str]], now: datetime) -> None:
    """Attach more photos to a ticket."""
    assert ticket.id is not None
    ticket.media = [*ticket.media, *media]
    ticket.updated_at = now
    urls = " ".join(m["url"] for m in media)
    session.add(TicketEvent(ticket_id=ticket.id, kind=TicketEventKind.MEDIA_ADDED, note=urls, created_at=now))


def get_by_code(*, session: Session, village_id: int, code: str) -> Ticket | None:
    """The village's ticket with this code, if any."""
    return session.scalars(
        select(Ticket).where(col(Ticket.village_id) == village_id, col(Ticket.code) == code)
    ).first()


def list_open_for_reporter(
    *, session: Session, reporter_id: int, limit: int | None = 5
) -> list[tuple[str, TicketStatus]]:
    """Codes and statuses of the reporter's open tickets, newest first: their own, and those their
    reports were merged into (they follow the surviving ticket). `limit` None: all of them."""
    merged_into = select(TICKET.c.merged_into_id).where(
        TICKET.c.reporter_id == reporter_id, TICKET.c.merged_into_id.is_not(None)
    )
    query = (
        select(TICKET.c.code, TICKET.c.status)
        .where(
            or_(TICKET.c.reporter_id == reporter_id, TICKET.c.id.in_(merged_into)),
            TICKET.c.status.in_(OPEN_STATUSES),
        )
        .order_by(TICKET.c.created_at.desc(), TICKET.c.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [(row.code, row.status) for row in session.connection().execute(query)]


_WORD_OR_NUMBER = re.compile(r"[^\W\d_]+|\d+")
# Words a resident may put between CEK and the code: "CEK kode 482913", "cek aduan no 482913".
_BEFORE_CODE = frozenset({"kode", "aduan", "laporan", "tiket", "no", "nomor", "nomer", "nmr", "saya", "sy"})


def mistyped_code(text: str) -> str | None:
    """The number a CEK names when it is not a six-digit code ("CEK 12345"): None for "CEK" alone, a
    right code, or a number elsewhere in the message ("status laporan RT 3")."""
    words = _WORD_OR_NUMBER.findall(text)
    if not words or keyword_of(words[0].lower()) != "CEK":
        return None
    for word in words[1:]:
        if word.isdigit():
            return word if 3 <= len(word) <= 12 and len(word) != 6 else None
        if word.lower() not in _BEFORE_CODE:
            return None
    return None


def count_recent_by_reporter(*, session: Session, reporter_id: int, since: datetime) -> int:
    """How many tickets the reporter opened since `since` (flood control)."""
    params = {"reporter_id": reporter_id, "since": since}
    count: int = session.connection().execute(_COUNT_RECENT, params).scalar_one()
    return count


def last_public_note(*, session: Session, ticket_id: int) -> str | None:
    """The newest note meant for the reporter, since the ticket was last reopened (a note from before,
    "lampu sudah diganti", no longer says how things stand)."""
    connection = session.connection()
    reopened = connection.execute(
        select(TICKET_EVENT.c.created_at, TICKET_EVENT.c.id)
        .where(
            TICKET_EVENT.c.ticket_id == ticket_id,
            TICKET_EVENT.c.kind == TicketEventKind.STATUS_CHANGED,
            TICKET_EVENT.c.from_status.in_(REOPENABLE),
            TICKET_EVENT.c.to_status.in_(OPEN_STATUSES),
        )
        .order_by(TICKET_EVENT.c.created_at.desc(), TICKET_EVENT.c.id.desc())
        .limit(1)
    ).first()
    query = select(TICKET_EVENT.c.note).where(
        TICKET_EVENT.c.ticket_id == ticket_id,
        TICKET_EVENT.c.public.is_(True),
        TICKET_EVENT.c.note.is_not(None),
    )
    if reopened is not None:
        query = query.where(
            or_(
                TICKET_EVENT.c.created_at > reopened.created_at,
                and_(TICKET_EVENT.c.created_at == reopened.created_at, TICKET_EVENT.c.id > reopened.id),
            )
        )
    note: str | None = connection.execute(
        query.order_by(TICKET_EVENT.c.created_at.desc(), TICKET_EVENT.c.id.desc()).limit(1)
    ).scalar()
    return note


def list_visible(
    *,
    session: Session,
    village_id: int,
    role: Role,
    now: datetime,
    statuses: Sequence[TicketStatus] | None = None,
    overdue: bool | None = None,
    category: Category | None = None,
    dusun: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Ticket]:
    """The village's tickets this role may see (handlers/rights.py), newest first, filtered.

    Complaints about the head are left out for every role but the BPD and the operator.
    """
    query = select(Ticket).where(col(Ticket.village_id) == village_id)
    if rights.hides_about_head(role):
        query = query.where(col(Ticket.about_head).is_(False))
    if statuses:
        query = query.where(col(Ticket.status).in_(statuses))
    if overdue is not None:
        # A ticket without deadlines is on time, not unknown: NULL must not drop it from either side.
        clause = func.coalesce(overdue_clause(now), false())
        query = query.where(clause if overdue else ~clause)
    if category is not None:
        query = query.where(col(Ticket.category) == category)
    if dusun is not None:
        query = query.where(func.lower(col(Ticket.dusun)) == dusun.lower())
    query = query.order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc()).offset(offset).limit(limit)
    return list(session.scalars(query).all())
