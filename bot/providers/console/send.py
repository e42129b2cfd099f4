"""Sending on the console channel, the dispatcher's `ChannelAdapter`: nothing leaves the machine; the
outbox row is the record of what was sent."""

import logging

from broadcasts.channel import OutgoingMessage, SendOutcome, SendResult
from models import Channel
from models.phone import mask

log = logging.getLogger("kentongan.console")


class ConsoleAdapter:
    """Accepts everything at once and logs it (numbers masked)."""

    channel = Channel.CONSOLE

    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []

    async def send(self, message: OutgoingMessage) -> SendResult:
        """Record the message as sent."""
        self.sent.append(message)
        if len(self.sent) > 1000:  # a demo shows the latest; keep memory bounded
            del self.sent[:500]
        log.info(
            "console message %d to %s: %d characters", message.outbox_id, mask(message.to), len(message.body)
        )
        return SendResult(SendOutcome.ACCEPTED, provider_id=f"console-{message.outbox_id}")
