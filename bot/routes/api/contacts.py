"""/api/v1/contacts: the cadres' contact list. Create, edit, search, import the CSV lists they keep in
spreadsheets, and export it (kader and operator only).

Contacts are personal data (UU 27/2022): only roles that may read contacts see them, and the audit log
records what was done and to which contact, never a name or a number.
"""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.datastructures import UploadFile
from starlette.types import Message

from bot.deps import NowDep
from bot.routes.api.deps import Limit, Offset, PathId, Scope, SessionDep, refused_as_unprocessable, requires
from bot.routes.api.schemas import problems
from bot.routes.api.schemas.contacts import (
    ContactCreate,
    ContactDetail,
    ContactPublic,
    ContactUpdate,
    ImportPublic,
)
from handlers.contact_book import csv_export, csv_import, edits, fields, records, sheet
from handlers.contact_book.records import Filters
from handlers.contact_book.sheet import TooLarge
from handlers.rights import Right
from models import SubscriptionState, Topic
from models.errors import KentonganError

router = APIRouter(prefix="/contacts", tags=["contacts"])

ContactReader = Annotated[Scope, Depends(requires(Right.CONTACT_READ, "read contacts"))]
ContactWriter = Annotated[Scope, Depends(requires(Right.CONTACT_WRITE, "create, edit or import contacts"))]
ContactExporter = Annotated[Scope, Depends(requires(Right.CONTACT_EXPORT, "export contacts"))]

NOT_FOUND = problems({404: "No such contact in this village"})
TAKEN = problems({409: "The phone number or WhatsApp id belongs to another contact"})
# A multipart envelope around a 2 MB file: its boundaries, headers and the two small fields.
MAX_BODY = sheet.MAX_IMPORT_BYTES + 64 * 1024
NO_NUL = r"^[^\x00]+$"  # PostgreSQL cannot compare text with NUL in it
CSV_TYPES = (
    "text/csv",
    "text/plain",
    "application/csv",
    "application/vnd.ms-excel",
    "application/octet-stream",
)


@dataclass(frozen=True, slots=True)
class SearchParams:
    """The list and export filters, as query parameters."""

    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=NO_NUL,
            description="A name fragment, or three or more digits of a number",
        ),
    ] = None
    dusun: Annotated[str | None, Query(min_length=1, max_length=80, pattern=NO_NUL)] = None
    rw: Annotated[int | None, Query(ge=0, le=999)] = None
    rt: Annotated[int | None, Query(ge=0, le=999)] = None
    topic: Annotated[
        Topic | None, Query(description="Contacts who take it: chose it, or chose no topic (every topic)")
    ] = None
    tag: Annotated[str | None, Query(min_length=1, max_length=40, pattern=NO_NUL)] = None
    subscription: SubscriptionState | None = None

    def filters(self) -> Filters:
        """The domain's filters."""
        return Filters(
            q=self.q,
            dusun=self.dusun,
            rw=self.rw,
            rt=self.rt,
            topic=self.topic.value if self.topic else None,
            tag=self.tag,
            subscription=self.subscription,
        )


Search = Annotated[SearchParams, Depends()]


def _detail(session: SessionDep, scope: Scope, contact_id: int) -> ContactDetail:
    record = records.get(
        session=session, village_id=scope.village_id, contact_id=contact_id, role=scope.staff.role
    )
    return ContactDetail.of(record, records.consent_history(session=session, contact_id=contact_id))


@router.post("", status_code=201, responses={**TAKEN})
def create_contact(
    body: ContactCreate, scope: ContactWriter, session: SessionDep, now: NowDep
) -> ContactDetail:
    """Add a contact. A number already in the village is 409, naming its contact. Subscribing records a
    consent event from source `staff` with `consent_evidence`."""
    with refused_as_unprocessable():
        record = edits.create(
            session=session, village_id=scope.village_id, draft=body.to_draft(), now=now, actor=scope.actor
        )
    given = sorted(key for key in body.model_fields_set if key in edits.EDITABLE)
    scope.audit(
        session,
        "contact.create",
        now,
        target=f"contact:{record.id}",
        detail={"fields": given, "subscribed": body.subscribed},
    )
    return _detail(session, scope, record.id)


@router.get("")
def list_contacts(
    scope: ContactReader, session: SessionDep, search: Search, limit: Limit = 50, offset: Offset = 0
) -> list[ContactPublic]:
    """The village's contacts matching every filter given, by name."""
    found = records.search(
        session=session,
        village_id=scope.village_id,
        filters=search.filters(),
        limit=limit,
        offset=offset,
        role=scope.staff.role,
    )
    return [ContactPublic.model_validate(record) for record in found]


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The contacts as CSV (UTF-8 with BOM)"}},
)
def export_contacts(
    scope: ContactExporter,
    session: SessionDep,
    now: NowDep,
    search: Search,
    delimiter: Annotated[
        Literal["comma", "semicolon"],
        Query(description="semicolon: what Excel expects where the decimal mark is a comma, as in Indonesia"),
    ] = "comma",
) -> Response:
    """The contacts (matching the filters) as CSV with the import's columns, so that it imports back
    unchanged. Cells a spreadsheet would run as formulas are escaped."""
    text, count = csv_export.export_csv(
        session=session,
        village_id=scope.village_id,
        filters=search.filters(),
        delimiter=";" if delimiter == "semicolon" else ",",
        role=scope.staff.role,
    )
    scope.audit(session, "contact.export", now, detail={"rows": count, "filters": search.filters().used()})
    today: date = now.astimezone(ZoneInfo(scope.village.timezone)).date()
    filename = f"kontak-{scope.village.code}-{today.isoformat()}.csv"
    return Response(
        content=text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",  # personal data: no copy left in a shared cache
        },
    )


