"""The message log as the REST API answers it."""

from typing import Self

from pydantic import BaseModel, Field

from bot.routes.api.schemas import UTCTime
from handlers.pipeline import REPLY_SEPARATOR
from models import Channel, Direction, Message
from models.phone import HIDDEN, hide_personal

ANONYMOUS = "anonim"


class MessagePublic(BaseModel):
    """One message received (or logged as sent) and the replies given to it.

    For a message about an anonymous (anonim) complaint, everyone but the operator sees the resident's
    number masked, no contact id and the numbers typed in the text hidden (a phone, an NIK): the
    complaint's content is theirs to act on, its reporter is not.
    """

    id: int
    direction: Direction
    channel: Channel
    contact_id: int | None
    sender: str
    recipient: str
    body: str
    media: list[dict[str, str]]
    intent: str | None
    ticket: str | None = Field(description="The tracking code of the complaint it concerns")
    replies: list[str]
    note: str | None = Field(description="Why it was handled specially: rate_limited, loop_guard, ...")
    masked: bool = Field(description="True when the resident's number is masked (anonymous complaint)")
    created_at: UTCTime

    @classmethod
    def of(cls, message: Message, ticket_code: str | None, *, hide_resident: bool) -> Self:
        """From the stored row, hiding the resident's side when asked."""
        assert message.id is not None
        sender, recipient = message.sender, message.recipient
        if hide_resident:
            # The resident is the sender of what came in and the recipient of what went out.
            # Not a partial mask: its visible digits would match one number of the contact list.
            if message.direction == Direction.IN:
                sender = ANONYMOUS
            else:
                recipient = ANONYMOUS
        return cls(
            id=message.id,
            direction=message.direction,
            channel=message.channel,
            contact_id=None if hide_resident else message.contact_id,
            sender=sender,
            recipient=recipient,
            body=hide_personal(message.body, marker=HIDDEN) if hide_resident else message.body,
            media=message.media,
            intent=message.intent,
            ticket=ticket_code,
            replies=message.reply.split(REPLY_SEPARATOR) if message.reply else [],
            note=message.note,
            masked=hide_resident,
            created_at=message.created_at,
        )
