"""Twilio's webhooks: inbound SMS and WhatsApp (answered with TwiML, in the same response) and status
callbacks. Verify (verify.py, a dependency), parse (parse.py), store once, answer."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from twilio.twiml.messaging_response import MessagingResponse

from bot.deps import DeliveryDep, InboundDep, NowDep
from bot.providers.twilio import parse
from bot.providers.twilio.verify import TwilioForm
from bot.providers.webhooks import WebhookAck, parsed, record_statuses

router = APIRouter(tags=["webhooks"])


@router.post("/webhooks/twilio", response_class=Response, responses={200: {"content": {"text/xml": {}}}})
async def twilio_inbound(form: TwilioForm, service: InboundDep, now: NowDep) -> Response:
    """Inbound SMS and WhatsApp from Twilio; answers TwiML."""
    message = parse.parse_inbound(form)
    outcome = await service.handle_async(message, now=now)
    return Response(twiml(outcome.replies), media_type="text/xml")


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
    outbox_id = parse.outbox_id_param(o)
    update = parsed("twilio", lambda f: parse.parse_status(f, outbox_id), form)
    return await record_statuses(delivery, (update,), now=now, ack=WebhookAck())


def twiml(replies: tuple[str, ...]) -> str:
    """The TwiML answer: one <Message> per reply, or an empty <Response/>."""
    response = MessagingResponse()
    for reply in replies:
        response.message(reply)
    return str(response)
