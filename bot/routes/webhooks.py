"""Provider webhooks: verify, store once, act, answer."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from bot.channels import media as media_urls
from bot.channels import twilio as twilio_channel
from bot.deps import InboundDep, NowDep, SettingsDep, TwilioForm
from handlers.inbound import MAX_PROVIDER_ID, InboundMessage, Media
from models import Channel, IdentityKind
from models.errors import BadRequest, NotFound
from models.phone import to_e164

router = APIRouter(tags=["webhooks"])

MAX_CONSOLE_TEXT = 4096


@router.post("/webhooks/twilio", response_class=Response, responses={200: {"content": {"text/xml": {}}}})
async def twilio_inbound(form: TwilioForm, service: InboundDep, now: NowDep) -> Response:
    """Inbound SMS and WhatsApp from Twilio; answers TwiML."""
    message = twilio_channel.parse_inbound(form)
    outcome = await service.handle_async(message, now=now)
    return Response(twilio_channel.twiml(outcome.replies), media_type="text/xml")


class ConsoleMessage(BaseModel):
    """A message typed into the console channel."""

    sender: Annotated[str, Field(alias="from", min_length=1, max_length=64, examples=["+6281234567890"])]
    to: Annotated[str, Field(min_length=1, max_length=64, examples=["+62800000001"])]
    text: Annotated[str, Field(default="", max_length=MAX_CONSOLE_TEXT)]
    id: Annotated[
        str | None, Field(default=None, max_length=MAX_PROVIDER_ID, description="Idempotency key")
    ] = None
    media: Annotated[
        list[str],
        Field(
            default_factory=list,
            max_length=10,
            description="Media URLs: https only (http only on 127.0.0.1 or localhost); others are dropped",
        ),
    ]


class ConsoleReply(BaseModel):
    """What Kentongan answered."""

    replies: list[str]
    duplicate: bool = False
    ticket: str | None = None


@router.post("/webhooks/console")
async def console_inbound(
    body: ConsoleMessage, settings: SettingsDep, service: InboundDep, now: NowDep
) -> ConsoleReply:
    """The console channel: the same pipeline, for the demo, training and tests."""
    if not settings.console_enabled:
        raise NotFound("the console channel is not enabled")
    sender = to_e164(body.sender)
    to = to_e164(body.to)
    if sender is None:
        raise BadRequest(f"'from' is not a valid phone number: {body.sender!r}")
    if to is None:
        raise BadRequest(f"'to' is not a valid phone number: {body.to!r}")
    provider_id = body.id or uuid.uuid4().hex
    media = media_urls.kept(
        (Media(url=url) for url in body.media), hosts=None, channel=Channel.CONSOLE, message_id=provider_id
    )
    message = InboundMessage(
        channel=Channel.CONSOLE,
        provider_id=provider_id,
        to=to,
        sender=sender,
        sender_kind=IdentityKind.PHONE,
        text=body.text,
        media=media,
        raw=body.model_dump(by_alias=True),
    )
    outcome = await service.handle_async(message, now=now)
    return ConsoleReply(
        replies=list(outcome.replies), duplicate=outcome.duplicate, ticket=outcome.ticket_code
    )
