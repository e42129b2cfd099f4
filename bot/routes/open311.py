"""Open311 GeoReport v2, read only: the village's complaint categories and its public complaints.

`jurisdiction_id` is the village code. Public means: no reporter's name or number, no photos (they may
show people), and *rahasia* (confidential) tickets and complaints about the village head do not exist
here at all (their codes answer 404 like unknown ones: the head must never see the latter).
Errors are GeoReport error lists, `[{"code": 404, "description": "..."}]`. Anyone may call this, so every
parameter is checked before it reaches the database or a conversion: a bad one is a 400, never a 500
(PostgreSQL refuses NUL in text, datetimes overflow near the years 1 and 9999).
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.deps import EngineDep, NowDep
from models.contact import Contact
from models.phone import hide_reporter
from models.ticket import Ticket, TicketEvent, TicketStatus
from models.village import Village
from models.vocabulary import Category

router = APIRouter(prefix="/open311/v2", tags=["open311"])

MAX_REQUESTS = 1000
DEFAULT_SPAN = timedelta(days=90)
MIN_YEAR, MAX_YEAR = 2000, 2100  # dates outside are typos or probes, and would overflow near 1 and 9999
_REQUEST_CODE = re.compile(r"[0-9]{6}")  # Ticket.code: six digits; anything else cannot exist
SERVICE_CODES = [category.value for category in Category]
OPEN_STATUSES = [s for s in TicketStatus if s.is_open]
CLOSED_STATUSES = [s for s in TicketStatus if not s.is_open]
GROUP = "Pengaduan warga"

SERVICE_TEXTS: dict[Category, tuple[str, list[str]]] = {
    Category.INFRASTRUKTUR: (
        "Jalan, jembatan, lampu jalan, saluran dan bangunan umum desa",
        ["jalan", "jembatan", "lampu jalan", "gorong-gorong"],
    ),
    Category.AIR_SANITASI: ("Air bersih, sumur, MCK dan sanitasi", ["air", "sumur", "pipa", "wc", "got"]),
    Category.KESEHATAN: ("Posyandu, polindes, gizi dan layanan kesehatan", ["posyandu", "bidan", "stunting"]),
    Category.PENDIDIKAN: ("Sekolah, PAUD, perpustakaan dan kebudayaan", ["sekolah", "paud", "guru"]),
    Category.EKONOMI: ("BUMDes, pasar, pertanian dan usaha warga", ["bumdes", "pasar", "pupuk", "sawah"]),
    Category.LINGKUNGAN: ("Sampah, sungai, pohon dan pencemaran", ["sampah", "sungai", "limbah", "pohon"]),
    Category.BENCANA: ("Banjir, longsor, kebakaran dan kejadian darurat", ["banjir", "longsor", "kebakaran"]),
    Category.BANSOS: ("Bantuan sosial: BLT, PKH, sembako", ["blt", "pkh", "bansos", "sembako"]),
    Category.ADMINISTRASI: (
        "Surat-menyurat, KTP, KK dan layanan kantor desa",
        ["surat", "ktp", "kk", "pelayanan"],
    ),
    Category.TATA_KELOLA: (
        "Dana desa, musyawarah, perangkat dan keterbukaan informasi",
        ["dana desa", "apbdes", "musdes", "perangkat"],
    ),
    Category.KEAMANAN: ("Keamanan, ketertiban dan ronda", ["maling", "ronda", "keributan"]),
    Category.LAINNYA: ("Aduan lain yang tidak masuk kategori di atas", ["lainnya"]),
}


class ServiceOut(BaseModel):
    """A GeoReport service: one complaint category."""

    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class RequestOut(BaseModel):
    """A GeoReport service request: one public complaint, with nothing that identifies the reporter."""

    service_request_id: str
    status: str
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str
    service_notice: str | None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: None
    lat: None
    long: None
    media_url: None


class ErrorOut(BaseModel):
    """A GeoReport error."""

    code: int
    description: str


ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": list[ErrorOut], "description": "Missing jurisdiction_id or a bad parameter"},
    404: {"model": list[ErrorOut], "description": "Unknown jurisdiction or request"},
}


class GeoReportError(Exception):
    """An error answered as a GeoReport error list."""

    def __init__(self, status_code: int, description: str) -> None:
        super().__init__(description)
        self.status_code, self.description = status_code, description

    def response(self) -> JSONResponse:
        return JSONResponse([{"code": self.status_code, "description": self.description}], self.status_code)


Jurisdiction = Annotated[str | None, Query(description="The village code")]


def _shown(value: str, limit: int = 40) -> str:
    """A value echoed in an error: quoted and escaped (no NUL or lone surrogate), and not too long."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


def _is_clean(value: str) -> bool:
    """No NUL (PostgreSQL refuses it in text) and no lone surrogate (not encodable as UTF-8)."""
    return "\x00" not in value and not any("\ud800" <= char <= "\udfff" for char in value)


