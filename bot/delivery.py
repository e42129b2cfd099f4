"""The boundary of the delivery engine: provider status reports in, the dispatcher's lifecycle."""

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from bot.db import transaction
from broadcasts import consent, outbox
from broadcasts.channel import StatusUpdate
from models import SubscriptionState

log = logging.getLogger("kentongan.delivery")


class DeliveryService:
    """Records provider status reports, and what they imply (opt-outs), in one transaction per report."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record_statuses(self, updates: Sequence[StatusUpdate], *, now: datetime) -> outbox.StatusResult:
        """Move outbox rows forward; unknown ids are counted and logged, never an error."""
        with transaction(self.engine) as session:
            result = outbox.record_statuses(session=session, updates=updates, now=now)
            for row_id, update in result.rows:
                if update.error_code in outbox.OPT_OUT_CODES:
                    contact_id = outbox.contact_of(session=session, outbox_id=row_id)
                    consent.change(
                        session=session,
                        contact_id=contact_id,
                        state=SubscriptionState.UNSUBSCRIBED,
                        source="provider_opt_out",
                        now=now,
                        channel=update.channel,
                        evidence=f"{update.channel} error {update.error_code}",
                    )
        if result.unknown:
            log.info("%d status reports for messages that are not ours (ignored)", result.unknown)
        return result
