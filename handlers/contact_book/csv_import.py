"""A cadre's CSV list of residents imported as one change (`import_csv`), or tried (`dry_run`): new
contacts created, known ones updated with the row's non-empty cells, each row subscribed with the
import's evidence unless its consent cell says no; what was left out and why in the `ImportReport`.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, insert, select
from sqlalchemy import update as sa_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from broadcasts import consent
from handlers.contact_book.fields import (
    parse_area_number,
    parse_dusun,
    parse_evidence,
    parse_name,
    parse_phone,
    parse_tags,
    parse_topics,
    parse_whatsapp_id,
    short,
)
from handlers.contact_book.records import (
    CHUNK,
    IDENTITY_WHAT,
    RECORD_COLUMNS,
    ContactRecord,
    known_dusun,
    new_contact_row,
    owners_of,
    records_of,
    replace_identity,
    set_topics,
)
from handlers.contact_book.sheet import Sheet, read_sheet
from models import IdentityKind, SubscriptionState
from models.errors import BadRequest, Conflict
from models.tables import CONSENT, CONTACT, IDENTITY, TOPIC

IMPORT_SOURCE = "csv_import"


class RejectReason(StrEnum):
    """Why an import row was left out."""

    MISSING_PHONE = "missing_phone"
    BAD_NUMBER = "bad_number"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    BAD_VALUE = "bad_value"  # a dusun, RT, RW, topic, tag, name or consent it cannot take
    CONFLICT = "conflict"  # its phone and its WhatsApp id belong to two different contacts


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row left out, by its spreadsheet row number (the header is row 1)."""

    row: int
    reason: RejectReason
    message: str


@dataclass(frozen=True, slots=True)
class RowNote:
    """Something worth knowing about a row that was imported."""

    row: int
    contact_id: int | None
    message: str


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    dry_run: bool
    encoding: str
    delimiter: str
    columns: dict[str, str]
    ignored_columns: list[str]
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_empty: int = 0
    subscribed: int = 0
    kept_unsubscribed: int = 0
    kept_subscribed: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[RowNote] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Rows left out."""
        return len(self.rejections)

    def counts(self) -> dict[str, int]:
        """The figures, for the audit log."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "skipped_empty": self.skipped_empty,
            "subscribed": self.subscribed,
            "kept_unsubscribed": self.kept_unsubscribed,
            "kept_subscribed": self.kept_subscribed,
        }


