"""The preview a cadre sees before sending: who gets it on which channel, how each variant encodes,
how many WhatsApp recipients are outside the 24-hour window (template or SMS), cost and duration.

Every door shows the same: the REST API (`POST /api/v1/broadcasts/preview`), the SMS commands and the
desk. What in a preview stops a broadcast being created is broadcasts/validate.py's to say.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from broadcasts import routing
from broadcasts.audience import Audience, recipients
from broadcasts.compose import ChannelCounts, Estimate, TextPreview, describe, estimate, preview_text
from broadcasts.dispatcher import DEFAULT_RATES
from broadcasts.fallback import SMS_ORDER
from broadcasts.fanout import VillageRoutes
from broadcasts.ratelimit import Rate
from broadcasts.service import Draft
from broadcasts.window import inside_window
from models import Channel, IdentityKind


@dataclass(frozen=True, slots=True)
class Preview:
    """Everything the cadre is shown before a broadcast goes."""

    counts: ChannelCounts
    estimate: Estimate
    sms: TextPreview
    whatsapp: TextPreview | None
    unreachable: int  # chosen but no channel the village has reaches them
    without_template: int  # WhatsApp-only recipients outside the window when there is no template
    summary: str  # one Indonesian sentence: recipients, channels, segments, cost, duration


def preview(
    *,
    session: Session,
    village: VillageRoutes,
    audience: Audience,
    sms_text: str,
    whatsapp_text: str | None,
    template_name: str | None,
    rates: Mapping[Channel, Rate],
    now: datetime,
) -> Preview:
    """Count the audience by channel as fan-out would route it, and estimate cost and duration."""
    per_channel: dict[Channel, int] = {}
    with_template = fallback_sms = unreachable = without_template = 0
    sms_channel = next((c for c in SMS_ORDER if c in village.available and c in village.addresses), None)
    for recipient in recipients(session=session, village_id=village.village_id, audience=audience):
        route = routing.choose(
            identities=recipient.identities,
            village_addresses=village.addresses,
            available=village.available,
            preferred=recipient.preferred_channel,
        )
        if route is None:
            unreachable += 1
            continue
        channel = route.channel
        if channel.is_whatsapp and not inside_window(recipient.whatsapp_last_inbound_at, now):
            if template_name:
                with_template += 1
            elif sms_channel is not None and IdentityKind.PHONE in recipient.identities:
                channel = sms_channel
                fallback_sms += 1
            else:
                without_template += 1
                continue
        per_channel[channel] = per_channel.get(channel, 0) + 1
    counts = ChannelCounts(
        per_channel, outside_window_template=with_template, outside_window_sms=fallback_sms
    )
    result = estimate(counts, sms_text, whatsapp_text, village.prices, rates)
    return Preview(
        counts=counts,
        estimate=result,
        sms=preview_text(sms_text),
        whatsapp=preview_text(whatsapp_text) if whatsapp_text else None,
        unreachable=unreachable,
        without_template=without_template,
        summary=describe(result),
    )


def of_draft(
    *,
    session: Session,
    village: VillageRoutes,
    draft: Draft,
    now: datetime,
    rates: Mapping[Channel, Rate] = DEFAULT_RATES,
) -> Preview:
    """The preview of a draft as fan-out would route it now. `village`: its routes over the channels
    this deployment sends on (broadcasts/runs.py: `village_routes`); `rates`: the deployment's (for the
    duration), or the dispatcher's defaults."""
    return preview(
        session=session,
        village=village,
        audience=draft.audience,
        sms_text=draft.sms_text,
        whatsapp_text=draft.whatsapp_text,
        template_name=draft.template_name,
        rates=rates,
        now=now,
    )
