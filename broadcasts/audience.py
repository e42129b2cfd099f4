"""Who a broadcast reaches: subscribed contacts of the village, chosen by place, topic, tags, saved
groups or by name, minus exclusions. Only subscribed contacts are ever chosen."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, or_, select
from sqlmodel import Session

from models import (
    Channel,
    IdentityKind,
    SubscriptionState,
)
from models.tables import CONTACT, IDENTITY, MEMBER, TOPIC


@dataclass(frozen=True, slots=True)
class Audience:
    """A selection. Place, topic, tag and group filters narrow (AND across kinds, OR within a kind);
    `contacts` adds people by id; `exclude` removes them. No filter and no contacts: every subscriber."""

    dusun: tuple[str, ...] = ()
    rw: tuple[int, ...] = ()
    rt: tuple[int, ...] = ()
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    groups: tuple[int, ...] = ()
    contacts: tuple[int, ...] = ()
    exclude: tuple[int, ...] = ()

    @property
    def filtered(self) -> bool:
        """True when some filter narrows the village."""
        return bool(self.dusun or self.rw or self.rt or self.topics or self.tags or self.groups)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Audience":
        """From the JSON stored on a broadcast (unknown keys are ignored)."""
        return cls(
            dusun=tuple(str(d) for d in data.get("dusun", ())),
            rw=tuple(int(v) for v in data.get("rw", ())),
            rt=tuple(int(v) for v in data.get("rt", ())),
            topics=tuple(str(t) for t in data.get("topics", ())),
            tags=tuple(str(t) for t in data.get("tags", ())),
            groups=tuple(int(g) for g in data.get("groups", ())),
            contacts=tuple(int(c) for c in data.get("contacts", ())),
            exclude=tuple(int(c) for c in data.get("exclude", ())),
        )

    def to_dict(self) -> dict[str, list[Any]]:
        """The JSON stored on a broadcast (empty kinds left out)."""
        return {name: list(getattr(self, name)) for name in self.__dataclass_fields__ if getattr(self, name)}


@dataclass(frozen=True, slots=True)
class Recipient:
    """A chosen contact with what routing and personalising need."""

    contact_id: int
    name: str | None
    dusun: str | None
    rw: int | None
    rt: int | None
    preferred_channel: Channel | None
    identities: Mapping[IdentityKind, str] = field(default_factory=dict)
    whatsapp_last_inbound_at: datetime | None = None


def _where(village_id: int, audience: Audience) -> Any:
    subscribed = and_(
        CONTACT.c.village_id == village_id, CONTACT.c.subscription == SubscriptionState.SUBSCRIBED
    )
    narrowing: list[ColumnElement[bool]] = []
    if audience.dusun:
        narrowing.append(func.lower(CONTACT.c.dusun).in_([d.lower() for d in audience.dusun]))
    if audience.rw:
        narrowing.append(CONTACT.c.rw.in_(audience.rw))
    if audience.rt:
        narrowing.append(CONTACT.c.rt.in_(audience.rt))
    if audience.topics:
        chose_any = exists().where(TOPIC.c.contact_id == CONTACT.c.id)
        chose_these = exists().where(TOPIC.c.contact_id == CONTACT.c.id, TOPIC.c.topic.in_(audience.topics))
        narrowing.append(or_(~chose_any, chose_these))  # no topics chosen means every topic
    if audience.tags:
        padded = "," + func.coalesce(CONTACT.c.tags, "") + ","
        narrowing.append(or_(*(padded.contains("," + tag + ",") for tag in audience.tags)))
    if audience.groups:
        narrowing.append(
            exists().where(MEMBER.c.contact_id == CONTACT.c.id, MEMBER.c.group_id.in_(audience.groups))
        )
    if narrowing:
        chosen = and_(*narrowing)
    elif audience.contacts:
        chosen = false()
    else:
        chosen = CONTACT.c.id.is_not(None)  # everyone
    if audience.contacts:
        chosen = or_(chosen, CONTACT.c.id.in_(audience.contacts))
    condition = and_(subscribed, chosen)
    if audience.exclude:
        condition = and_(condition, CONTACT.c.id.not_in(audience.exclude))
    return condition


def _query(village_id: int, audience: Audience) -> Select[Any]:
    phone = (
        select(IDENTITY.c.contact_id, func.min(IDENTITY.c.value).label("value"))
        .where(IDENTITY.c.village_id == village_id, IDENTITY.c.kind == IdentityKind.PHONE.value)
        .group_by(IDENTITY.c.contact_id)
        .subquery("phone")
    )
    user = (
        select(IDENTITY.c.contact_id, func.min(IDENTITY.c.value).label("value"))
        .where(IDENTITY.c.village_id == village_id, IDENTITY.c.kind == IdentityKind.WHATSAPP_USER.value)
        .group_by(IDENTITY.c.contact_id)
        .subquery("wa_user")
    )
    return (
        select(
            CONTACT.c.id,
            CONTACT.c.name,
            CONTACT.c.dusun,
            CONTACT.c.rw,
            CONTACT.c.rt,
            CONTACT.c.preferred_channel,
            CONTACT.c.whatsapp_last_inbound_at,
            phone.c.value,
            user.c.value,
        )
        .outerjoin(phone, phone.c.contact_id == CONTACT.c.id)
        .outerjoin(user, user.c.contact_id == CONTACT.c.id)
        .where(_where(village_id, audience))
        .order_by(CONTACT.c.id)
    )


def count(*, session: Session, village_id: int, audience: Audience) -> int:
    """How many subscribed contacts the audience holds."""
    total: int = (
        session.connection()
        .execute(select(func.count()).select_from(CONTACT).where(_where(village_id, audience)))
        .scalar_one()
    )
    return total


def recipients(
    *, session: Session, village_id: int, audience: Audience, chunk: int = 5000
) -> Iterator[Recipient]:
    """The audience's contacts, streamed in id order (memory stays flat for 100,000 of them)."""
    result = session.connection().execute(_query(village_id, audience).execution_options(yield_per=chunk))
    for row in result:
        identities: dict[IdentityKind, str] = {}
        if row[7]:
            identities[IdentityKind.PHONE] = row[7]
        if row[8]:
            identities[IdentityKind.WHATSAPP_USER] = row[8]
        yield Recipient(row[0], row[1], row[2], row[3], row[4], row[5], identities, row[6])
