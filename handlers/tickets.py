"""Complaint tickets as residents create and check them by text."""

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, func, select

from models import Category, Ticket, TicketEvent, TicketEventKind, TicketStatus

CODE_DIGITS = 6


def new_code(*, session: Session, village_id: int) -> str:
    """A random six-digit code not yet used in the village: easy to type, impossible to guess the next."""
    while True:
        code = str(100_000 + secrets.randbelow(900_000))
        taken = session.exec(
            select(Ticket.id).where(Ticket.village_id == village_id, Ticket.code == code)
        ).first()
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
) -> Ticket:
    """Open a ticket with a fresh code and its first history event."""
    ticket = Ticket(
        village_id=village_id,
        code=new_code(session=session, village_id=village_id),
        reporter_id=reporter_id,
        category=category or Category.LAINNYA,
        text=text,
        about_head=about_head,
        anonymous=anonymous,
        confidential=confidential,
        dusun=dusun,
        rw=rw,
        rt=rt,
        media=list(media),
        channel=channel,
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    assert ticket.id is not None
    session.add(
        TicketEvent(
            ticket_id=ticket.id, kind=TicketEventKind.CREATED, to_status=TicketStatus.BARU, created_at=now
        )
    )
    return ticket


def add_detail(*, session: Session, ticket: Ticket, text: str, now: datetime) -> None:
    """Append the reporter's description to a ticket (the history keeps it as an event)."""
    assert ticket.id is not None
    ticket.text = f"{ticket.text}\n{text}".strip() if ticket.text else text
    ticket.updated_at = now
    session.add(
        TicketEvent(ticket_id=ticket.id, kind=TicketEventKind.DETAIL_ADDED, note=text, created_at=now)
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
    return session.exec(select(Ticket).where(Ticket.village_id == village_id, Ticket.code == code)).first()


def list_open_for_reporter(*, session: Session, reporter_id: int, limit: int = 5) -> list[Ticket]:
    """The reporter's open tickets, newest first."""
    open_statuses = [s.value for s in TicketStatus if s.is_open]
    return list(
        session.exec(
            select(Ticket)
            .where(Ticket.reporter_id == reporter_id, col(Ticket.status).in_(open_statuses))
            .order_by(col(Ticket.created_at).desc())
            .limit(limit)
        ).all()
    )


def count_recent_by_reporter(*, session: Session, reporter_id: int, since: datetime) -> int:
    """How many tickets the reporter opened since `since` (flood control)."""
    return session.exec(
        select(func.count())
        .select_from(Ticket)
        .where(Ticket.reporter_id == reporter_id, Ticket.created_at >= since)
    ).one()


def last_public_note(*, session: Session, ticket_id: int) -> str | None:
    """The newest note meant for the reporter."""
    return session.exec(
        select(TicketEvent.note)
        .where(
            TicketEvent.ticket_id == ticket_id,
            col(TicketEvent.public).is_(True),
            col(TicketEvent.note).is_not(None),
        )
        .order_by(col(TicketEvent.created_at).desc(), col(TicketEvent.id).desc())
        .limit(1)
    ).first()