def _checked(name: str, value: str | None) -> str | None:
    if value is not None and not _is_clean(value):
        raise GeoReportError(400, f"{name} contains a NUL character or an invalid Unicode character")
    return value


def _village(engine: Engine, jurisdiction_id: str | None) -> Village:
    if not jurisdiction_id:
        raise GeoReportError(400, "jurisdiction_id is required")
    _checked("jurisdiction_id", jurisdiction_id)
    with Session(engine) as session:
        village = session.exec(select(Village).where(Village.code == jurisdiction_id)).first()
    if village is None:
        raise GeoReportError(404, f"unknown jurisdiction_id {_shown(jurisdiction_id)}")
    return village


def _csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _parse_datetime(name: str, value: str, zone: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """An ISO 8601 datetime or date; naive ones are in the village's zone; a bare end date is inclusive.

    Years must lie in MIN_YEAR..MAX_YEAR, so that the end of day, the default span and the conversion to
    UTC for the database cannot overflow.
    """
    value = (_checked(name, value) or "").strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise GeoReportError(400, f"{name} is not an ISO 8601 datetime") from error
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise GeoReportError(400, f"{name} must be in the years {MIN_YEAR} to {MAX_YEAR}")
    try:
        if end_of_day and len(value) == 10:
            moment += timedelta(days=1, microseconds=-1)
        moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
        moment.astimezone(UTC)  # what the database column does; raises here rather than there
    except OverflowError as error:  # not reachable within the years allowed, but never a 500
        raise GeoReportError(400, f"{name} is out of range") from error
    return moment


def _request_codes(value: str | None) -> list[str] | None:
    """The codes asked for (None: not asked); ones that are not six digits cannot exist and are dropped."""
    codes = _csv(_checked("service_request_id", value))
    if not codes:
        return None
    if len(codes) > MAX_REQUESTS:
        raise GeoReportError(400, f"at most {MAX_REQUESTS} service_request_id codes at once")
    return sorted({code for code in codes if _REQUEST_CODE.fullmatch(code)})


def _categories(value: str | None) -> list[Category] | None:
    wanted = _csv(_checked("service_code", value))
    if not wanted:
        return None
    unknown = [code for code in wanted if code not in SERVICE_CODES]
    if unknown:
        raise GeoReportError(
            400, f"unknown service_code {_shown(unknown[0])}; valid codes: {', '.join(SERVICE_CODES)}"
        )
    return [Category(code) for code in dict.fromkeys(wanted)]


def _statuses(value: str | None) -> list[TicketStatus] | None:
    wanted = {part.lower() for part in _csv(_checked("status", value))}
    if not wanted:
        return None
    if not wanted <= {"open", "closed"}:
        raise GeoReportError(400, "status must be open or closed")
    return (OPEN_STATUSES if "open" in wanted else []) + (CLOSED_STATUSES if "closed" in wanted else [])


def _agency(village: Village) -> str:
    """The village government: "Pemerintah Desa Sukamaju" (names may or may not start with "Desa")."""
    name = village.name.strip()
    return "Pemerintah " + (name if name.lower().startswith("desa ") else f"Desa {name}")


def _address(ticket: Ticket) -> str | None:
    parts = [f"Dusun {ticket.dusun}"] if ticket.dusun else []
    if ticket.rt is not None:
        parts.append(f"RT {ticket.rt:02d}")
    if ticket.rw is not None:
        parts.append(f"RW {ticket.rw:02d}")
    return ", ".join(parts) or None


def _render(
    village: Village, rows: Sequence[tuple[Ticket, str | None]], notes: dict[int, str]
) -> list[RequestOut]:
    zone = ZoneInfo(village.timezone)

    def when(moment: datetime | None) -> str | None:
        return moment.astimezone(zone).isoformat() if moment is not None else None

    out = []
    for ticket, reporter_name in rows:
        assert ticket.id is not None
        out.append(
            RequestOut(
                service_request_id=ticket.code,
                status="open" if ticket.status.is_open else "closed",
                status_notes=hide_reporter(notes[ticket.id], reporter_name) if ticket.id in notes else None,
                service_name=ticket.category.label,
                service_code=ticket.category.value,
                description=hide_reporter(ticket.text, reporter_name) or None,
                agency_responsible="BPD" if ticket.about_head else _agency(village),
                service_notice=None,
                requested_datetime=when(ticket.created_at) or "",
                updated_datetime=when(ticket.updated_at) or "",
                expected_datetime=when(ticket.act_due_at),
                address=_address(ticket),
                address_id=None,
                zipcode=None,
                lat=None,
                long=None,
                media_url=None,
            )
        )
    return out


def _public_notes(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """The last public note of each ticket."""
    notes: dict[int, str] = {}
    if not ticket_ids:
        return notes
    events = session.exec(
        select(TicketEvent)
        .where(col(TicketEvent.ticket_id).in_(ticket_ids), col(TicketEvent.public).is_(True))
        .where(col(TicketEvent.note).is_not(None))
        .order_by(col(TicketEvent.created_at), col(TicketEvent.id))
    ).all()
    for event in events:
        if event.note:
            notes[event.ticket_id] = event.note
    return notes


def _find_requests(
    engine: Engine,
    village: Village,
    *,
    codes: list[str] | None = None,
    categories: list[Category] | None = None,
    statuses: list[TicketStatus] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[RequestOut]:
    query = (
        select(Ticket, Contact.name)
        .join(Contact, col(Contact.id) == col(Ticket.reporter_id))
        .where(
            Ticket.village_id == village.id,
            col(Ticket.confidential).is_(False),
            col(Ticket.about_head).is_(False),  # only the BPD and the operator see those, never the head
        )
    )
    if codes is not None:
        query = query.where(col(Ticket.code).in_(codes))
    if categories is not None:
        query = query.where(col(Ticket.category).in_(categories))
    if statuses is not None:
        query = query.where(col(Ticket.status).in_(statuses))
    if start is not None:
        query = query.where(col(Ticket.created_at) >= start)
    if end is not None:
        query = query.where(col(Ticket.created_at) <= end)
    query = query.order_by(col(Ticket.created_at).desc(), col(Ticket.id).desc()).limit(MAX_REQUESTS)
    with Session(engine) as session:
        rows = session.exec(query).all()
        notes = _public_notes(session, [t.id for t, _ in rows if t.id is not None])
    return _render(village, rows, notes)


def _json(items: Sequence[BaseModel]) -> JSONResponse:
    return JSONResponse([item.model_dump(mode="json") for item in items])


@router.get("/services.json", response_model=list[ServiceOut], response_class=JSONResponse, responses=ERRORS)
def services(engine: EngineDep, jurisdiction_id: Jurisdiction = None) -> JSONResponse:
    """The complaint categories, as GeoReport services."""
    try:
        _village(engine, jurisdiction_id)
    except GeoReportError as error:
        return error.response()
    return _json(
        [
            ServiceOut(
                service_code=category.value,
                service_name=category.label,
                description=SERVICE_TEXTS[category][0],
                metadata=False,
                type="realtime",
                keywords=",".join(SERVICE_TEXTS[category][1]),
                group=GROUP,
            )
            for category in Category
        ]
    )


@router.get("/requests.json", response_model=list[RequestOut], response_class=JSONResponse, responses=ERRORS)
def requests(
    engine: EngineDep,
    now: NowDep,
    jurisdiction_id: Jurisdiction = None,
    service_request_id: Annotated[str | None, Query(description="Codes, comma-separated")] = None,
    service_code: Annotated[str | None, Query(description="Category codes, comma-separated")] = None,
    start_date: Annotated[str | None, Query(description="ISO 8601, earliest requested_datetime")] = None,
    end_date: Annotated[str | None, Query(description="ISO 8601, latest requested_datetime")] = None,
    status: Annotated[str | None, Query(description="open or closed (comma-separated)")] = None,
) -> JSONResponse:
    """Public complaints, newest first (at most 1000; the last 90 days unless dates say otherwise).

    `service_request_id` overrides every other filter, as the specification says.
    """
    try:
        village = _village(engine, jurisdiction_id)
        codes = _request_codes(service_request_id)
        if codes is not None:
            return _json(_find_requests(engine, village, codes=codes) if codes else [])
        categories, statuses = _categories(service_code), _statuses(status)
        zone = ZoneInfo(village.timezone)
        start = _parse_datetime("start_date", start_date, zone) if start_date else None
        end = _parse_datetime("end_date", end_date, zone, end_of_day=True) if end_date else None
        if start is not None and end is not None and end < start:
            raise GeoReportError(400, "end_date is before start_date")
        if start is None:
            start = (end or now) - DEFAULT_SPAN
        found = _find_requests(
            engine,
            village,
            categories=categories,
            statuses=statuses,
            start=start,
            end=end,
        )
    except GeoReportError as error:
        return error.response()
    return _json(found)


@router.get(
    "/requests/{code}.json", response_model=list[RequestOut], response_class=JSONResponse, responses=ERRORS
)
def request_detail(engine: EngineDep, code: str, jurisdiction_id: Jurisdiction = None) -> JSONResponse:
    """One public complaint by its code, as a one-element list; 404 for unknown and confidential codes."""
    try:
        village = _village(engine, jurisdiction_id)
        found = _find_requests(engine, village, codes=[code]) if _REQUEST_CODE.fullmatch(code) else []
        if not found:
            raise GeoReportError(404, f"no request {_shown(code)}")
    except GeoReportError as error:
        return error.response()
    return _json(found)
