"""Answers from the village's own data, cut into SMS-sized parts ("balas DANA 2")."""

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, or_, select

from broadcasts.sms import fit, sanitize
from handlers.normalize import normalize
from models import (
    BudgetDirection,
    BudgetLine,
    Decision,
    DecisionKind,
    Meeting,
    MeetingStatus,
    Programme,
    Service,
    Topic,
)
from models import texts as t
from models.info import MEETING_LABELS

SMS_LIMIT = 160

TOPIC_KEYWORDS = {
    Topic.JADWAL: "JADWAL",
    Topic.DANA_DESA: "DANA",
    Topic.KEPUTUSAN: "SANKSI",
    Topic.PROGRAM: "PROGRAM",
    Topic.LAYANAN: "LAYANAN",
}


def paginate(header: str, items: Sequence[str], keyword: str, page: int, limit: int = SMS_LIMIT) -> str:
    """Part `page` (from 1) of the items, each part fitting `limit`, offering the next if more remain.

    The header opens the first part only; later parts open with a short "DANA 2/5: " so that a long
    header is not paid for on every SMS.
    """
    width = 1  # digits of the part count, as the later parts' prefix spells it
    while True:
        pages = _parts(header, items, keyword, limit, width)
        if len(str(len(pages))) <= width:
            break
        width = len(str(len(pages)))
    if page > len(pages):
        return t.INFO_NO_MORE_PAGES.format(keyword=keyword)
    opening = header if page == 1 else t.INFO_PAGE.format(keyword=keyword, page=page, pages=len(pages))
    body = opening + "; ".join(pages[page - 1])
    if page < len(pages):
        body += "." + t.INFO_MORE.format(keyword=keyword, page=page + 1)
    else:
        body += "."
    return body


def _parts(header: str, items: Sequence[str], keyword: str, limit: int, width: int) -> list[list[str]]:
    """The items cut into parts; a later part's prefix is reckoned with `width`-digit page numbers."""
    pages: list[list[str]] = []
    current: list[str] = []
    for index, raw in enumerate(items):
        item = raw.strip()
        last = index == len(items) - 1
        while True:
            # Room left in this part; the offer of the next part is not needed after the last item.
            number = len(pages) + 1
            opening = header if number == 1 else t.INFO_PAGE.format(keyword=keyword, page=9, pages=9)
            opening_len = len(opening) + (2 * (width - 1) if number > 1 else 0)
            more = "" if last else t.INFO_MORE.format(keyword=keyword, page=number + 1)
            room = limit - opening_len - len(more) - len("; ".join(current)) - (2 if current else 0) - 1
            if len(item) <= room:
                current.append(item)
                break
            if not current:
                current.append(item[: max(room - 3, 0)].rstrip() + "...")
                break
            pages.append(current)
            current = []
    if current:
        pages.append(current)
    return pages


def answer(
    *,
    session: Session,
    village_id: int,
    timezone: str,
    topic: Topic,
    page: int,
    now: datetime,
    dusun: str | None,
    asked: str = "",
) -> str:
    """The answer to an information question, one SMS long. `asked`: the question's words, when it was
    not a request for a page; a question that names one programme or service ("kapan posyandu?",
    "syarat SKTM apa") gets that entry alone, with a pointer to the rest."""
    keyword = TOPIC_KEYWORDS[topic]
    page = max(page, 1)
    if topic == Topic.JADWAL:
        header, items, empty = (
            t.JADWAL_HEADER,
            _meetings(session, village_id, timezone, now, dusun),
            t.JADWAL_EMPTY,
        )
    elif topic == Topic.DANA_DESA:
        header, items = _budget(session, village_id, now, timezone)
        empty = t.DANA_EMPTY
    elif topic == Topic.KEPUTUSAN:
        header, items, empty = t.KEPUTUSAN_HEADER, _decisions(session, village_id), t.KEPUTUSAN_EMPTY
    else:
        if topic == Topic.PROGRAM:
            header, named, empty = t.PROGRAM_HEADER, _programmes(session, village_id), t.PROGRAM_EMPTY
        else:
            header, named, empty = t.LAYANAN_HEADER, _services(session, village_id), t.LAYANAN_EMPTY
        one = _named_entry(named, asked) if asked else None
        if one is not None:
            more = t.INFO_ONE.format(keyword=keyword)
            entry = fit(sanitize(one).rstrip(), SMS_LIMIT - len(more) - 1)
            return entry + ("" if entry.endswith((".", "!", "?")) else ".") + more
        items = [entry for _, entry in named]
    if not items:
        return empty
    return paginate(sanitize(header), [sanitize(i) for i in items], keyword, page)


