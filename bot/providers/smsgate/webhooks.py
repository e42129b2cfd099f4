"""The Android SMS gateway's webhook: residents' SMS and MMS, and reports on what we sent (replies go
through the outbox). Verify (verify.py, a dependency), parse (parse.py), store once, answer fast."""

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from bot.deps import DeliveryDep, InboundDep, NowDep
from bot.providers.smsgate import parse
from bot.providers.smsgate.verify import SmsgateBody
from bot.providers.webhooks import (
    WebhookAck,
    answers_on,
    handle_messages,
    parsed,
    record_statuses,
    unknown_address,
)
from models import Channel

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/smsgate")
async def smsgate_event(
    body: SmsgateBody, service: InboundDep, delivery: DeliveryDep, now: NowDep
) -> WebhookAck:
    """One event from the Android SMS gateway: an SMS or MMS (`mms:downloaded`) to the village phone, or a
    report on one we sent; an MMS's notice (`mms:received`) and other events are logged and skipped."""
    event = parsed("smsgate", parse.parse_body, body)
    if event.message is not None:
        return await handle_messages("smsgate", service, (event.message,), now=now)
    if event.status is None:
        return WebhookAck(skipped=0 if event.unknown_id else 1, unknown=1 if event.unknown_id else 0)
    if not await run_in_threadpool(answers_on, service, Channel.SMSGATE, event.device_id):
        unknown_address("smsgate", Channel.SMSGATE, event.device_id)
        return WebhookAck(skipped=1)
    return await record_statuses(delivery, (event.status,), now=now, ack=WebhookAck())
