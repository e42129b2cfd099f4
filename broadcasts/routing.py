"""Which channel reaches a contact: their preferred one when the village has it, else the best the
village has, and the address to send to on it."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from models import Channel, IdentityKind

# Without a preference: WhatsApp first (free inside the window, rich), then the village's own SIM, then
# Twilio SMS; the console only where nothing else is configured (the demo).
DEFAULT_ORDER = (
    Channel.WHATSAPP_CLOUD,
    Channel.TWILIO_WHATSAPP,
    Channel.SMSGATE,
    Channel.TWILIO_SMS,
    Channel.CONSOLE,
)


@dataclass(frozen=True, slots=True)
class Route:
    """Where one message goes: the channel, the village address it leaves from, the recipient."""

    channel: Channel
    sender: str
    recipient: str


def choose(
    *,
    identities: Mapping[IdentityKind, str],
    village_addresses: Mapping[Channel, str],
    available: Collection[Channel],
    preferred: Channel | None = None,
) -> Route | None:
    """The route for a contact, or None when no channel the village has can reach them.

    A WhatsApp user with no phone number can only be reached on WhatsApp; SMS needs a phone.
    """
    phone = identities.get(IdentityKind.PHONE)
    whatsapp_user = identities.get(IdentityKind.WHATSAPP_USER)
    order = [preferred, *DEFAULT_ORDER] if preferred else list(DEFAULT_ORDER)
    for channel in order:
        if channel is None or channel not in available or channel not in village_addresses:
            continue
        recipient = (phone or whatsapp_user) if channel.is_whatsapp else phone
        if recipient:
            return Route(channel, village_addresses[channel], recipient)
    return None