@dataclass(frozen=True, slots=True)
class Upload:
    """A CSV upload and the form fields that came with it."""

    data: bytes
    fields: dict[str, str]


async def read_upload(request: Request) -> Upload:
    """The CSV of a multipart form (field `file`) or of a text/csv body, refused over the size limit
    before it is all read."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in CSV_TYPES and media != "multipart/form-data":
        raise KentonganError("send the CSV as multipart/form-data (field 'file') or as a text/csv body", 415)
    too_large = f"the upload is over {sheet.MAX_IMPORT_BYTES // (1024 * 1024)} MB: split the file"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise TooLarge(too_large)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise TooLarge(too_large)
    if media in CSV_TYPES:
        return Upload(bytes(body), {})

    async def replay() -> Message:
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    form = await Request(request.scope, replay).form(max_files=1, max_fields=10)
    try:
        files = [value for value in form.values() if isinstance(value, UploadFile)]
        if not files:
            raise KentonganError("no file in the form: send the CSV as the field 'file'", 422)
        data = await files[0].read()
        fields = {key: value for key, value in form.items() if isinstance(value, str)}
    finally:
        await form.close()
    return Upload(data, fields)


def _flag(value: str, name: str) -> bool:
    text = value.strip().lower()
    if text in ("true", "1", "yes", "on", "ya"):
        return True
    if text in ("", "false", "0", "no", "off", "tidak"):
        return False
    raise KentonganError(f"{name} is true or false", 422)


@router.post(
    "/import",
    responses=problems({413: "Over 2 MB or 20,000 rows", 415: "Neither a multipart form nor a CSV body"}),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file", "consent_evidence"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "consent_evidence": {
                                "type": "string",
                                "description": "Where the listed residents agreed to receive broadcasts",
                                "examples": ["daftar hadir Musdes 2026"],
                            },
                            "dry_run": {"type": "boolean", "default": False},
                        },
                    }
                },
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
def import_contacts(
    scope: ContactWriter,
    session: SessionDep,
    now: NowDep,
    upload: Annotated[Upload, Depends(read_upload)],
    consent_evidence: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=fields.EVIDENCE_MAX,
            pattern=NO_NUL,
            description="With a text/csv body (a form sends it as a field): where the listed residents "
            "agreed to receive broadcasts",
        ),
    ] = None,
    dry_run: Annotated[bool, Query(description="Report what would happen; write nothing")] = False,
) -> ImportPublic:
    """Import a CSV list: a header row naming the columns (nama, hp / no_hp / nomor / telepon, dusun, rw,
    rt, topik, tags, consent / keterangan), comma or semicolon separated, numbers in any Indonesian form.
    A number already in the village updates that contact with the row's non-empty cells. Every listed
    resident subscribes (source `csv_import`, with `consent_evidence`, at least 5 characters saying where
    consent was given) unless the row says no (tidak); someone who unsubscribed stays unsubscribed, and
    someone subscribed stays subscribed even when the row says no (a list never unsubscribes anyone:
    BERHENTI or a change of the contact does); both are listed in `notes` by row number. One
    transaction: all of it, or nothing."""
    evidence = (
        consent_evidence or upload.fields.get("consent_evidence") or upload.fields.get("consent_source")
    )
    dry = dry_run or _flag(upload.fields.get("dry_run", ""), "dry_run")
    with refused_as_unprocessable():
        report = csv_import.import_csv(
            session=session,
            village_id=scope.village_id,
            data=upload.data,
            consent_evidence=evidence,
            now=now,
            actor=scope.actor,
            dry_run=dry,
        )
    if not dry:
        scope.audit(session, "contact.import", now, detail=report.counts())
    return ImportPublic.model_validate(report)


@router.get("/{contact_id}", responses={**NOT_FOUND})
def get_contact(contact_id: PathId, scope: ContactReader, session: SessionDep) -> ContactDetail:
    """One contact, with its consent history."""
    return _detail(session, scope, contact_id)


@router.patch("/{contact_id}", responses={**NOT_FOUND, **TAKEN})
def update_contact(
    contact_id: PathId, body: ContactUpdate, scope: ContactWriter, session: SessionDep, now: NowDep
) -> ContactDetail:
    """Change a contact. A subscription change records a consent event from source `staff`; subscribing
    (again, too, after the resident unsubscribed) needs `consent_evidence`."""
    with refused_as_unprocessable():
        record, changed = edits.update(
            session=session,
            village_id=scope.village_id,
            contact_id=contact_id,
            changes=body.to_changes(),
            now=now,
            actor=scope.actor,
        )
    if changed:
        scope.audit(session, "contact.update", now, target=f"contact:{record.id}", detail={"fields": changed})
    return _detail(session, scope, record.id)
