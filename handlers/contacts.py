"""The village a message was sent to, the contact who sent it, and their consent.

This is the inbound hot path, so it speaks SQLAlchemy Core on the session's connection: building ORM
objects costs more than the SQL itself (bench/README.md has the figures).
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from threading import Lock

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlmodel import Session

from broadcasts import consent
from broadcasts.outbox import Prices
from handlers import workdays
from models import (
    AreaKind,
    Channel,
    IdentityKind,
    Pending,
    SubscriptionState,
)
from models.base import insert_unless_taken
from models.errors import NotFound
from models.tables import ADDRESS, AREA, CONTACT, IDENTITY, VILLAGE


@dataclass(frozen=True, slots=True)
class VillageInfo:
    """What the pipeline needs to know of a village."""

    id: int
    code: str
    name: str
    timezone: str
    dusun_names: tuple[str, ...]
    prices: Prices
    holidays: frozenset[date] = frozenset()


class Directory:
    """Finds the village answering on an address, remembering answers for `ttl` seconds.

    Every inbound message needs this and it changes rarely; a new or moved address is seen within `ttl`
    (unknown addresses are never remembered, so a newly added village answers at once).
    """

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self._cache: dict[tuple[str, str], tuple[float, VillageInfo]] = {}
        self._lock = Lock()

    def village_for(self, *, session: Session, channel: Channel, address: str) -> VillageInfo:
        """The village answering on `address` for `channel`; NotFound when none does."""
        key = (channel.value, address)
        hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        connection = session.connection()
        row = connection.execute(
            select(
                VILLAGE.c.id,
                VILLAGE.c.code,
                VILLAGE.c.name,
                VILLAGE.c.timezone,
                VILLAGE.c.sms_price,
                VILLAGE.c.whatsapp_template_price,
                VILLAGE.c.holidays,
            )
            .join(ADDRESS, ADDRESS.c.village_id == VILLAGE.c.id)
            .where(ADDRESS.c.channel == channel, ADDRESS.c.address == address)
        ).first()
        if row is None:
            raise NotFound(f"no village answers on {channel} address {address}")
        names = connection.execute(
            select(AREA.c.name).where(AREA.c.village_id == row.id, AREA.c.kind == AreaKind.DUSUN)
        ).scalars()
        prices = Prices(sms_segment=row.sms_price, whatsapp_template=row.whatsapp_template_price)
        holidays = frozenset(workdays.parse_holidays(row.holidays or []))
        info = VillageInfo(row.id, row.code, row.name, row.timezone, tuple(names), prices, holidays)
        with self._lock:
            self._cache[key] = (time.monotonic() + self.ttl, info)
        return info

    def forget(self) -> None:
        """Drop everything remembered (after an operator changes villages or addresses)."""
        with self._lock:
            self._cache.clear()


@dataclass(slots=True)
class ContactState:
    """A contact as the pipeline reads and changes it; `changes` are written back in one UPDATE."""

    id: int
    name: str | None
    dusun: str | None
    subscription: SubscriptionState
    pending: Pending
    pending_ticket_id: int | None
    pending_until: datetime | None
    loop_digest: str | None
    loop_count: int
    loop_since: datetime | None
    pending_flags: str
    staff_waits_until: datetime | None
    changes: dict[str, object] = field(default_factory=dict)

    def set(self, **values: object) -> None:
        """Change fields (also columns not mirrored here) and remember them for the UPDATE."""
        for key, value in values.items():
            if key in self.__dataclass_fields__:
                setattr(self, key, value)
        self.changes.update(values)


_CONTACT_COLUMNS = (
    CONTACT.c.id,
    CONTACT.c.name,
    CONTACT.c.dusun,
    CONTACT.c.subscription,
    CONTACT.c.pending,
    CONTACT.c.pending_ticket_id,
    CONTACT.c.pending_until,
    CONTACT.c.loop_digest,
    CONTACT.c.loop_count,
    CONTACT.c.loop_since,
    CONTACT.c.pending_flags,
    CONTACT.c.staff_waits_until,
)


# Statements built once: building them per message costs more than running them.
# The contact's row is locked (PostgreSQL; SQLite has one writer anyway) for the rest of the message's
# transaction: messages from one person are handled one after the other, so that what one decides (the
# flood limit's count, a two-step report, the loop guard, topics) is seen by the next, never lost to it.
_FIND_CONTACT = (
    select(*_CONTACT_COLUMNS)
    .join(IDENTITY, IDENTITY.c.contact_id == CONTACT.c.id)
    .where(
        and_(
            IDENTITY.c.village_id == bindparam("village_id"),
            IDENTITY.c.kind == bindparam("kind"),
            IDENTITY.c.value == bindparam("value"),
        )
    )
    .with_for_update(of=CONTACT)
)
_INSERT_CONTACT = insert(CONTACT).returning(CONTACT.c.id)
# A first message and another from the same new number can arrive at the same instant: the second
# identity insert waits for the first transaction, then does nothing (instead of failing the message).
_INSERT_IDENTITY = insert_unless_taken(IDENTITY, ["village_id", "kind", "value"], IDENTITY.c.id)
_DELETE_CONTACT = delete(CONTACT).where(CONTACT.c.id == bindparam("contact_id"))
_UPDATE_CONTACT = update(CONTACT).where(CONTACT.c.id == bindparam("contact_id"))


def get_or_create_contact(
    *,
    session: Session,
    village_id: int,
    kind: IdentityKind,
    value: str,
    now: datetime,
    name: str | None = None,
    channel: Channel | None = None,
) -> ContactState:
    """The contact with this identity in the village, created on first contact; its row stays locked
    until the caller's transaction ends (see _FIND_CONTACT).

    Race-free: when another transaction creates the same identity first, this one waits for it, drops
    the contact it had begun and takes that one.
    """
    connection = session.connection()
    key = {"village_id": village_id, "kind": kind, "value": value}
    row = connection.execute(_FIND_CONTACT, key).first()
    if row is not None:
        state = ContactState(*tuple(row))
        if name and not state.name:
            state.set(name=name[:120])
        return state
    name = name[:120] if name else None
    contact_id = connection.execute(
        _INSERT_CONTACT,
        {
            "village_id": village_id,
            "name": name,
            "preferred_channel": channel,
            "subscription": SubscriptionState.NEVER,
            "pending": Pending.NONE,
            "loop_count": 0,
            "tags": "",
            "pending_flags": "",
            "created_at": now,
        },
    ).scalar_one()
    claimed = connection.execute(
        _INSERT_IDENTITY[connection.dialect.name], {**key, "contact_id": contact_id}
    ).first()
    if claimed is None:
        # Another transaction created this identity and has committed (the insert waited for it).
        connection.execute(_DELETE_CONTACT, {"contact_id": contact_id})
        return get_or_create_contact(
            session=session, village_id=village_id, kind=kind, value=value, now=now, name=name
        )
    return ContactState(
        contact_id, name, None, SubscriptionState.NEVER, Pending.NONE, None, None, None, 0, None, "", None
    )


def save_contact(*, session: Session, contact: ContactState) -> None:
    """Write the contact's changed fields back."""
    if contact.changes:
        session.connection().execute(_UPDATE_CONTACT, {"contact_id": contact.id, **contact.changes})
        contact.changes = {}


def set_subscription(
    *,
    session: Session,
    contact: ContactState,
    state: SubscriptionState,
    source: str,
    now: datetime,
    channel: Channel | None = None,
    evidence: str | None = None,
    message_id: int | None = None,
    topics: Sequence[str] | None = None,
) -> bool:
    """Record a consent change with its time and source; False when nothing changed."""
    changed = consent.change(
        session=session,
        contact_id=contact.id,
        state=state,
        source=source,
        now=now,
        current=contact.subscription,
        channel=channel,
        evidence=evidence,
        message_id=message_id,
        topics=topics,
    )
    contact.subscription = state  # already written by consent.change
    return changed
