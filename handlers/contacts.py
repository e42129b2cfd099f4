"""Finding the village a message was sent to, the contact who sent it, and their consent."""

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, delete, select

from models import (
    Area,
    AreaKind,
    Channel,
    ConsentEvent,
    Contact,
    ContactIdentity,
    ContactTopic,
    IdentityKind,
    SubscriptionState,
    Village,
    VillageAddress,
)
from models.errors import NotFound


def get_village_by_address(*, session: Session, channel: Channel, address: str) -> Village:
    """The village answering on `address` for `channel`; NotFound when none does."""
    village = session.exec(
        select(Village)
        .join(VillageAddress, col(VillageAddress.village_id) == col(Village.id))
        .where(VillageAddress.channel == channel, VillageAddress.address == address)
    ).first()
    if village is None:
        raise NotFound(f"no village answers on {channel} address {address}")
    return village


def list_dusun_names(*, session: Session, village_id: int) -> list[str]:
    """Names of the village's dusun, for recognising them in messages."""
    return list(
        session.exec(
            select(Area.name).where(Area.village_id == village_id, Area.kind == AreaKind.DUSUN)
        ).all()
    )


def get_or_create_contact(
    *,
    session: Session,
    village_id: int,
    kind: IdentityKind,
    value: str,
    name: str | None = None,
    channel: Channel | None = None,
) -> Contact:
    """The contact with this identity in the village, created on first contact."""
    contact = session.exec(
        select(Contact)
        .join(ContactIdentity, col(ContactIdentity.contact_id) == col(Contact.id))
        .where(
            ContactIdentity.village_id == village_id,
            ContactIdentity.kind == kind,
            ContactIdentity.value == value,
        )
    ).first()
    if contact is not None:
        if name and not contact.name:
            contact.name = name[:120]
        return contact
    contact = Contact(village_id=village_id, name=name[:120] if name else None, preferred_channel=channel)
    session.add(contact)
    session.flush()
    assert contact.id is not None
    session.add(ContactIdentity(village_id=village_id, contact_id=contact.id, kind=kind, value=value))
    session.flush()
    return contact


def set_subscription(
    *,
    session: Session,
    contact: Contact,
    state: SubscriptionState,
    source: str,
    now: datetime,
    channel: Channel | None = None,
    evidence: str | None = None,
    message_id: int | None = None,
    topics: Sequence[str] | None = None,
) -> bool:
    """Record a consent change with its time and source; False when nothing changed."""
    assert contact.id is not None
    topics_changed = False
    if topics is not None and state == SubscriptionState.SUBSCRIBED:
        current = set(
            session.exec(select(ContactTopic.topic).where(ContactTopic.contact_id == contact.id)).all()
        )
        if current != set(topics):
            session.execute(delete(ContactTopic).where(col(ContactTopic.contact_id) == contact.id))
            session.add_all(ContactTopic(contact_id=contact.id, topic=t) for t in dict.fromkeys(topics))
            topics_changed = True
    if contact.subscription == state and not topics_changed:
        return False
    contact.subscription = state
    contact.subscription_changed_at = now
    session.add(
        ConsentEvent(
            contact_id=contact.id,
            state=state,
            source=source,
            channel=channel,
            evidence=evidence[:500] if evidence else None,
            message_id=message_id,
            created_at=now,
        )
    )
    return True


def list_topics(*, session: Session, contact_id: int) -> list[str]:
    """Topics the contact chose (empty: all)."""
    return list(session.exec(select(ContactTopic.topic).where(ContactTopic.contact_id == contact_id)).all())
