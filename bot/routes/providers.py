"""Provider webhooks whose answers go through the outbox: WhatsApp Cloud API, the Android SMS gateway,
and Twilio status callbacks. Verify (a dependency), parse (bot/channels), store once, answer fast.

Meta and the gateway retry for days whatever is not a 2xx, so an event for an address no village answers
on is logged, counted and answered 200.
"""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from bot.channels import smsgate as smsgate_channel
from bot.channels import twilio as twilio_channel
from bot.channels import whatsapp_cloud as whatsapp_channel
from bot.delivery import DeliveryService
from bot.deps import DeliveryDep, InboundDep, NowDep, SettingsDep, TwilioForm
from bot.inbound import InboundService
from bot.metrics import REJECTED
from broadcasts.channel import StatusUpdate
from handlers.inbound import InboundMessage
from models import Channel
from models.errors import BadRequest, Forbidden, NotFound
from models.phone import mask

log = logging.getLogger("kentongan.webhooks")
router = APIRouter(tags=["webhooks"])
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


# Both bodies are read whole: bot/limits.py owns their limits (RULES: Meta batches many events into one
# POST, the gateway's MMS carries its photos) and refuses a larger body with 413 while it streams in.


async def whatsapp_body(request: Request, settings: SettingsDep) -> bytes:
    """The raw webhook body, once X-Hub-Signature-256 has been verified; 403 otherwise."""
    body = await request.body()
    secret = settings.whatsapp_app_secret.get_secret_value()
    if not secret:
        log.warning("a WhatsApp webhook arrived but KENTONGAN_WHATSAPP_APP_SECRET is not set")
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not whatsapp_channel.signature_is_valid(secret, body, signature):
        REJECTED.labels(channel="whatsapp", reason="signature").inc()
        raise Forbidden("missing or invalid X-Hub-Signature-256")
    return body


async def smsgate_body(request: Request, settings: SettingsDep, now: NowDep) -> bytes:
    """The raw webhook body, once X-Signature and a fresh X-Timestamp have been verified; 403 otherwise."""
    body = await request.body()
    key = settings.smsgate_signing_key.get_secret_value()
    if not key:
        log.warning("a gateway webhook arrived but KENTONGAN_SMSGATE_SIGNING_KEY is not set")
    timestamp = request.headers.get("X-Timestamp", "")
    if not smsgate_channel.signature_is_valid(key, body, timestamp, request.headers.get("X-Signature", "")):
        REJECTED.labels(channel="smsgate", reason="signature").inc()
        raise Forbidden("missing or invalid X-Signature")
    if not smsgate_channel.timestamp_is_fresh(timestamp, now=now):
        REJECTED.labels(channel="smsgate", reason="timestamp").inc()
        raise Forbidden("X-Timestamp is more than 5 minutes away from now")
    return body


WhatsAppBody = Annotated[bytes, Depends(whatsapp_body)]
SmsgateBody = Annotated[bytes, Depends(smsgate_body)]


@router.get("/webhooks/whatsapp", response_class=PlainTextResponse)
async def whatsapp_verify(
    settings: SettingsDep,
    mode: Annotated[str, Query(alias="hub.mode")] = "",
    token: Annotated[str, Query(alias="hub.verify_token")] = "",
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=256)] = "",
) -> PlainTextResponse:
    """Meta's subscription handshake: the challenge back when the verify token matches."""
    problem = whatsapp_channel.verification_problem(
        mode, token, settings.whatsapp_verify_token.get_secret_value()
    )
    if problem is not None:
        REJECTED.labels(channel="whatsapp", reason="verify_token").inc()
        raise Forbidden(problem)
    return PlainTextResponse(challenge)


