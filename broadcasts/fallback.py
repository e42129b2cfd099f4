"""SMS in place of a WhatsApp message that cannot go: outside the 24-hour window with no template
(broadcasts/window.py), refused by WhatsApp, or a channel the village does not have.

Which outcomes ask for it is decided in broadcasts/reports.py (`Verdict.sms_instead`), for what the
dispatcher finds at send time and what status callbacks say later alike; `reports.follow` calls this.
A WhatsApp row is replaced at most once, so a resident never gets both.

The SMS carries the WhatsApp row's text, except for a digest: the head and the BPD chair get its SMS
form (the one line an SMS digest has), not the fuller WhatsApp text cut into several SMS.
"""

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from broadcasts import digest, meetings, outbox
from models import (
    BroadcastStatus,
    Channel,
    IdentityKind,
    Lane,
    OutboxSource,
)
from models.tables import ADDRESS, BROADCAST, CONTACT, IDENTITY, OUTBOX, RUN, VILLAGE

SMS_ORDER = (Channel.SMSGATE, Channel.TWILIO_SMS)  # the village's own SIM first: cheaper, local


def queue_sms_instead(
    *, session: Session, outbox_id: int, now: datetime, channels: Collection[Channel]
) -> int | None:
    """Queue an SMS replacing WhatsApp row `outbox_id` over one of `channels`; None when there is none."""
    connection = session.connection()
    row = connection.execute(select(OUTBOX).where(OUTBOX.c.id == outbox_id)).first()
    if row is None or not Channel(row.channel).is_whatsapp:
        return None
    already = connection.execute(select(OUTBOX.c.id).where(OUTBOX.c.fallback_of_id == outbox_id)).first()
    if already is not None:
        return None
    if row.run_id is not None and _withdrawn(session, row.run_id):
        return None  # its broadcast was cancelled, or its meeting moved or called off since
    phone = connection.execute(
        select(func.min(IDENTITY.c.value)).where(
            IDENTITY.c.contact_id == row.contact_id, IDENTITY.c.kind == IdentityKind.PHONE.value
        )
    ).scalar()
    if phone is None:
        return None
    preferred = connection.execute(
        select(CONTACT.c.fallback_channel).where(CONTACT.c.id == row.contact_id)
    ).scalar()
    addresses = connection.execute(
        select(ADDRESS.c.channel, ADDRESS.c.address).where(
            ADDRESS.c.village_id == row.village_id, ADDRESS.c.channel.in_([c.value for c in SMS_ORDER])
        )
    )
    senders = {channel: address for channel, address in addresses}
    order = [Channel(preferred), *SMS_ORDER] if preferred in {c.value for c in SMS_ORDER} else list(SMS_ORDER)
    channel = next((c for c in order if c in channels and c.value in senders), None)
    if channel is None:
        return None
    prices = connection.execute(
        select(VILLAGE.c.sms_price, VILLAGE.c.whatsapp_template_price).where(VILLAGE.c.id == row.village_id)
    ).one()
    new = outbox.row(
        village_id=row.village_id,
        contact_id=row.contact_id,
        channel=channel,
        sender=senders[channel.value],
        recipient=phone,
        body=sms_body(OutboxSource(row.source), row.body),
        lane=Lane(row.lane),
        source=row.source,
        source_id=row.source_id,
        now=now,
        prices=outbox.Prices(*prices),
        run_id=None,  # the WhatsApp row keeps the run's place; this one points at it
        validity_seconds=row.validity_seconds,
        fallback_of_id=outbox_id,
    )
    new_id: int = connection.execute(outbox.INSERT_RETURNING_ID, new).scalar_one()
    return new_id


def _withdrawn(session: Session, run_id: int) -> bool:
    """Whether the broadcast of run `run_id` was cancelled or says what is no longer true."""
    broadcast = (
        session.connection()
        .execute(
            select(BROADCAST.c.status, BROADCAST.c.meeting_id, BROADCAST.c.created_at)
            .join(RUN, RUN.c.broadcast_id == BROADCAST.c.id)
            .where(RUN.c.id == run_id)
        )
        .first()
    )
    if broadcast is None:
        return False
    if broadcast.status == BroadcastStatus.CANCELLED.value:
        return True
    return meetings.superseded(session, broadcast.meeting_id, broadcast.created_at)


def sms_body(source: OutboxSource, whatsapp_body: str) -> str:
    """What the SMS replacing a WhatsApp message of this source says."""
    if source == OutboxSource.DIGEST:
        return digest.sms_form(whatsapp_body)
    return whatsapp_body
