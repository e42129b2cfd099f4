"""One message to a few named contacts (ticket notices, escalations, digests), each on their own channel."""

from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session, select

from broadcasts import outbox, routing
from broadcasts.fanout import VillageRoutes
from models import Channel, Contact, IdentityKind, Lane, OutboxSource
from models.tables import IDENTITY


def send(
    *,
    session: Session,
    routes: VillageRoutes,
    contact_ids: Collection[int],
    text: str,
    now: datetime,
    source: OutboxSource,
    source_id: int | None,
    lane: Lane = Lane.NOTICE,
    texts_by_channel: dict[Channel, str] | None = None,
) -> dict[int, Channel]:
    """Queue `text` (or the channel's own text) for each contact on their own channel.

    Returns the channel each reachable contact was queued on; a contact with no usable identity is left
    out (the caller decides whether that matters).
    """
    queued: dict[int, Channel] = {}
    rows = []
    for contact_id in contact_ids:
        contact = session.get(Contact, contact_id)
        if contact is None:
            continue
        identities = {
            IdentityKind(kind): value
            for kind, value in session.connection().execute(
                select(IDENTITY.c.kind, IDENTITY.c.value).where(IDENTITY.c.contact_id == contact_id)
            )
        }
        route = routing.choose(
            identities=identities,
            village_addresses=routes.addresses,
            available=routes.available,
            preferred=contact.preferred_channel,
        )
        if route is None:
            continue
        body = (texts_by_channel or {}).get(route.channel, text)
        rows.append(
            outbox.row(
                village_id=routes.village_id,
                contact_id=contact_id,
                channel=route.channel,
                sender=route.sender,
                recipient=route.recipient,
                body=body,
                lane=lane,
                source=source,
                source_id=source_id,
                now=now,
                prices=routes.prices,
            )
        )
        queued[contact_id] = route.channel
    outbox.enqueue(session=session, rows=rows)
    return queued
