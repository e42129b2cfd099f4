"""Consent to broadcasts: every change recorded with its time, source and evidence.

Used by residents' keywords (handlers), provider opt-out reports (21610, 131050) and imports.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlmodel import Session

from models import Channel, SubscriptionState
from models.tables import CONSENT, CONTACT, TOPIC

_CURRENT = select(CONTACT.c.subscription).where(CONTACT.c.id == bindparam("contact_id"))


def change(
    *,
    session: Session,
    contact_id: int,
    state: SubscriptionState,
    source: str,
    now: datetime,
    current: SubscriptionState | None = None,
    channel: Channel | None = None,
    evidence: str | None = None,
    message_id: int | None = None,
    topics: Sequence[str] | None = None,
) -> bool:
    """Set the contact's consent (and topics, when subscribing with some); False when nothing changed."""
    connection = session.connection()
    if current is None:
        current = connection.execute(_CURRENT, {"contact_id": contact_id}).scalar_one()
    topics_changed = False
    if topics is not None and state == SubscriptionState.SUBSCRIBED:
        chosen = select(TOPIC.c.topic).where(TOPIC.c.contact_id == contact_id)
        have = set(connection.execute(chosen).scalars())
        wanted = list(dict.fromkeys(topics))
        if have != set(wanted):
            connection.execute(delete(TOPIC).where(TOPIC.c.contact_id == contact_id))
            if wanted:
                connection.execute(insert(TOPIC), [{"contact_id": contact_id, "topic": t} for t in wanted])
            topics_changed = True
    if current == state and not topics_changed:
        return False
    connection.execute(
        update(CONTACT)
        .where(CONTACT.c.id == contact_id)
        .values(subscription=state, subscription_changed_at=now)
    )
    connection.execute(
        insert(CONSENT).values(
            contact_id=contact_id,
            state=state,
            source=source,
            channel=channel,
            evidence=evidence[:500] if evidence else None,
            message_id=message_id,
            created_at=now,
        )
    )
    return True
