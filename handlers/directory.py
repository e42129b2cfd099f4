"""Contacts as cadres keep them: create, edit and search, and the CSV lists of their spreadsheets.

Plain functions over a session; the boundary owns the transaction. Numbers are stored E.164
(models/phone.py) whatever form a spreadsheet left them in. Every consent change goes through
broadcasts.consent with its source ("staff" here, "csv_import" for an import) and its evidence: where the
resident agreed, and which staff member vouched for it.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Row, case, delete, exists, func, insert, or_, select
from sqlalchemy import update as sa_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from broadcasts import consent
from broadcasts.consent import CONSENT, TOPIC
from handlers.contacts import AREA, CONTACT, IDENTITY
from models import AreaKind, Channel, IdentityKind, Pending, SubscriptionState, Topic
from models.errors import BadRequest, Conflict, KentonganError, NotFound
from models.phone import to_e164

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
STAFF_SOURCE = "staff"
IMPORT_SOURCE = "csv_import"
# The columns of an export, which an import reads back: a round trip changes nothing.
COLUMNS = ("name", "phone", "whatsapp_id", "dusun", "rw", "rt", "topics", "tags", "consent")
EVIDENCE_MIN, EVIDENCE_MAX = 5, 400
NAME_MAX, DUSUN_MAX, TAG_MAX, TAGS_MAX = 120, 80, 40, 255
_CHUNK = 500  # values per IN (...): far below SQLite's and PostgreSQL's parameter limits

T = TypeVar("T")


class TooLarge(KentonganError):
    """An upload over the size or row limit."""

    status_code = 413


# --- cells and values ----------------------------------------------------------------------------

# What a spreadsheet may run as a formula (CSV injection); fullwidth forms too, which some normalise.
_FORMULA = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_EMPTY = {"", "-", "\u2013", "\u2014"}  # a dash is how Indonesian spreadsheets often leave a cell blank
_SCIENTIFIC = re.compile(r"([0-9]+)(?:[.,]([0-9]*))?[eE]\+?([0-9]{1,2})")
_FLOAT_ZERO = re.compile(r"([0-9]+)[.,]0+")  # 81234567890.0: a number column read as float
_PHONE_CHARS = re.compile(r"\+?[0-9()\-. ]+")
_WHATSAPP_USER = re.compile(r"[A-Z]{2}\.[A-Za-z0-9.]{1,61}")  # a WhatsApp user without a phone: ID.1349...
_NUMBER_QUERY = re.compile(r"[0-9+()\-. ]+")
_AREA_NUMBER = re.compile(r"(?:r[tw]\.?\s*)?0*([0-9]{1,3})(?:[.,]0+)?", re.IGNORECASE)
_DUSUN_PREFIX = re.compile(r"^(?:dusun|dsn\.?|dukuh)\s+", re.IGNORECASE)
_TOPIC_ORDER = {topic.value: index for index, topic in enumerate(Topic)}
_TOPIC_ALIASES = {"dana": "dana_desa", "apbdes": "dana_desa", "dd": "dana_desa", "rapat": "jadwal"}
_ALL_TOPICS = {"semua", "all", "*"}


def escape_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula: a leading = + - @ (tab, CR) gets a quote."""
    return "'" + value if value[:1] in _FORMULA else value


def unescape_cell(value: str) -> str:
    """The cell as it was before `escape_cell`, so that an exported list imports unchanged."""
    if len(value) > 1 and value[0] == "'" and value[1] in _FORMULA:
        return value[1:]
    return value


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def parse_phone(raw: str) -> str:
    """An Indonesian number in any form a person or a spreadsheet writes it, as E.164; BadRequest if not.

    Accepts 0812..., 62812..., +62 812-..., 812... (Excel dropped the 0), 81234567890.0 and scientific
    notation when no digit was lost. Excel's rounded forms (8.12345E+11) lost their last digits: guessing
    them would message a stranger, so they are refused with the fix.
    """
    text = unescape_cell(" ".join(raw.replace("\u00a0", " ").split()))
    if text.startswith("'"):  # Excel's marker for a number kept as text
        text = text[1:].strip()
    if not text:
        raise BadRequest("missing phone number")
    compact = text.replace(" ", "")
    scientific = _SCIENTIFIC.fullmatch(compact)
    if scientific:
        whole, fraction, exponent = scientific.group(1), scientific.group(2) or "", int(scientific.group(3))
        if exponent != len(fraction):
            raise BadRequest(
                f"{_short(text)!r} was rounded by Excel and lost its last digits: format the column as "
                "Text, type the numbers again and export"
            )
        compact = whole + fraction
    elif zero := _FLOAT_ZERO.fullmatch(compact):
        compact = zero.group(1)
    elif not _PHONE_CHARS.fullmatch(text):
        # Letters would be read as a keypad word (0812ABC -> 0812222), slashes mean two numbers in one cell.
        raise BadRequest(f"{_short(text)!r} is not a phone number")
    if len(compact) > 24:
        raise BadRequest(f"{_short(text)!r} is not a phone number")
    number = to_e164(compact)
    if number is None:
        raise BadRequest(f"{_short(text)!r} is not a valid phone number")
    return number


