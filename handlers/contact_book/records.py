"""The village's contacts as staff see them (`ContactRecord`: fields, phone, WhatsApp id, topics), read
one by one (`get`), by search (`search` with `Filters`) or with their consent history; and the row-level
writes that edits.py and csv_import.py share (identities, topics, a new contact's row).

Queries go through the tables (handlers/contacts.py: CONTACT, IDENTITY, AREA; broadcasts/consent.py:
CONSENT, TOPIC) in a few statements however many contacts: a village's list may hold 20,000 residents.
"""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Row, and_, case, delete, exists, func, insert, or_, select
from sqlalchemy import update as sa_update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from handlers.contact_book.fields import ordered_topics
from models import AreaKind, Channel, IdentityKind, Pending, Role, SubscriptionState
from models.errors import Conflict, NotFound
from models.tables import AREA, CONSENT, CONTACT, IDENTITY, TICKET, TOPIC

CHUNK = 500  # values per IN (...): far below SQLite's and PostgreSQL's parameter limits
_NUMBER_QUERY = re.compile(r"[0-9+()\-. ]+")
IDENTITY_WHAT = {IdentityKind.PHONE: "phone number", IdentityKind.WHATSAPP_USER: "WhatsApp id"}
RACE = "this {} was just given to another contact; try again"

T = TypeVar("T")


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


RECORD_COLUMNS = (
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
ORDER = (case((CONTACT.c.name.is_(None), 1), else_=0), func.lower(CONTACT.c.name), CONTACT.c.id)


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """`values` in slices of at most `size`, for IN (...) lists."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def records_of(
    connection: Connection, rows: Sequence[Row[*tuple[Any, ...]]], village_id: int | None = None
) -> list[ContactRecord]:
    """Contact rows with their identities and topics; given the village, many rows are read in one pass
    over it rather than a query per few hundred ids (freshly imported tables may have no statistics yet,
    and PostgreSQL then plans long IN lists badly)."""
    ids = [row.id for row in rows]
    scopes: list[tuple[ColumnElement[bool], ColumnElement[bool]]]
    if village_id is not None and len(ids) > CHUNK:
        of_village = select(CONTACT.c.id).where(CONTACT.c.village_id == village_id)
        scopes = [(IDENTITY.c.village_id == village_id, TOPIC.c.contact_id.in_(of_village))]
    else:
        scopes = [(IDENTITY.c.contact_id.in_(chunk), TOPIC.c.contact_id.in_(chunk)) for chunk in chunks(ids)]
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
            topics=ordered_topics(topics.get(row.id, ())),
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


# Who may see a contact known only as the reporter of a complaint about the head or an anonymous one:
# the operator, and the BPD, which handles complaints about the head. To anyone else (the head above
# all) the number alone could name the reporter.
SEES_SENSITIVE_REPORTERS = frozenset({Role.OPERATOR, Role.BPD})


def sensitive_reporter() -> ColumnElement[bool]:
    """A contact known only as the reporter of a complaint about the head or an anonymous one: not a
    subscriber, not added by staff, and the reporter of such a ticket."""
    return and_(
        CONTACT.c.subscription != SubscriptionState.SUBSCRIBED.value,
        CONTACT.c.created_by.is_(None),
        exists().where(
            TICKET.c.reporter_id == CONTACT.c.id,
            or_(TICKET.c.about_head.is_(True), TICKET.c.anonymous.is_(True)),
        ),
    )


def conditions(village_id: int, filters: Filters, role: Role | None = None) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a search (or an export) of the village's contacts, as `role` may see them
    (None: every contact, for the system's own use)."""
    conditions: list[ColumnElement[bool]] = [CONTACT.c.village_id == village_id]
    if role is not None and role not in SEES_SENSITIVE_REPORTERS:
        conditions.append(~sensitive_reporter())
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


def get(*, session: Session, village_id: int, contact_id: int, role: Role | None = None) -> ContactRecord:
    """One contact of the village as `role` may see it; NotFound for another village's, or one the role
    may not see (whether it exists does not leak)."""
    connection = session.connection()
    row = connection.execute(
        select(*RECORD_COLUMNS).where(CONTACT.c.id == contact_id, *conditions(village_id, Filters(), role))
    ).first()
    if row is None:
        raise NotFound(f"no contact {contact_id}")
    return records_of(connection, [row])[0]


def search(
    *,
    session: Session,
    village_id: int,
    filters: Filters,
    limit: int = 50,
    offset: int = 0,
    role: Role | None = None,
) -> list[ContactRecord]:
    """The village's contacts matching the filters, by name, as `role` may see them."""
    connection = session.connection()
    rows = connection.execute(
        select(*RECORD_COLUMNS)
        .where(*conditions(village_id, filters, role))
        .order_by(*ORDER)
        .limit(limit)
        .offset(offset)
    ).all()
    return records_of(connection, rows)


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


def known_dusun(connection: Connection, village_id: int) -> list[str]:
    """The names of the village's dusun, sorted."""
    query = select(AREA.c.name).where(AREA.c.village_id == village_id, AREA.c.kind == AreaKind.DUSUN)
    return sorted(connection.execute(query).scalars())


# --- rows shared by edits and imports --------------------------------------------------------------


def owner_of(connection: Connection, village_id: int, kind: IdentityKind, value: str) -> int | None:
    """The contact of the village with this identity (a phone or a WhatsApp id), if any."""
    owner: int | None = connection.execute(
        select(IDENTITY.c.contact_id).where(
            IDENTITY.c.village_id == village_id, IDENTITY.c.kind == kind, IDENTITY.c.value == value
        )
    ).scalar()
    return owner


def owners_of(
    connection: Connection, village_id: int, kind: IdentityKind, values: Sequence[str]
) -> dict[str, int]:
    """The contacts of the village holding each of these identities (identity -> contact id)."""
    mine = (IDENTITY.c.village_id == village_id, IDENTITY.c.kind == kind)
    if len(values) > CHUNK:  # a long list: one pass over the village (see records_of)
        wanted = set(values)
        rows = connection.execute(select(IDENTITY.c.value, IDENTITY.c.contact_id).where(*mine))
        return {value: contact_id for value, contact_id in rows if value in wanted}
    rows = connection.execute(
        select(IDENTITY.c.value, IDENTITY.c.contact_id).where(*mine, IDENTITY.c.value.in_(values))
    )
    return {value: contact_id for value, contact_id in rows}


def set_topics(connection: Connection, contact_id: int, topics: Sequence[str]) -> None:
    """Replace the topics a contact chose."""
    connection.execute(delete(TOPIC).where(TOPIC.c.contact_id == contact_id))
    if topics:
        connection.execute(insert(TOPIC), [{"contact_id": contact_id, "topic": topic} for topic in topics])


def new_contact_row(village_id: int, now: datetime, **values: Any) -> dict[str, Any]:
    """The values of a new contact's row, with the defaults a contact starts with."""
    return {
        "village_id": village_id,
        "subscription": SubscriptionState.NEVER,
        "pending": Pending.NONE,
        "loop_count": 0,
        "tags": "",
        "created_at": now,
        **values,
    }


def replace_identity(
    connection: Connection,
    village_id: int,
    contact_id: int,
    kind: IdentityKind,
    old: str | None,
    new: str | None,
) -> None:
    """Change one identity of a contact: add it (`old` None), change it, or drop every one of that kind
    (`new` None); Conflict when another contact took it meanwhile."""
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
        raise Conflict(RACE.format(IDENTITY_WHAT[kind])) from error
