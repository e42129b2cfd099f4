"""WhatsApp's 24-hour window: the one place that decides whether a contact is inside it.

WhatsApp takes free-form text to a person only within 24 hours of the last message that person sent
us; outside it, only an approved template goes (or an SMS instead, broadcasts/fallback.py). An inbound
WhatsApp message opens the window (handlers/pipeline.py stores its time as the contact's
`whatsapp_last_inbound_at`); the dispatcher (broadcasts/dispatcher.py) and the preview
(broadcasts/preview.py) ask `inside_window`; a provider that finds a contact outside it anyway answers
with one of `OUTSIDE_WINDOW_CODES` (broadcasts/reports.py says what follows). docs/providers.md has the
codes.
"""

from datetime import datetime, timedelta

from models import Channel

WHATSAPP_WINDOW = timedelta(hours=24)
# Provider error codes meaning "outside the window": Twilio 63016, Meta 131047.
OUTSIDE_WINDOW_CODES = frozenset({"63016", "131047"})


def inside_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Whether free-form WhatsApp text may go to a contact whose last WhatsApp message came at
    `last_inbound_at` (None: never)."""
    return last_inbound_at is not None and now - last_inbound_at < WHATSAPP_WINDOW


def opened_by(channel: Channel) -> bool:
    """Whether a message that came in on `channel` opens (or renews) the window: a WhatsApp one does."""
    return channel.is_whatsapp