def _meetings(
    session: Session, village_id: int, timezone: str, now: datetime, dusun: str | None
) -> list[str]:
    audience: ColumnElement[bool] = col(Meeting.dusun).is_(None)
    if dusun:
        audience = or_(audience, func.lower(Meeting.dusun) == dusun.lower())
    meetings = session.exec(
        select(Meeting)
        .where(
            Meeting.village_id == village_id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at >= now,
            audience,
        )
        .order_by(col(Meeting.starts_at))
        .limit(20)
    ).all()
    return [
        t.JADWAL_ITEM.format(
            kind=m.title or MEETING_LABELS[m.kind],
            when=t.format_when(m.starts_at, timezone),
            place=m.place,
        )
        for m in meetings
    ]


def _budget(session: Session, village_id: int, now: datetime, timezone: str) -> tuple[str, list[str]]:
    this_year = now.astimezone(ZoneInfo(timezone)).year
    year = session.exec(
        select(func.max(BudgetLine.year)).where(
            BudgetLine.village_id == village_id, BudgetLine.year <= this_year
        )
    ).one()
    if year is None:
        return t.DANA_HEADER, []
    lines = session.exec(
        select(BudgetLine).where(BudgetLine.village_id == village_id, BudgetLine.year == year)
    ).all()
    income = sum(line.amount for line in lines if line.direction == BudgetDirection.INCOME)
    spending_lines = sorted(
        (line for line in lines if line.direction == BudgetDirection.SPENDING), key=lambda line: -line.amount
    )
    spending = sum(line.amount for line in spending_lines)
    header = t.DANA_HEADER.format(
        year=year, income=t.format_rupiah(income), spending=t.format_rupiah(spending)
    )
    amounts = t.format_rupiah_list([line.amount for line in spending_lines])  # one style for the list
    items = [
        t.DANA_ITEM.format(activity=line.activity, location=line.location or "desa", amount=amount)
        for line, amount in zip(spending_lines, amounts, strict=True)
    ]
    return header, items


def _decisions(session: Session, village_id: int) -> list[str]:
    decisions = session.exec(
        select(Decision)
        .where(Decision.village_id == village_id)
        .order_by(col(Decision.effective_date).desc(), col(Decision.id).desc())
        .limit(20)
    ).all()
    # Sanctions first among decisions of the same day: they are what residents most need to know.
    decisions = sorted(
        decisions, key=lambda d: (-d.effective_date.toordinal(), d.kind != DecisionKind.SANKSI)
    )
    return [
        (t.SANKSI_ITEM if d.kind == DecisionKind.SANKSI else t.KEPUTUSAN_ITEM).format(
            title=d.title, date=t.format_date(d.effective_date)
        )
        for d in decisions
    ]


# Words in programme and service names that name none of them in particular.
_GENERIC_NAME_WORDS = frozenset({"surat", "pengantar", "keterangan", "program", "layanan", "desa", "dana"})


def _name_words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", name.lower()) if len(w) >= 3} - _GENERIC_NAME_WORDS


def _named_entry(entries: Sequence[tuple[str, str]], asked: str) -> str | None:
    """The entry of the one programme or service (name, entry) the question names; None for none or
    several."""
    words = set(normalize(asked).split())
    named = [entry for name, entry in entries if _name_words(name) & words]
    return named[0] if len(named) == 1 else None


def _programmes(session: Session, village_id: int) -> list[tuple[str, str]]:
    """Each active programme as (name, list entry)."""
    programmes = session.exec(
        select(Programme).where(Programme.village_id == village_id, col(Programme.active).is_(True))
    ).all()
    return [(p.name, t.PROGRAM_ITEM.format(name=p.name, summary=p.summary)) for p in programmes]


def _services(session: Session, village_id: int) -> list[tuple[str, str]]:
    """Each office service as (name, list entry)."""
    services = session.exec(
        select(Service).where(Service.village_id == village_id).order_by(col(Service.id))
    ).all()
    return [
        (s.name, t.LAYANAN_ITEM.format(name=s.name, requirements=s.requirements, hours=s.hours, fee=s.fee))
        for s in services
    ]
