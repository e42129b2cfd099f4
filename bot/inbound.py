"""The transaction boundary of the inbound pipeline, shared by every webhook."""

import logging
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.db import transaction
from bot.metrics import INBOUND
from handlers import pipeline
from handlers.inbound import InboundMessage, Outcome
from models.errors import KentonganError
from models.phone import mask

log = logging.getLogger("kentongan.inbound")


def handle(engine: Engine, message: InboundMessage, *, now: datetime, limits: pipeline.Limits) -> Outcome:
    """Run the pipeline in one transaction; a concurrent duplicate gets the first delivery's answer."""
    try:
        with transaction(engine) as session:
            outcome = pipeline.receive(message, session=session, now=now, limits=limits)
    except (IntegrityError, OperationalError) as error:
        # Another request stored this provider id first (or held the write lock past the timeout).
        with transaction(engine) as session:
            replayed = pipeline.replay(message, session=session)
        if replayed is None:
            if isinstance(error, OperationalError):
                raise KentonganError("database busy, try again", status_code=503) from error
            raise
        log.info(
            "duplicate %s %s raced and was answered from the first delivery (%s)",
            message.channel,
            message.provider_id,
            type(error).__name__,
        )
        outcome = replayed
    INBOUND.labels(
        channel=message.channel.value,
        intent=outcome.intent or "none",
        duplicate=str(outcome.duplicate).lower(),
    ).inc()
    log.info(
        "inbound %s %s from %s: intent=%s duplicate=%s replies=%d ticket=%s",
        message.channel,
        message.provider_id,
        mask(message.sender),
        outcome.intent,
        outcome.duplicate,
        len(outcome.replies),
        outcome.ticket_code or "-",
    )
    return outcome
