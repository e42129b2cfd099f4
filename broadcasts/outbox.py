"""Putting messages into the outbox: one row per message, measured (segments, encoding, cost) as written.

The dispatcher (broadcasts/dispatcher.py) sends the rows; broadcasts/reports.py moves them forward as
providers report on them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session

from broadcasts.channel import Template
from broadcasts.sms import analyse, sanitize
from models import RANK, Channel, DeliveryStatus, Lane, OutboxSource
from models.tables import OUTBOX

_INSERT = insert(OUTBOX)
INSERT_RETURNING_ID = insert(OUTBOX).returning(OUTBOX.c.id)


@dataclass(frozen=True, slots=True)
class Prices:
    """A village's prices in Rupiah: per SMS segment and per WhatsApp template message."""

    sms_segment: int = 350
    whatsapp_template: int = 400


def measure(channel: Channel, body: str, template: Template | None, prices: Prices) -> dict[str, object]:
    """Body as it will be sent, its segments, encoding and estimated cost."""
    if channel.is_whatsapp:
        cost = prices.whatsapp_template if template is not None else 0
        return {"body": body, "segments": 1, "encoding": "UTF-8", "estimated_cost": cost}
    text = sanitize(body)
    info = analyse(text)
    cost = 0 if channel == Channel.CONSOLE else info.segments * prices.sms_segment
    return {"body": text, "segments": info.segments, "encoding": info.encoding.value, "estimated_cost": cost}


def row(
    *,
    village_id: int,
    contact_id: int,
    channel: Channel,
    sender: str,
    recipient: str,
    body: str,
    lane: Lane,
    source: OutboxSource,
    now: datetime,
    prices: Prices = Prices(),
    source_id: int | None = None,
    run_id: int | None = None,
    template: Template | None = None,
    validity_seconds: int | None = None,
    fallback_of_id: int | None = None,
    measured: Mapping[str, object] | None = None,
) -> dict[str, object]:
    """The column values of one outbox row (for `enqueue`, one or many at a time).

    `measured`: the result of `measure` for this channel and text, when the caller already has it (a
    fan-out sends one text to thousands).
    """
    return {
        "village_id": village_id,
        "contact_id": contact_id,
        "channel": channel,
        "sender": sender,
        "recipient": recipient,
        "template_name": template.name if template else None,
        "template_variables": list(template.variables) if template else [],
        "lane": int(lane),
        "source": source,
        "source_id": source_id,
        "run_id": run_id,
        "status": DeliveryStatus.QUEUED,
        "status_rank": RANK[DeliveryStatus.QUEUED],
        "attempts": 0,
        "next_attempt_at": now,
        "validity_seconds": validity_seconds,
        "fallback_of_id": fallback_of_id,
        "created_at": now,
        "updated_at": now,
        **(measured if measured is not None else measure(channel, body, template, prices)),
    }


def enqueue(*, session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Insert outbox rows (built with `row`) in one statement."""
    if rows:
        session.connection().execute(_INSERT, list(rows))
