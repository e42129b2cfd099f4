"""The message log as the REST API answers it: what came in (the message table) and what went out (the
outbox: replies, ticket notices, broadcasts, digests), in one list."""

from typing import Literal, Self

from pydantic import BaseModel, Field

from bot.routes.api.schemas.base import UTCTime
from handlers.pipeline import REPLY_SEPARATOR
from models import Channel, DeliveryStatus, Direction, FailureReason, Message, Outbox, OutboxSource
from models.phone import hide_reporter

ANONYMOUS = "anonim"


class MessagePublic(BaseModel):
    """One message received, with the replies given to it, or one message sent (an outbox row: a reply,
    a ticket notice, a broadcast, a digest) with where its delivery stands.

    For a message of or to the reporter of an anonymous (anonim) complaint, everyone but the operator
    sees the resident's number (the sender of what came in, the recipient of what went out) as "anonim",
    no contact id and the numbers typed in the text hidden (a phone, an NIK): the complaint's content is
    theirs to act on, its reporter is not.
    """

    id: int = Field(description="The row's id in the table `stored_in` names (the two are numbered apart)")
    stored_in: Literal["message", "outbox"] = Field(
        default="message",
        description="message: received (or logged as sent); outbox: sent by Kentongan, with its status",
    )
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
    source: OutboxSource | None = Field(
        default=None,
        description="Why it went out (reply, ticket_notice, broadcast, digest); null for what came in",
    )
    status: DeliveryStatus | None = Field(
        default=None, description="Where the delivery of what went out stands; null for what came in"
    )
    error_code: str | None = Field(default=None, description="The provider's error code, if any")
    failure_reason: FailureReason | None = Field(default=None, description="Why it was not delivered")
    in_reply_to: int | None = Field(default=None, description="For a reply: the id of the message it answers")
    sent_at: UTCTime | None = None
    delivered_at: UTCTime | None = None
    created_at: UTCTime

    @classmethod
    def of(
        cls, message: Message, ticket_code: str | None, *, hide_resident: bool, name: str | None = None
    ) -> Self:
        """From the stored row, hiding the resident's side when asked: their number, and in the texts
        the numbers they typed and their `name` (also echoed in the replies: "CEK 0812...")."""
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
            stored_in="message",
            direction=message.direction,
            channel=message.channel,
            contact_id=None if hide_resident else message.contact_id,
            sender=sender,
            recipient=recipient,
            body=hide_reporter(message.body, name) if hide_resident else message.body,
            media=message.media,
            intent=message.intent,
            ticket=ticket_code,
            replies=[
                hide_reporter(reply, name) if hide_resident else reply
                for reply in (message.reply.split(REPLY_SEPARATOR) if message.reply else [])
            ],
            note=message.note,
            masked=hide_resident,
            created_at=message.created_at,
        )

    @classmethod
    def sent(
        cls, row: Outbox, ticket_code: str | None, *, hide_resident: bool, name: str | None = None
    ) -> Self:
        """From an outbox row; the resident is its recipient."""
        assert row.id is not None
        return cls(
            id=row.id,
            stored_in="outbox",
            direction=Direction.OUT,
            channel=row.channel,
            contact_id=None if hide_resident else row.contact_id,
            sender=row.sender,
            recipient=ANONYMOUS if hide_resident else row.recipient,
            body=hide_reporter(row.body, name) if hide_resident else row.body,
            media=[],
            intent=None,
            ticket=ticket_code,
            replies=[],
            note=None,
            masked=hide_resident,
            source=row.source,
            status=row.status,
            error_code=row.error_code,
            failure_reason=row.failure_reason,
            in_reply_to=row.source_id if row.source == OutboxSource.REPLY else None,
            sent_at=row.sent_at,
            delivered_at=row.delivered_at,
            created_at=row.created_at,
        )