class _Rejected(Exception):
    def __init__(self, reason: RejectReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(slots=True)
class _Row:
    number: int
    phone: str | None
    whatsapp_id: str | None
    name: str | None
    dusun: str | None
    rw: int | None
    rt: int | None
    tags: str | None  # None: the cell was empty, keep what the contact has
    topics: tuple[str, ...] | None
    consent: bool
    note: str | None


_YES = {"ya", "y", "yes", "iya", "setuju", "bersedia", "mau", "1", "true", "ok", "oke", "v", "\u2713"}
_NO = {"tidak", "tdk", "t", "no", "n", "0", "false", "ga", "gak", "nggak", "enggak", "menolak", "tolak"}
_NO |= {"belum", "berhenti", "stop", "-", "tidak setuju", "tidak bersedia", "tidak mau"}
_REFUSAL = re.compile(r"\b(?:tidak|tdk|gak|ga|nggak|enggak|menolak|tolak|berhenti|stop|no)\b", re.IGNORECASE)


def _consent(cells: Mapping[str, str], raw_consent: str | None) -> tuple[bool, str | None]:
    note = cells.get("note") or None
    if raw_consent is not None:
        value = " ".join(raw_consent.lower().split())
        if value in _NO:
            return False, note
        if value in _YES:
            return True, note
        if value:
            raise _Rejected(RejectReason.BAD_VALUE, f"consent {short(raw_consent)!r} is neither ya nor tidak")
    # keterangan is free text: any refusal word in it means no; otherwise it travels with the evidence.
    if note and _REFUSAL.search(note):
        return False, note
    return True, note


def _parse_row(number: int, cells: Mapping[str, str], raw_consent: str | None, known: Sequence[str]) -> _Row:
    phone_cell, user_cell = cells.get("phone", ""), cells.get("whatsapp_id", "")
    if not phone_cell and not user_cell:
        raise _Rejected(RejectReason.MISSING_PHONE, "no phone number")
    try:
        phone = parse_phone(phone_cell) if phone_cell else None
    except BadRequest as error:
        raise _Rejected(RejectReason.BAD_NUMBER, error.message) from error
    try:
        user = parse_whatsapp_id(user_cell) if user_cell else None
        rt, rw = cells.get("rt", ""), cells.get("rw", "")
        if cells.get("rt_rw"):
            parts = re.split(r"[/\\\-]", cells["rt_rw"])
            if len(parts) != 2:
                raise BadRequest(f"rt/rw {short(cells['rt_rw'])!r} is not like 02/01")
            rt, rw = rt or parts[0], rw or parts[1]
        consent_given, note = _consent(cells, raw_consent)
        return _Row(
            number=number,
            phone=phone,
            whatsapp_id=user,
            name=parse_name(cells.get("name")),
            dusun=parse_dusun(cells.get("dusun"), known),
            rw=parse_area_number(rw, "rw"),
            rt=parse_area_number(rt, "rt"),
            tags=(parse_tags(_split(cells["tags"])) or None) if cells.get("tags") else None,
            topics=parse_topics(_split(cells["topics"])) if cells.get("topics") else None,
            consent=consent_given,
            note=short(note) if note else None,
        )
    except BadRequest as error:
        raise _Rejected(RejectReason.BAD_VALUE, error.message) from error


def _row_evidence(evidence: str, row: _Row) -> str:
    return f"{evidence}, row {row.number}" + (f": {row.note}" if row.note else "")


def import_csv(
    *,
    session: Session,
    village_id: int,
    data: bytes,
    consent_evidence: str | None,
    now: datetime,
    actor: str,
    dry_run: bool = False,
) -> ImportReport:
    """Create and update contacts from a cadre's CSV list, as one change; `dry_run` writes nothing.

    A row whose phone (or WhatsApp id) is already a contact updates it with its non-empty cells;
    re-importing a file changes nothing. Every row subscribes (source "csv_import", with the import's
    evidence and row number) unless its consent cell says no; a contact who unsubscribed stays
    unsubscribed, because their own BERHENTI outranks a list whose date nobody knows. Likewise a row
    that says no never unsubscribes a contact who is subscribed (by their own DAFTAR or an earlier
    consent): it is kept so and noted in `notes` (with `kept_subscribed` counting them), since only
    BERHENTI or a staff change one by one unsubscribes.
    """
    evidence = parse_evidence(consent_evidence, actor)
    sheet = read_sheet(data)
    connection = session.connection()
    known = known_dusun(connection, village_id)
    report = ImportReport(
        dry_run=dry_run,
        encoding=sheet.encoding,
        delimiter=sheet.delimiter,
        columns=sheet.columns,
        ignored_columns=list(sheet.ignored_columns),
        rows=len(sheet.rows),
        skipped_empty=sheet.skipped_empty,
    )
    parsed = _rows_of(sheet, known, report)
    new_rows, matched = _match(connection, village_id, parsed, report)
    report.rejections.sort(key=lambda rejection: rejection.row)

    try:
        _update_existing(connection, session, village_id, matched, evidence, now, report, dry_run)
        _create_new(connection, village_id, new_rows, evidence, now, report, dry_run, actor)
    except IntegrityError as error:  # a concurrent change took a number this import wanted
        raise Conflict("contacts changed while importing; nothing was imported: try again") from error
    return report


def _rows_of(sheet: Sheet, known: Sequence[str], report: ImportReport) -> list[_Row]:
    """The sheet's rows that read, each phone and WhatsApp id once; the others rejected in `report`."""
    parsed: list[_Row] = []
    first_seen: dict[tuple[IdentityKind, str], int] = {}
    for number, cells in sheet.rows:
        try:
            row = _parse_row(
                number, cells, cells.get("consent") if "consent" in sheet.columns else None, known
            )
        except _Rejected as rejected:
            report.rejections.append(Rejection(number, rejected.reason, rejected.message))
            continue
        keys = [
            (kind, value)
            for kind, value in (
                (IdentityKind.PHONE, row.phone),
                (IdentityKind.WHATSAPP_USER, row.whatsapp_id),
            )
            if value
        ]
        seen = next((key for key in keys if key in first_seen), None)
        if seen is not None:
            message = f"the same {IDENTITY_WHAT[seen[0]]} as row {first_seen[seen]}"
            report.rejections.append(Rejection(number, RejectReason.DUPLICATE_IN_FILE, message))
            continue
        first_seen.update(dict.fromkeys(keys, number))
        parsed.append(row)
    return parsed


def _match(
    connection: Connection, village_id: int, parsed: Sequence[_Row], report: ImportReport
) -> tuple[list[_Row], dict[int, _Row]]:
    """The rows that are new contacts, and those that update one (contact id -> row); a row whose phone
    and WhatsApp id belong to two contacts, or a second row for one contact, rejected in `report`."""
    by_phone = owners_of(connection, village_id, IdentityKind.PHONE, [r.phone for r in parsed if r.phone])
    by_user = owners_of(
        connection, village_id, IdentityKind.WHATSAPP_USER, [r.whatsapp_id for r in parsed if r.whatsapp_id]
    )
    new_rows: list[_Row] = []
    matched: dict[int, _Row] = {}
    for row in parsed:
        owners = {by_phone.get(row.phone or ""), by_user.get(row.whatsapp_id or "")} - {None}
        if len(owners) > 1:
            message = "its phone number and its WhatsApp id belong to two different contacts"
            report.rejections.append(Rejection(row.number, RejectReason.CONFLICT, message))
        elif owners:
            contact_id = owners.pop()
            assert contact_id is not None
            if contact_id in matched:
                message = f"row {matched[contact_id].number} already updates the same contact"
                report.rejections.append(Rejection(row.number, RejectReason.DUPLICATE_IN_FILE, message))
            else:
                matched[contact_id] = row
        else:
            new_rows.append(row)
    return new_rows, matched


def _update_existing(
    connection: Connection,
    session: Session,
    village_id: int,
    matched: Mapping[int, _Row],
    evidence: str,
    now: datetime,
    report: ImportReport,
    dry_run: bool,
) -> None:
    ids = sorted(matched)
    query = select(*RECORD_COLUMNS).where(CONTACT.c.village_id == village_id)
    if len(ids) <= CHUNK:
        query = query.where(CONTACT.c.id.in_(ids))
    rows = [row for row in connection.execute(query) if row.id in matched]
    current = {record.id: record for record in records_of(connection, rows, village_id)}
    for contact_id in ids:
        row, record = matched[contact_id], current[contact_id]
        columns = {
            key: value
            for key, value in (("name", row.name), ("dusun", row.dusun), ("rw", row.rw), ("rt", row.rt))
            if value is not None and value != getattr(record, key)
        }
        if row.tags is not None and row.tags != ",".join(record.tags):
            columns["tags"] = row.tags
        new_topics = row.topics is not None and set(row.topics) != set(record.topics)
        identities = [
            (kind, old, new)
            for kind, old, new in (
                (IdentityKind.PHONE, record.phone, row.phone),
                (IdentityKind.WHATSAPP_USER, record.whatsapp_id, row.whatsapp_id),
            )
            if new is not None and new != old
        ]
        subscribe = row.consent and record.subscription == SubscriptionState.NEVER
        _note_kept_consent(report, row, record)
        if not (columns or new_topics or identities or subscribe):
            report.unchanged += 1
            continue
        report.updated += 1
        report.subscribed += int(subscribe)
        if dry_run:
            continue
        for kind, old, new in identities:
            replace_identity(connection, village_id, contact_id, kind, old, new)
        if columns:
            connection.execute(sa_update(CONTACT).where(CONTACT.c.id == contact_id).values(**columns))
        if new_topics and row.topics is not None:
            set_topics(connection, contact_id, row.topics)
        if subscribe:
            consent.change(
                session=session,
                contact_id=contact_id,
                state=SubscriptionState.SUBSCRIBED,
                source=IMPORT_SOURCE,
                now=now,
                current=record.subscription,
                evidence=_row_evidence(evidence, row),
            )


def _note_kept_consent(report: ImportReport, row: _Row, record: ContactRecord) -> None:
    """Note a row whose consent cell the contact's own choice outranks: kept unsubscribed (their
    BERHENTI), or kept subscribed (their DAFTAR, or an earlier consent)."""
    contact_id = record.id
    if row.consent and record.subscription == SubscriptionState.UNSUBSCRIBED:
        report.kept_unsubscribed += 1
        message = "kept unsubscribed: they asked to stop; re-subscribe them one by one with fresh evidence"
        report.notes.append(RowNote(row.number, contact_id, message))
    if not row.consent and record.subscription == SubscriptionState.SUBSCRIBED:
        # Their own DAFTAR, or an earlier consent, stands: only they (BERHENTI) or staff, one by
        # one, unsubscribe someone; a list is not told apart from an old or a mistaken one.
        report.kept_subscribed += 1
        message = (
            "list says no consent; contact stays subscribed "
            f"(unsubscribe with BERHENTI or PATCH /contacts/{contact_id} subscribed: false)"
        )
        report.notes.append(RowNote(row.number, contact_id, message))


def _create_new(
    connection: Connection,
    village_id: int,
    rows: Sequence[_Row],
    evidence: str,
    now: datetime,
    report: ImportReport,
    dry_run: bool,
    actor: str,
) -> None:
    report.created = len(rows)
    report.subscribed += sum(row.consent for row in rows)
    if dry_run or not rows:
        return
    # In bulk: a list of 20,000 residents is a few statements, not 80,000.
    values = [
        new_contact_row(
            village_id,
            now,
            name=row.name,
            dusun=row.dusun,
            rw=row.rw,
            rt=row.rt,
            tags=row.tags or "",
            subscription=SubscriptionState.SUBSCRIBED if row.consent else SubscriptionState.NEVER,
            subscription_changed_at=now if row.consent else None,
            created_by=actor,
        )
        for row in rows
    ]
    statement = insert(CONTACT).returning(CONTACT.c.id, sort_by_parameter_order=True)
    ids: list[int] = list(connection.execute(statement, values).scalars())
    identities = [
        {"village_id": village_id, "contact_id": contact_id, "kind": kind, "value": value}
        for contact_id, row in zip(ids, rows, strict=True)
        for kind, value in ((IdentityKind.PHONE, row.phone), (IdentityKind.WHATSAPP_USER, row.whatsapp_id))
        if value
    ]
    connection.execute(insert(IDENTITY), identities)
    topics = [
        {"contact_id": contact_id, "topic": topic}
        for contact_id, row in zip(ids, rows, strict=True)
        for topic in row.topics or ()
    ]
    if topics:
        connection.execute(insert(TOPIC), topics)
    events = [
        {
            "contact_id": contact_id,
            "state": SubscriptionState.SUBSCRIBED,
            "source": IMPORT_SOURCE,
            "channel": None,
            "evidence": _row_evidence(evidence, row)[:500],
            "message_id": None,
            "created_at": now,
        }
        for contact_id, row in zip(ids, rows, strict=True)
        if row.consent
    ]
    if events:
        connection.execute(insert(CONSENT), events)


def _split(cell: str) -> list[str]:
    return [part for part in re.split(r"[;,|]", cell) if part.strip()]
