"""WhatsApp Cloud API webhooks: Meta's subscription handshake, and messages and statuses (replies go
through the outbox). Verify (verify.py, a dependency), parse (parse.py), store once, answer fast."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from bot.deps import DeliveryDep, InboundDep, NowDep, SettingsDep
from bot.metrics import REJECTED
from bot.providers.webhooks import WebhookAck, handle_messages, parsed, record_statuses
from bot.providers.whatsapp_cloud import parse
from bot.providers.whatsapp_cloud.verify import WhatsAppBody, verification_problem
from models.errors import Forbidden

router = APIRouter(tags=["webhooks"])


@router.get("/webhooks/whatsapp", response_class=PlainTextResponse)
async def whatsapp_verify(
    settings: SettingsDep,
    mode: Annotated[str, Query(alias="hub.mode")] = "",
    token: Annotated[str, Query(alias="hub.verify_token")] = "",
    challenge: Annotated[str, Query(alias="hub.challenge", max_length=256)] = "",
) -> PlainTextResponse:
    """Meta's subscription handshake: the challenge back when the verify token matches."""
    problem = verification_problem(mode, token, settings.whatsapp_verify_token.get_secret_value())
    if problem is not None:
        REJECTED.labels(channel="whatsapp", reason="verify_token").inc()
        raise Forbidden(problem)
    return PlainTextResponse(challenge)


@router.post("/webhooks/whatsapp")
async def whatsapp_events(
    body: WhatsAppBody, service: InboundDep, delivery: DeliveryDep, now: NowDep
) -> WebhookAck:
    """Messages and statuses from the WhatsApp Cloud API; replies are queued in the outbox."""
    events = parsed("whatsapp", parse.parse_body, body)
    ack = await handle_messages("whatsapp", service, events.messages, now=now)
    ack.skipped += events.ignored
    return await record_statuses(delivery, events.statuses, now=now, ack=ack)