def parse_whatsapp_id(raw: str) -> str:
    """A WhatsApp user id of someone who shares no phone number (ID.1349120865...); BadRequest if not."""
    text = raw.strip()
    if not _WHATSAPP_USER.fullmatch(text):
        raise BadRequest(f"{_short(text)!r} is not a WhatsApp user id (like ID.13491208655302741918)")
    return text


def _name(raw: str | None) -> str | None:
    text = " ".join((raw or "").split())
    if len(text) > NAME_MAX:
        raise BadRequest(f"name longer than {NAME_MAX} characters")
    return text or None


def _area_number(raw: str | int | None, what: str) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, int):
        number = raw
    else:
        text = raw.strip()
        if not text:
            return None
        match = _AREA_NUMBER.fullmatch(text)
        if not match:
            raise BadRequest(f"{what} {_short(text)!r} is not a number")
        number = int(match.group(1))
    if not 0 <= number <= 999:
        raise BadRequest(f"{what} {number} is out of range (0-999)")
    return number


def _tags(values: Iterable[str]) -> str:
    tags: list[str] = []
    for value in values:
        tag = " ".join(value.split())
        if not tag:
            continue
        if "," in tag or ";" in tag:
            raise BadRequest(f"tag {_short(tag)!r} contains a comma or semicolon")
        if len(tag) > TAG_MAX:
            raise BadRequest(f"tag {_short(tag)!r} is longer than {TAG_MAX} characters")
        if tag not in tags:
            tags.append(tag)
    joined = ",".join(tags)
    if len(joined) > TAGS_MAX:
        raise BadRequest(f"tags are longer than {TAGS_MAX} characters together")
    return joined


def _topics(values: Iterable[str]) -> tuple[str, ...]:
    topics: list[str] = []
    for value in values:
        key = re.sub(r"[\s\-]+", "_", value.strip().lower())
        if not key:
            continue
        if key in _ALL_TOPICS:
            return ()  # no topic chosen means every topic
        key = _TOPIC_ALIASES.get(key, key)
        if key not in _TOPIC_ORDER:
            known = ", ".join(_TOPIC_ORDER)
            raise BadRequest(f"unknown topic {_short(value.strip())!r} (known: {known})")
        if key not in topics:
            topics.append(key)
    return _ordered(topics)


def _ordered(topics: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(topics, key=lambda topic: (_TOPIC_ORDER.get(topic, len(_TOPIC_ORDER)), topic)))


def _split(cell: str) -> list[str]:
    return [part for part in re.split(r"[;,|]", cell) if part.strip()]


def _evidence(raw: str | None, actor: str) -> str:
    text = " ".join((raw or "").replace("\x00", "").split())  # PostgreSQL stores no NUL
    if not text:
        raise BadRequest(
            "consent_evidence is required to subscribe someone: say where and when they agreed "
            "(e.g. 'daftar hadir Musdes 12/11')"
        )
    if len(text) < EVIDENCE_MIN:
        raise BadRequest(
            f"consent_evidence must be at least {EVIDENCE_MIN} characters ({_short(text)!r} is"
            f" {len(text)}): say where and when consent was given, e.g. 'daftar hadir Musdes 12/11'"
        )
    if len(text) > EVIDENCE_MAX:
        raise BadRequest(f"consent_evidence is longer than {EVIDENCE_MAX} characters")
    return f"{text} ({actor})"  # who vouched for it travels with the record


def _known_dusun(connection: Connection, village_id: int) -> list[str]:
    query = select(AREA.c.name).where(AREA.c.village_id == village_id, AREA.c.kind == AreaKind.DUSUN)
    return sorted(connection.execute(query).scalars())


