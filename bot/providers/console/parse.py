"""A message typed into the console channel (`POST /webhooks/console`, JSON) turned into an
`InboundMessage`. Nothing to verify: the channel answers only where it is enabled."""

import uuid
from typing import Annotated

from pydantic import BaseModel, Field

from bot.providers import media as media_urls
from handlers.inbound import MAX_PROVIDER_ID, InboundMessage, Media
from models import Channel, IdentityKind
from models.errors import BadRequest
from models.phone import to_e164

MAX_CONSOLE_TEXT = 4096


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


def parse_message(body: ConsoleMessage) -> InboundMessage:
    """The message, its numbers in E.164 (BadRequest when one is not a phone number), a fresh id unless it
    came with one, and only the media URLs that are allowed."""
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
    return InboundMessage(
        channel=Channel.CONSOLE,
        provider_id=provider_id,
        to=to,
        sender=sender,
        sender_kind=IdentityKind.PHONE,
        text=body.text,
        media=media,
        raw=body.model_dump(by_alias=True),
    )