@router.post("/webhooks/whatsapp")
async def whatsapp_events(
    body: WhatsAppBody, service: InboundDep, delivery: DeliveryDep, now: NowDep
) -> WebhookAck:
    """Messages and statuses from the WhatsApp Cloud API; replies are queued in the outbox."""
    events = _parsed("whatsapp", whatsapp_channel.parse_body, body)
    ack = await _handle_messages("whatsapp", service, events.messages, now=now)
    ack.skipped += events.ignored
    return await _record_statuses(delivery, events.statuses, now=now, ack=ack)


@router.post("/webhooks/smsgate")
async def smsgate_event(
    body: SmsgateBody, service: InboundDep, delivery: DeliveryDep, now: NowDep
) -> WebhookAck:
    """One event from the Android SMS gateway: an SMS or MMS (`mms:downloaded`) to the village phone, or a
    report on one we sent; an MMS's notice (`mms:received`) and other events are logged and skipped."""
    event = _parsed("smsgate", smsgate_channel.parse_body, body)
    if event.message is not None:
        return await _handle_messages("smsgate", service, (event.message,), now=now)
    if event.status is None:
        return WebhookAck(skipped=0 if event.unknown_id else 1, unknown=1 if event.unknown_id else 0)
    if not await run_in_threadpool(_answers_on, service, Channel.SMSGATE, event.device_id):
        _unknown_address("smsgate", Channel.SMSGATE, event.device_id)
        return WebhookAck(skipped=1)
    return await _record_statuses(delivery, (event.status,), now=now, ack=WebhookAck())


@router.post("/webhooks/twilio/status")
async def twilio_status(
    form: TwilioForm,
    delivery: DeliveryDep,
    now: NowDep,
    # Any value is taken: one that is not our id is "not ours" (200 and a log line), never a 422 that
    # Twilio would report as a failed callback.
    o: Annotated[str | None, Query(description="Our outbox id (signed with the URL)")] = None,
) -> WebhookAck:
    """Twilio status callbacks; our StatusCallback URL carries the outbox id as `?o=`."""
    outbox_id = twilio_channel.outbox_id_param(o)
    update = _parsed("twilio", lambda f: twilio_channel.parse_status(f, outbox_id), form)
    return await _record_statuses(delivery, (update,), now=now, ack=WebhookAck())


def _parsed(channel: str, parse: Callable[[T], R], raw: T) -> R:
    """Parse a verified body; a malformed one is counted and refused with 400 and its reason."""
    try:
        return parse(raw)
    except BadRequest:
        REJECTED.labels(channel=channel, reason="malformed").inc()
        raise


async def _handle_messages(
    channel: str, service: InboundService, messages: Sequence[InboundMessage], *, now: datetime
) -> WebhookAck:
    """Each message through the pipeline in order; one for an unknown village address is skipped."""
    ack = WebhookAck()
    for message in messages:
        try:
            outcome = await service.handle_async(message, now=now)
        except NotFound:
            _unknown_address(channel, message.channel, message.to)
            ack.skipped += 1
            continue
        if outcome.duplicate:
            ack.duplicates += 1
        else:
            ack.messages += 1
    return ack


async def _record_statuses(
    delivery: DeliveryService, updates: Sequence[StatusUpdate], *, now: datetime, ack: WebhookAck
) -> WebhookAck:
    """Move outbox rows forward (in the thread pool: the recorder is synchronous)."""
    if updates:
        result = await run_in_threadpool(delivery.record_statuses, updates, now=now)
        ack.applied, ack.ignored, ack.unknown = result.applied, result.ignored, ack.unknown + result.unknown
    return ack


def _answers_on(service: InboundService, channel: Channel, address: str) -> bool:
    """True when a village answers on this address (the directory caches the answer)."""
    with Session(service.engine) as session:
        try:
            service.directory.village_for(session=session, channel=channel, address=address)
        except NotFound:
            return False
    return True


def _unknown_address(metric_channel: str, channel: Channel, address: str) -> None:
    """Count and log an event for an address no village answers on (answered 200 all the same)."""
    REJECTED.labels(channel=metric_channel, reason="unknown_address").inc()
    log.warning("%s event for %s, which no village answers on: skipped", channel, mask(address))