def _dusun(raw: str | None, known: Sequence[str]) -> str | None:
    """The dusun as the village spells it; BadRequest for one it does not have (when it lists any).

    An unknown spelling would silently drop the resident from every broadcast to their dusun.
    """
    text = " ".join((raw or "").split())
    if not text:
        return None
    if not known:
        if len(text) > DUSUN_MAX:
            raise BadRequest(f"dusun longer than {DUSUN_MAX} characters")
        return text
    bare = _DUSUN_PREFIX.sub("", text).lower()
    for name in known:
        if name.lower() in (text.lower(), bare):
            return name
    raise BadRequest(f"no dusun {_short(text)!r} in this village (known: {', '.join(known)})")


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """A contact as staff see it: its fields, its phone and WhatsApp id, and the topics it chose."""

    id: int
    name: str | None
    phone: str | None
    whatsapp_id: str | None
    dusun: str | None
    rw: int | None
    rt: int | None
    tags: tuple[str, ...]
    topics: tuple[str, ...]
    preferred_channel: Channel | None
    subscription: SubscriptionState
    subscription_changed_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """One consent change of a contact."""

    state: SubscriptionState
    source: str
    channel: Channel | None
    evidence: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Filters:
    """What a search narrows by: every filter given must hold."""

    q: str | None = None  # a name fragment, or a number fragment (three digits or more)
    dusun: str | None = None
    rw: int | None = None
    rt: int | None = None
    topic: str | None = None  # contacts who take it: chose it, or chose no topic (every topic)
    tag: str | None = None
    subscription: SubscriptionState | None = None

    def used(self) -> list[str]:
        """The names of the filters given (for the audit log: never their values, `q` may be a number)."""
        return [name for name in self.__dataclass_fields__ if getattr(self, name) not in (None, "")]


_COLUMNS = (
    CONTACT.c.id,
    CONTACT.c.name,
    CONTACT.c.dusun,
    CONTACT.c.rw,
    CONTACT.c.rt,
    CONTACT.c.tags,
    CONTACT.c.preferred_channel,
    CONTACT.c.subscription,
    CONTACT.c.subscription_changed_at,
    CONTACT.c.created_at,
)
# By name (nameless last, the same on SQLite and PostgreSQL), then by id so that pages are stable.
_ORDER = (case((CONTACT.c.name.is_(None), 1), else_=0), func.lower(CONTACT.c.name), CONTACT.c.id)


