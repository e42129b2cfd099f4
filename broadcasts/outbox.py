"""Putting messages into the outbox, and moving them forward as providers report on them."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Table, and_, bindparam, insert, select, update
from sqlmodel import Session

from broadcasts.channel import StatusUpdate, Template
from broadcasts.sms import analyse, sanitize
from models import (
    RANK,
    Channel,
    DeliveryStatus,
    FailureReason,
    Lane,
    Outbox,
    OutboxSource,
)
from models.base import fits_id

OUTBOX: Table = Outbox.__table__  # type: ignore[attr-defined]
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


# --- status callbacks ------------------------------------------------------------------------

_FIND_BY_PROVIDER = select(OUTBOX.c.id, OUTBOX.c.status_rank, OUTBOX.c.contact_id, OUTBOX.c.status).where(
    OUTBOX.c.channel == bindparam("channel"), OUTBOX.c.provider_id == bindparam("provider_id")
)
_FIND_BY_ID = select(OUTBOX.c.id, OUTBOX.c.status_rank, OUTBOX.c.contact_id, OUTBOX.c.status).where(
    OUTBOX.c.id == bindparam("outbox_id"), OUTBOX.c.channel == bindparam("channel")
)


@dataclass(frozen=True, slots=True)
class StatusResult:
    """What became of a batch of status updates."""

    applied: int  # moved a row forward
    ignored: int  # repeats, or older than what we know
    unknown: int  # no row of ours (logged and answered 200)
    rows: tuple[tuple[int, StatusUpdate], ...] = ()  # (outbox id, update) for each applied update


def record_statuses(*, session: Session, updates: Sequence[StatusUpdate], now: datetime) -> StatusResult:
    """Move rows forward on provider reports; repeats and out-of-order reports change nothing."""
    connection = session.connection()
    applied = ignored = unknown = 0
    moved: list[tuple[int, StatusUpdate]] = []
    for update_ in updates:
        found = None
        if update_.provider_id:
            found = connection.execute(
                _FIND_BY_PROVIDER, {"channel": update_.channel, "provider_id": update_.provider_id}
            ).first()
        if found is None and update_.outbox_id is not None and fits_id(update_.outbox_id):
            # Our own id (the gateway's message id, Twilio's ?o=): also finds a row whose provider id the
            # dispatcher has not recorded yet when a fast callback overtakes it.
            found = connection.execute(
                _FIND_BY_ID, {"outbox_id": update_.outbox_id, "channel": update_.channel}
            ).first()
        if found is None:
            unknown += 1
            continue
        rank = RANK[update_.status]
        if rank <= found.status_rank:
            ignored += 1
            continue
        values: dict[str, object] = {"status": update_.status, "status_rank": rank, "updated_at": now}
        at = update_.at or now
        if update_.status == DeliveryStatus.SENT:
            values["sent_at"] = at
        elif update_.status == DeliveryStatus.DELIVERED:
            values["delivered_at"] = at
        elif update_.status == DeliveryStatus.READ:
            values["read_at"] = at
        if update_.error_code:
            values["error_code"] = update_.error_code[:16]
        if update_.status in (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED):
            values["failure_reason"] = failure_reason(update_.error_code)
        result = connection.execute(
            update(OUTBOX).where(and_(OUTBOX.c.id == found.id, OUTBOX.c.status_rank < rank)).values(values)
        )
        if result.rowcount:
            applied += 1
            moved.append((found.id, update_))
        else:
            ignored += 1
    return StatusResult(applied, ignored, unknown, tuple(moved))


# Provider error codes, by what they mean for us (docs/providers.md).
OPT_OUT_CODES = frozenset({"21610", "131050"})
OUTSIDE_WINDOW_CODES = frozenset({"63016", "131047"})
UNDELIVERABLE_CODES = frozenset({"131026", "63024"})
INVALID_NUMBER_CODES = frozenset({"21211", "30005"})
NOT_MOBILE_CODES = frozenset({"21614", "30006"})
CARRIER_CODES = frozenset({"30003", "30004", "30007", "30008"})
TEMPLATE_CODES = frozenset({"21655", "21656", "132000", "132001", "132005", "132012"})


def failure_reason(code: str | None) -> FailureReason:
    """Why a provider error code ended a message."""
    if code in OPT_OUT_CODES:
        return FailureReason.OPTED_OUT
    if code in OUTSIDE_WINDOW_CODES:
        return FailureReason.OUTSIDE_WINDOW
    if code in UNDELIVERABLE_CODES:
        return FailureReason.UNDELIVERABLE
    if code in INVALID_NUMBER_CODES:
        return FailureReason.INVALID_NUMBER
    if code in NOT_MOBILE_CODES:
        return FailureReason.NOT_MOBILE
    if code in CARRIER_CODES:
        return FailureReason.CARRIER
    if code in TEMPLATE_CODES:
        return FailureReason.BAD_TEMPLATE
    return FailureReason.PROVIDER


def contact_of(*, session: Session, outbox_id: int) -> int:
    """The contact an outbox row is for."""
    contact_id: int = (
        session.connection().execute(select(OUTBOX.c.contact_id).where(OUTBOX.c.id == outbox_id)).scalar_one()
    )
    return contact_id
