"""What the providers' webhooks share: the answer they give (`WebhookAck`), messages through the pipeline,
status reports onto the outbox, and the counting and logging of what is refused or not ours.

Meta and the gateway retry for days whatever is not a 2xx, so an event for an address no village answers
on is logged, counted and answered 200.
"""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from pydantic import BaseModel
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from bot.delivery import DeliveryService
from bot.inbound import InboundService
from bot.metrics import REJECTED
from broadcasts.channel import StatusUpdate
from handlers.inbound import InboundMessage
from models import Channel
from models.errors import BadRequest, NotFound
from models.phone import mask

log = logging.getLogger("kentongan.webhooks")
T = TypeVar("T")
R = TypeVar("R")


class WebhookAck(BaseModel):
    """What Kentongan did with a provider's webhook."""

    messages: int = 0  # new messages handled
    duplicates: int = 0  # messages handled before (provider retries, repeats in one POST)
    skipped: int = 0  # for an address no village answers on, or kinds we do not act on
    applied: int = 0  # status reports that moved a message forward
    ignored: int = 0  # status reports older than, or the same as, what we know
    unknown: int = 0  # status reports on messages that are not ours


def parsed(channel: str, parse: Callable[[T], R], raw: T) -> R:
    """Parse a verified body; a malformed one is counted and refused with 400 and its reason."""
    try:
        return parse(raw)
    except BadRequest:
        REJECTED.labels(channel=channel, reason="malformed").inc()
        raise


async def handle_messages(
    channel: str, service: InboundService, messages: Sequence[InboundMessage], *, now: datetime
) -> WebhookAck:
    """Each message through the pipeline in order; one for an unknown village address is skipped."""
    ack = WebhookAck()
    for message in messages:
        try:
            outcome = await service.handle_async(message, now=now)
        except NotFound:
            unknown_address(channel, message.channel, message.to)
            ack.skipped += 1
            continue
        if outcome.duplicate:
            ack.duplicates += 1
        else:
            ack.messages += 1
    return ack


async def record_statuses(
    delivery: DeliveryService, updates: Sequence[StatusUpdate], *, now: datetime, ack: WebhookAck
) -> WebhookAck:
    """Move outbox rows forward (in the thread pool: the recorder is synchronous)."""
    if updates:
        result = await run_in_threadpool(delivery.record_statuses, updates, now=now)
        ack.applied, ack.ignored, ack.unknown = result.applied, result.ignored, ack.unknown + result.unknown
    return ack


def answers_on(service: InboundService, channel: Channel, address: str) -> bool:
    """True when a village answers on this address (the directory caches the answer)."""
    with Session(service.engine) as session:
        try:
            service.directory.village_for(session=session, channel=channel, address=address)
        except NotFound:
            return False
    return True


def unknown_address(metric_channel: str, channel: Channel, address: str) -> None:
    """Count and log an event for an address no village answers on (answered 200 all the same)."""
    REJECTED.labels(channel=metric_channel, reason="unknown_address").inc()
    log.warning("%s event for %s, which no village answers on: skipped", channel, mask(address))