def _chunks(values: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _records(
    connection: Connection, rows: Sequence[Row[*tuple[Any, ...]]], village_id: int | None = None
) -> list[ContactRecord]:
    """Contact rows with their identities and topics; given the village, many rows are read in one pass
    over it rather than a query per few hundred ids (freshly imported tables may have no statistics yet,
    and PostgreSQL then plans long IN lists badly)."""
    ids = [row.id for row in rows]
    scopes: list[tuple[ColumnElement[bool], ColumnElement[bool]]]
    if village_id is not None and len(ids) > _CHUNK:
        of_village = select(CONTACT.c.id).where(CONTACT.c.village_id == village_id)
        scopes = [(IDENTITY.c.village_id == village_id, TOPIC.c.contact_id.in_(of_village))]
    else:
        scopes = [(IDENTITY.c.contact_id.in_(chunk), TOPIC.c.contact_id.in_(chunk)) for chunk in _chunks(ids)]
    phones: dict[int, str] = {}
    users: dict[int, str] = {}
    topics: dict[int, list[str]] = {}
    for identity_scope, topic_scope in scopes:
        identities = select(IDENTITY.c.contact_id, IDENTITY.c.kind, IDENTITY.c.value).where(identity_scope)
        for contact_id, kind, value in connection.execute(identities):
            found = phones if kind == IdentityKind.PHONE else users
            if contact_id not in found or value < found[contact_id]:  # the same one audiences use
                found[contact_id] = value
        chosen = select(TOPIC.c.contact_id, TOPIC.c.topic).where(topic_scope)
        for contact_id, topic in connection.execute(chosen):
            topics.setdefault(contact_id, []).append(topic)
    return [
        ContactRecord(
            id=row.id,
            name=row.name,
            phone=phones.get(row.id),
            whatsapp_id=users.get(row.id),
            dusun=row.dusun,
            rw=row.rw,
            rt=row.rt,
            tags=tuple(tag for tag in (row.tags or "").split(",") if tag),
            topics=_ordered(topics.get(row.id, ())),
            preferred_channel=row.preferred_channel,
            subscription=row.subscription,
            subscription_changed_at=row.subscription_changed_at,
            created_at=row.created_at,
        )
        for row in rows
    ]


def _matches(q: str) -> ColumnElement[bool]:
    text = q.strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 3 and _NUMBER_QUERY.fullmatch(text):
        fragments = [digits]
        if digits.startswith("0"):  # 0812... is +62812... as stored; 0001 may be the number's end
            fragments.append("62" + digits[1:])
        return exists().where(
            IDENTITY.c.contact_id == CONTACT.c.id,
            IDENTITY.c.kind == IdentityKind.PHONE,
            or_(*(IDENTITY.c.value.contains(fragment) for fragment in fragments)),
        )
    return func.lower(CONTACT.c.name).contains(text.lower(), autoescape=True)


def _conditions(village_id: int, filters: Filters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [CONTACT.c.village_id == village_id]
    if filters.q and filters.q.strip():
        conditions.append(_matches(filters.q))
    if filters.dusun:
        conditions.append(func.lower(CONTACT.c.dusun) == filters.dusun.strip().lower())
    if filters.rw is not None:
        conditions.append(CONTACT.c.rw == filters.rw)
    if filters.rt is not None:
        conditions.append(CONTACT.c.rt == filters.rt)
    if filters.topic:
        chose_any = exists().where(TOPIC.c.contact_id == CONTACT.c.id)
        chose_it = exists().where(TOPIC.c.contact_id == CONTACT.c.id, TOPIC.c.topic == filters.topic)
        conditions.append(or_(~chose_any, chose_it))
    if filters.tag:
        padded = "," + func.coalesce(CONTACT.c.tags, "") + ","
        conditions.append(padded.contains("," + filters.tag.strip() + ",", autoescape=True))
    if filters.subscription is not None:
        conditions.append(CONTACT.c.subscription == filters.subscription)
    return conditions


def get(*, session: Session, village_id: int, contact_id: int) -> ContactRecord:
    """One contact of the village; NotFound for another village's (whether it exists does not leak)."""
    connection = session.connection()
    row = connection.execute(
        select(*_COLUMNS).where(CONTACT.c.id == contact_id, CONTACT.c.village_id == village_id)
    ).first()
    if row is None:
        raise NotFound(f"no contact {contact_id}")
    return _records(connection, [row])[0]


def search(
    *, session: Session, village_id: int, filters: Filters, limit: int = 50, offset: int = 0
) -> list[ContactRecord]:
    """The village's contacts matching the filters, by name."""
    connection = session.connection()
    rows = connection.execute(
        select(*_COLUMNS)
        .where(*_conditions(village_id, filters))
        .order_by(*_ORDER)
        .limit(limit)
        .offset(offset)
    ).all()
    return _records(connection, rows)


def consent_history(*, session: Session, contact_id: int) -> list[ConsentRecord]:
    """Every consent change of a contact, latest first."""
    rows = (
        session.connection()
        .execute(
            select(
                CONSENT.c.state, CONSENT.c.source, CONSENT.c.channel, CONSENT.c.evidence, CONSENT.c.created_at
            )
            .where(CONSENT.c.contact_id == contact_id)
            .order_by(CONSENT.c.created_at.desc(), CONSENT.c.id.desc())
        )
        .all()
    )
    return [ConsentRecord(*row) for row in rows]


# --- writing -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactDraft:
    """A new contact as staff give it: the phone in any Indonesian format, a phone or a WhatsApp id."""

    name: str | None = None
    phone: str | None = None
    whatsapp_id: str | None = None
    dusun: str | None = None
    rw: int | None = None
    rt: int | None = None
    tags: Sequence[str] = ()
    topics: Sequence[str] = ()
    preferred_channel: Channel | None = None
    subscribed: bool = False
    consent_evidence: str | None = None


@dataclass(frozen=True, slots=True)
class ContactChanges:
    """Fields to change (only those given; None clears one), and a subscription change with its evidence."""

    values: Mapping[str, Any] = field(default_factory=dict)
    subscribed: bool | None = None
    consent_evidence: str | None = None


EDITABLE = ("name", "phone", "whatsapp_id", "dusun", "rw", "rt", "tags", "topics", "preferred_channel")
_WHAT = {IdentityKind.PHONE: "phone number", IdentityKind.WHATSAPP_USER: "WhatsApp id"}
_RACE = "this {} was just given to another contact; try again"


def _owner(connection: Connection, village_id: int, kind: IdentityKind, value: str) -> int | None:
    owner: int | None = connection.execute(
        select(IDENTITY.c.contact_id).where(
            IDENTITY.c.village_id == village_id, IDENTITY.c.kind == kind, IDENTITY.c.value == value
        )
    ).scalar()
    return owner


def _owners(
    connection: Connection, village_id: int, kind: IdentityKind, values: Sequence[str]
) -> dict[str, int]:
    mine = (IDENTITY.c.village_id == village_id, IDENTITY.c.kind == kind)
    if len(values) > _CHUNK:  # a long list: one pass over the village (see _records)
        wanted = set(values)
        rows = connection.execute(select(IDENTITY.c.value, IDENTITY.c.contact_id).where(*mine))
        return {value: contact_id for value, contact_id in rows if value in wanted}
    rows = connection.execute(
        select(IDENTITY.c.value, IDENTITY.c.contact_id).where(*mine, IDENTITY.c.value.in_(values))
    )
    return {value: contact_id for value, contact_id in rows}


def _set_topics(connection: Connection, contact_id: int, topics: Sequence[str]) -> None:
    connection.execute(delete(TOPIC).where(TOPIC.c.contact_id == contact_id))
    if topics:
        connection.execute(insert(TOPIC), [{"contact_id": contact_id, "topic": topic} for topic in topics])


def _new_contact(village_id: int, now: datetime, **values: Any) -> dict[str, Any]:
    return {
        "village_id": village_id,
        "subscription": SubscriptionState.NEVER,
        "pending": Pending.NONE,
        "loop_count": 0,
        "tags": "",
        "created_at": now,
        **values,
    }


def create(
    *, session: Session, village_id: int, draft: ContactDraft, now: datetime, actor: str
) -> ContactRecord:
    """Add a contact; Conflict (naming the owner) when its phone or WhatsApp id is taken in the village.

    Subscribing needs `consent_evidence`; it is recorded as a ConsentEvent from source "staff".
    """
    connection = session.connection()
    identities = {
        IdentityKind.PHONE: parse_phone(draft.phone) if draft.phone else None,
        IdentityKind.WHATSAPP_USER: parse_whatsapp_id(draft.whatsapp_id) if draft.whatsapp_id else None,
    }
    if not any(identities.values()):
        raise BadRequest("give a phone number or a WhatsApp id")
    for kind, value in identities.items():
        owner = _owner(connection, village_id, kind, value) if value else None
        if owner is not None:
            raise Conflict(f"this {_WHAT[kind]} already belongs to contact {owner}")
    evidence = _evidence(draft.consent_evidence, actor) if draft.subscribed else None
    values = _new_contact(
        village_id,
        now,
        name=_name(draft.name),
        dusun=_dusun(draft.dusun, _known_dusun(connection, village_id)),
        rw=_area_number(draft.rw, "rw"),
        rt=_area_number(draft.rt, "rt"),
        tags=_tags(draft.tags),
        preferred_channel=draft.preferred_channel,
    )
    topics = _topics(draft.topics)
    try:
        contact_id: int = connection.execute(insert(CONTACT).returning(CONTACT.c.id), values).scalar_one()
        connection.execute(
            insert(IDENTITY),
            [
                {"village_id": village_id, "contact_id": contact_id, "kind": kind, "value": value}
                for kind, value in identities.items()
                if value
            ],
        )
    except IntegrityError as error:  # a concurrent request took the number between the check and here
        raise Conflict(_RACE.format("phone number or WhatsApp id")) from error
    _set_topics(connection, contact_id, topics)
    if evidence is not None:
        consent.change(
            session=session,
            contact_id=contact_id,
            state=SubscriptionState.SUBSCRIBED,
            source=STAFF_SOURCE,
            now=now,
            current=SubscriptionState.NEVER,
            evidence=evidence,
        )
    return get(session=session, village_id=village_id, contact_id=contact_id)


def _replace_identity(
    connection: Connection,
    village_id: int,
    contact_id: int,
    kind: IdentityKind,
    old: str | None,
    new: str | None,
) -> None:
    mine = (IDENTITY.c.contact_id == contact_id, IDENTITY.c.kind == kind)
    try:
        if new is None:  # cleared: every identity of that kind goes, not only the one shown
            connection.execute(delete(IDENTITY).where(*mine))
        elif old is None:
            connection.execute(
                insert(IDENTITY).values(village_id=village_id, contact_id=contact_id, kind=kind, value=new)
            )
        else:
            connection.execute(sa_update(IDENTITY).where(*mine, IDENTITY.c.value == old).values(value=new))
    except IntegrityError as error:
        raise Conflict(_RACE.format(_WHAT[kind])) from error


def _column_changes(given: Mapping[str, Any], current: ContactRecord, known: Sequence[str]) -> dict[str, Any]:
    wanted: dict[str, Any] = {}
    if "name" in given:
        wanted["name"] = _name(given["name"])
    if "dusun" in given:
        wanted["dusun"] = _dusun(given["dusun"], known)
    for key in ("rw", "rt"):
        if key in given:
            wanted[key] = _area_number(given[key], key)
    if "preferred_channel" in given:
        wanted["preferred_channel"] = given["preferred_channel"]
    if "tags" in given:
        wanted["tags"] = _tags(given["tags"] or ())
    have = {**{key: getattr(current, key) for key in wanted}, "tags": ",".join(current.tags)}
    return {key: value for key, value in wanted.items() if value != have[key]}


def _identity_changes(
    connection: Connection, village_id: int, given: Mapping[str, Any], current: ContactRecord
) -> list[tuple[str, IdentityKind, str | None, str | None]]:
    """(field, kind, old, new) for each identity that changes; Conflict when another contact has it."""
    changes = []
    for key, kind, old in (
        ("phone", IdentityKind.PHONE, current.phone),
        ("whatsapp_id", IdentityKind.WHATSAPP_USER, current.whatsapp_id),
    ):
        if key not in given:
            continue
        raw = given[key]
        new = (parse_phone(raw) if kind == IdentityKind.PHONE else parse_whatsapp_id(raw)) if raw else None
        if new == old:
            continue
        owner = _owner(connection, village_id, kind, new) if new else None
        if owner is not None and owner != current.id:
            raise Conflict(f"this {_WHAT[kind]} already belongs to contact {owner}")
        changes.append((key, kind, old, new))
    after = {key: new for key, _, _, new in changes}
    if after.get("phone", current.phone) is None and after.get("whatsapp_id", current.whatsapp_id) is None:
        raise BadRequest("a contact needs a phone number or a WhatsApp id")
    return changes


def _subscription_change(
    current: ContactRecord, changes: ContactChanges, actor: str
) -> tuple[SubscriptionState, str] | None:
    """The consent state to record and its evidence, or None when the subscription stays as it is."""
    if changes.subscribed is True and current.subscription != SubscriptionState.SUBSCRIBED:
        unsubscribed = current.subscription == SubscriptionState.UNSUBSCRIBED
        if unsubscribed and not (changes.consent_evidence or "").strip():
            when = current.subscription_changed_at
            since = f" on {when:%Y-%m-%d}" if when else ""
            raise BadRequest(
                f"contact {current.id} unsubscribed{since}: subscribing them again needs consent_evidence "
                "saying where and when they agreed again"
            )
        return SubscriptionState.SUBSCRIBED, _evidence(changes.consent_evidence, actor)
    if changes.subscribed is False and current.subscription == SubscriptionState.SUBSCRIBED:
        note = " ".join((changes.consent_evidence or "").split())[:EVIDENCE_MAX]
        return SubscriptionState.UNSUBSCRIBED, f"{note} ({actor})" if note else f"({actor})"
    return None


def update(
    *,
    session: Session,
    village_id: int,
    contact_id: int,
    changes: ContactChanges,
    now: datetime,
    actor: str,
) -> tuple[ContactRecord, list[str]]:
    """Change a contact; returns it and the names of the fields that changed (never their values).

    A subscription needs `consent_evidence`, and so does a return after the resident unsubscribed: their
    own BERHENTI outranks an old list, so staff say where they agreed again.
    """
    current = get(session=session, village_id=village_id, contact_id=contact_id)
    unknown = set(changes.values) - set(EDITABLE)
    if unknown:
        raise BadRequest(f"cannot change {', '.join(sorted(unknown))}")
    connection = session.connection()
    given = changes.values
    # Everything is checked before anything is written.
    columns = _column_changes(given, current, _known_dusun(connection, village_id))
    identities = _identity_changes(connection, village_id, given, current)
    topics = _topics(given["topics"] or ()) if "topics" in given else current.topics
    subscription = _subscription_change(current, changes, actor)

    for _, kind, old, new in identities:
        _replace_identity(connection, village_id, contact_id, kind, old, new)
    if columns:
        connection.execute(sa_update(CONTACT).where(CONTACT.c.id == contact_id).values(**columns))
    if set(topics) != set(current.topics):
        _set_topics(connection, contact_id, topics)
    if subscription is not None:
        state, evidence = subscription
        consent.change(
            session=session,
            contact_id=contact_id,
            state=state,
            source=STAFF_SOURCE,
            now=now,
            current=current.subscription,
            evidence=evidence,
        )
    changed = {key for key, _, _, _ in identities} | set(columns)
    if set(topics) != set(current.topics):
        changed.add("topics")
    if subscription is not None:
        changed.add("subscription")
    ordered = [key for key in (*EDITABLE, "subscription") if key in changed]
    return get(session=session, village_id=village_id, contact_id=contact_id), ordered


# --- CSV -----------------------------------------------------------------------------------------

_PHONE_WORDS = {"phone", "hp", "nohp", "telepon", "telpon", "telp", "tlp", "handphone", "ponsel", "wa"}
_PHONE_WORDS |= {"whatsapp", "mobile", "gsm", "notelp", "msisdn"}
_WHATSAPP_ID_KEYS = {"whatsapp_id", "whatsapp_user_id", "wa_user_id", "user_id"}


def column_of(header: str) -> str | None:
    """Which field a spreadsheet's column header names (kind to cadres: 'No. HP', 'Nama Lengkap')."""
    key = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")
    words = set(key.split("_"))
    if key in _WHATSAPP_ID_KEYS:
        return "whatsapp_id"
    if "rt" in words and "rw" in words:
        return "rt_rw"
    for name, vocabulary in (
        ("rt", {"rt"}),
        ("rw", {"rw"}),
        ("dusun", {"dusun", "dsn", "dukuh"}),  # before the name: 'Nama Dusun' is a dusun
        ("phone", _PHONE_WORDS),
        ("name", {"nama", "name"}),
        ("topics", {"topics", "topic", "topik", "minat"}),
        ("tags", {"tags", "tag", "label", "kelompok"}),
        ("consent", {"consent", "persetujuan", "setuju", "bersedia", "langganan", "berlangganan"}),
        ("note", {"keterangan", "ket", "catatan", "note", "notes"}),
    ):
        if words & vocabulary:
            return name
    # 'nomor' alone is the number; 'No' alone (or 'Nomor Urut') is the row's running number.
    return "phone" if key in ("nomor", "nomer") else None


@dataclass(frozen=True, slots=True)
class Sheet:
    """A CSV file read: how, which columns mean what, and its non-empty rows by spreadsheet row number."""

    encoding: str
    delimiter: str
    columns: dict[str, str]  # field -> the header as written
    ignored_columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]
    skipped_empty: int


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadRequest("this is an Excel workbook, not CSV: in Excel choose Save As > CSV (UTF-8)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise BadRequest("the file starts as UTF-16 but is not") from error
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"  # what Windows Excel writes as "CSV"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _sniff(line: str) -> str:
    counts = dict.fromkeys((",", ";", "\t"), 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=counts.__getitem__)  # ties go to the comma, listed first
    return best if counts[best] else ","


def _strip(value: str) -> str:
    return unescape_cell(value.replace("\u00a0", " ").strip())


def _clean(value: str) -> str:
    text = _strip(value)
    return "" if text in _EMPTY else text


def read_sheet(data: bytes, *, max_rows: int = MAX_IMPORT_ROWS) -> Sheet:
    """Decode and split a CSV upload: UTF-8 (with or without BOM), UTF-16, Windows-1252 or Latin-1;
    comma, semicolon (Indonesian Excel) or tab, or Excel's `sep=` line. BadRequest when it has no header
    naming a phone column; TooLarge over `max_rows`."""
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLarge(f"the file is over {MAX_IMPORT_BYTES // (1024 * 1024)} MB: split it")
    text, encoding = _decode(data)
    text = text.removeprefix("\ufeff").removeprefix("ï»¿")
    if "\x00" in text:
        raise BadRequest("the file contains NUL bytes: it is not a text CSV")
    first_row = 1
    sep = re.match(r"sep=(.)\r?\n", text, re.IGNORECASE)
    if sep:
        delimiter, text, first_row = sep.group(1), text[sep.end() :], 2
    else:
        first_line = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = _sniff(first_line)
    if delimiter in ('"', "\r", "\n"):
        raise BadRequest("the sep= line names an impossible delimiter")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    fields: dict[int, str] = {}
    columns: dict[str, str] = {}
    ignored: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    skipped = 0
    number = first_row - 1
    try:
        for number, record in enumerate(reader, start=first_row):
            cells = [_strip(cell) for cell in record]
            if header is None:
                if any(_clean(cell) for cell in cells):
                    header = [_clean(cell) for cell in cells]
                    for index, name in enumerate(header):
                        field_name = column_of(name) if name else None
                        if field_name is None or field_name in columns:
                            if name:
                                ignored.append(name)
                            continue
                        fields[index], columns[field_name] = field_name, name
                    _check_header(header, columns)
                continue
            if not any(_clean(cell) for cell in cells):
                skipped += 1
                continue
            if len(rows) >= max_rows:
                raise TooLarge(f"more than {max_rows} rows: split the file")
            # A dash is a blank cell, except where it answers the consent question (then it means no).
            values = {
                name: cells[i] if name == "consent" else _clean(cells[i])
                for i, name in fields.items()
                if i < len(cells)
            }
            rows.append((number, values))
    except csv.Error as error:
        raise BadRequest(f"row {number + 1} is not valid CSV ({error})") from error
    if header is None:
        raise BadRequest("the file is empty")
    return Sheet(encoding, delimiter, columns, tuple(ignored), rows, skipped)


def _check_header(header: Sequence[str], columns: Mapping[str, str]) -> None:
    if "phone" in columns or "whatsapp_id" in columns:
        return
    for cell in header:
        try:
            parse_phone(cell)
        except BadRequest:
            continue
        raise BadRequest(
            "no header row: the first row holds data; add a row naming the columns "
            "(nama, hp, dusun, rw, rt, topik)"
        )
    # The cells are not repeated: errors are logged, and a first row may be a resident's name.
    known = ", ".join(columns) or "none"
    raise BadRequest(
        f"no phone column: name one hp, no_hp, nomor, telepon or phone "
        f"({sum(1 for cell in header if cell)} columns, recognised: {known})"
    )


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
            raise _Rejected(
                RejectReason.BAD_VALUE, f"consent {_short(raw_consent)!r} is neither ya nor tidak"
            )
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
                raise BadRequest(f"rt/rw {_short(cells['rt_rw'])!r} is not like 02/01")
            rt, rw = rt or parts[0], rw or parts[1]
        consent_given, note = _consent(cells, raw_consent)
        return _Row(
            number=number,
            phone=phone,
            whatsapp_id=user,
            name=_name(cells.get("name")),
            dusun=_dusun(cells.get("dusun"), known),
            rw=_area_number(rw, "rw"),
            rt=_area_number(rt, "rt"),
            tags=(_tags(_split(cells["tags"])) or None) if cells.get("tags") else None,
            topics=_topics(_split(cells["topics"])) if cells.get("topics") else None,
            consent=consent_given,
            note=_short(note) if note else None,
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
    evidence = _evidence(consent_evidence, actor)
    sheet = read_sheet(data)
    connection = session.connection()
    known = _known_dusun(connection, village_id)
    report = ImportReport(
        dry_run=dry_run,
        encoding=sheet.encoding,
        delimiter=sheet.delimiter,
        columns=sheet.columns,
        ignored_columns=list(sheet.ignored_columns),
        rows=len(sheet.rows),
        skipped_empty=sheet.skipped_empty,
    )
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
            message = f"the same {_WHAT[seen[0]]} as row {first_seen[seen]}"
            report.rejections.append(Rejection(number, RejectReason.DUPLICATE_IN_FILE, message))
            continue
        first_seen.update(dict.fromkeys(keys, number))
        parsed.append(row)

    by_phone = _owners(connection, village_id, IdentityKind.PHONE, [r.phone for r in parsed if r.phone])
    by_user = _owners(
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
    report.rejections.sort(key=lambda rejection: rejection.row)

    try:
        _update_existing(connection, session, village_id, matched, evidence, now, report, dry_run)
        _create_new(connection, village_id, new_rows, evidence, now, report, dry_run)
    except IntegrityError as error:  # a concurrent change took a number this import wanted
        raise Conflict("contacts changed while importing; nothing was imported: try again") from error
    return report


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
    query = select(*_COLUMNS).where(CONTACT.c.village_id == village_id)
    if len(ids) <= _CHUNK:
        query = query.where(CONTACT.c.id.in_(ids))
    rows = [row for row in connection.execute(query) if row.id in matched]
    current = {record.id: record for record in _records(connection, rows, village_id)}
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
        if row.consent and record.subscription == SubscriptionState.UNSUBSCRIBED:
            report.kept_unsubscribed += 1
            message = (
                "kept unsubscribed: they asked to stop; re-subscribe them one by one with fresh evidence"
            )
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
        if not (columns or new_topics or identities or subscribe):
            report.unchanged += 1
            continue
        report.updated += 1
        report.subscribed += int(subscribe)
        if dry_run:
            continue
        for kind, old, new in identities:
            _replace_identity(connection, village_id, contact_id, kind, old, new)
        if columns:
            connection.execute(sa_update(CONTACT).where(CONTACT.c.id == contact_id).values(**columns))
        if new_topics and row.topics is not None:
            _set_topics(connection, contact_id, row.topics)
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


def _create_new(
    connection: Connection,
    village_id: int,
    rows: Sequence[_Row],
    evidence: str,
    now: datetime,
    report: ImportReport,
    dry_run: bool,
) -> None:
    report.created = len(rows)
    report.subscribed += sum(row.consent for row in rows)
    if dry_run or not rows:
        return
    # In bulk: a list of 20,000 residents is a few statements, not 80,000.
    values = [
        _new_contact(
            village_id,
            now,
            name=row.name,
            dusun=row.dusun,
            rw=row.rw,
            rt=row.rt,
            tags=row.tags or "",
            subscription=SubscriptionState.SUBSCRIBED if row.consent else SubscriptionState.NEVER,
            subscription_changed_at=now if row.consent else None,
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


def export_csv(
    *, session: Session, village_id: int, filters: Filters, delimiter: str = ","
) -> tuple[str, int]:
    """The village's contacts (matching the filters) as CSV with the import's columns, and how many.

    Starts with a BOM so that Excel reads it as UTF-8; cells a spreadsheet would run as formulas are
    escaped (the import undoes it).
    """
    connection = session.connection()
    query = select(*_COLUMNS).where(*_conditions(village_id, filters)).order_by(CONTACT.c.id)
    rows = connection.execute(query).all()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in _records(connection, rows, village_id):
        cells = (
            record.name or "",
            record.phone or "",
            record.whatsapp_id or "",
            record.dusun or "",
            "" if record.rw is None else str(record.rw),
            "" if record.rt is None else str(record.rt),
            ";".join(record.topics),
            ";".join(record.tags),
            "ya" if record.subscription == SubscriptionState.SUBSCRIBED else "tidak",
        )
        writer.writerow([escape_cell(cell) for cell in cells])
    return "\ufeff" + out.getvalue(), len(rows)
