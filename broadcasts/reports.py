"""What a provider's answer or report means for a message we sent, and what follows from it.

One module decides every provider outcome, whether it comes as the answer to a send (the dispatcher,
broadcasts/dispatcher.py) or later as a status callback (each provider's webhooks under bot/providers/,
through bot/delivery.py: `DeliveryService.record_statuses`, which only opens the transaction):

- `record_statuses` moves outbox rows forward on reports, never backwards (models/outbox.py: `RANK`);
- `failure_reason` says why an error code ended a message, by the groups of codes below;
- a `Verdict` says why a message ended, whether one SMS goes in place of a WhatsApp message, and whether
  the person opted out: `refusal` for a send refused for good, `cannot_go` for what the dispatcher
  itself finds (no channel, outside the window without a template), `of_report` for a status callback;
- `follow` carries a verdict out in the caller's transaction: the SMS instead (broadcasts/fallback.py),
  the unsubscription (broadcasts/consent.py); `receive` does all of it for a batch of status callbacks.

The codes and what each means: docs/providers.md. The WhatsApp window's own: broadcasts/window.py.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import and_, bindparam, select, update
from sqlmodel import Session

from broadcasts import consent, fallback
from broadcasts.channel import SendOutcome, StatusUpdate
from broadcasts.window import OUTSIDE_WINDOW_CODES
from models import RANK, Channel, DeliveryStatus, FailureReason, SubscriptionState
from models.base import fits_id
from models.tables import OUTBOX

# Provider error codes, by what they mean for us (docs/providers.md).
OPT_OUT_CODES = frozenset({"21610", "131050"})
UNDELIVERABLE_CODES = frozenset({"131026", "63024"})
INVALID_NUMBER_CODES = frozenset({"21211", "30005"})
NOT_MOBILE_CODES = frozenset({"21614", "30006"})
CARRIER_CODES = frozenset({"30003", "30004", "30007", "30008"})
TEMPLATE_CODES = frozenset({"21655", "21656", "132000", "132001", "132005", "132012"})
# A WhatsApp message refused with one of these goes as one SMS instead.
SMS_INSTEAD_CODES = OUTSIDE_WINDOW_CODES | UNDELIVERABLE_CODES


def failure_reason(code: str | None) -> FailureReason:
    """Why a provider error code ended a message."""
    if code in OPT_OUT_CODES:
        return FailureReason.OPTED_OUT
    if code in OUTSIDE_WINDOW_CODES:
        return FailureReason.OUTSIDE_WINDOW
    if code in UNDELIVERABLE_CODES:
        return FailureReason.UNDELIVERABLE
    if code in INVALID_NUMBER_CODES:
        return FailureReason.INVALID_NUMBER
    if code in NOT_MOBILE_CODES:
        return FailureReason.NOT_MOBILE
    if code in CARRIER_CODES:
        return FailureReason.CARRIER
    if code in TEMPLATE_CODES:
        return FailureReason.BAD_TEMPLATE
    return FailureReason.PROVIDER


# --- what an outcome means --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """What an outcome means for one message, beyond its new status."""

    reason: FailureReason | None = None  # why the message ended; None: it did not end
    sms_instead: bool = False  # a WhatsApp message that cannot go: one SMS takes its place
    unsubscribe: bool = False  # the person stopped messages at the provider: they are unsubscribed

    @property
    def follows(self) -> bool:
        """Whether anything beyond the row's status follows (see `follow`)."""
        return self.sms_instead or self.unsubscribe


def cannot_go(reason: FailureReason, channel: Channel) -> Verdict:
    """A message that cannot go as it is (outside the window without a template, refused by WhatsApp, a
    channel this deployment does not send on): ended for `reason`, one SMS instead of a WhatsApp one."""
    return Verdict(reason, sms_instead=channel.is_whatsapp)


def refusal(outcome: SendOutcome, error_code: str | None, channel: Channel) -> Verdict:
    """A send the provider refused for good (anything but accepted or worth retrying)."""
    if outcome == SendOutcome.OPTED_OUT:
        return Verdict(FailureReason.OPTED_OUT, unsubscribe=True)
    if outcome == SendOutcome.NEEDS_TEMPLATE:
        return cannot_go(FailureReason.OUTSIDE_WINDOW, channel)
    if outcome == SendOutcome.UNDELIVERABLE:
        return cannot_go(FailureReason.UNDELIVERABLE, channel)
    return Verdict(failure_reason(error_code))


def of_report(report: StatusUpdate) -> Verdict:
    """A provider's status report: why a failed message ended, and what its error code asks for (an
    opt-out or a WhatsApp refusal, on whatever status the provider reports it with)."""
    code = report.error_code
    ended = report.status in (DeliveryStatus.FAILED, DeliveryStatus.UNDELIVERED)
    return Verdict(
        failure_reason(code) if ended else None,
        sms_instead=code in SMS_INSTEAD_CODES and report.channel.is_whatsapp,
        unsubscribe=code in OPT_OUT_CODES,
    )


def follow(
    *,
    session: Session,
    verdict: Verdict,
    outbox_id: int,
    channel: Channel,
    error_code: str | None,
    channels: Collection[Channel],
    now: datetime,
    contact_id: int | None = None,
) -> int | None:
    """Carry out what `verdict` asks for outbox row `outbox_id` beyond its status: the SMS instead over
    one of `channels` (at most one per WhatsApp row), the unsubscription. Returns the SMS row's id when
    one was queued. `contact_id`: the row's contact, when the caller knows it already."""
    queued = None
    if verdict.sms_instead:
        queued = fallback.queue_sms_instead(session=session, outbox_id=outbox_id, now=now, channels=channels)
    if verdict.unsubscribe:
        consent.change(
            session=session,
            contact_id=contact_id
            if contact_id is not None
            else contact_of(session=session, outbox_id=outbox_id),
            state=SubscriptionState.UNSUBSCRIBED,
            source="provider_opt_out",
            now=now,
            channel=channel,
            evidence=f"{channel} error {error_code}",
        )
    return queued


# --- status callbacks -------------------------------------------------------------------------

_FIND_BY_PROVIDER = select(OUTBOX.c.id, OUTBOX.c.status_rank, OUTBOX.c.contact_id, OUTBOX.c.status).where(
    OUTBOX.c.channel == bindparam("channel"), OUTBOX.c.provider_id == bindparam("provider_id")
)
_FIND_BY_ID = select(OUTBOX.c.id, OUTBOX.c.status_rank, OUTBOX.c.contact_id, OUTBOX.c.status).where(
    OUTBOX.c.id == bindparam("outbox_id"), OUTBOX.c.channel == bindparam("channel")
)


@dataclass(frozen=True, slots=True)
class StatusResult:
    """What became of a batch of status updates."""

    applied: int  # moved a row forward
    ignored: int  # repeats, or older than what we know
    unknown: int  # no row of ours (logged and answered 200)
    rows: tuple[tuple[int, StatusUpdate], ...] = ()  # (outbox id, update) for each applied update
    sms_queued: int = 0  # SMS queued in place of WhatsApp messages the reports refused (`receive`)


def record_statuses(*, session: Session, updates: Sequence[StatusUpdate], now: datetime) -> StatusResult:
    """Move rows forward on provider reports; repeats and out-of-order reports change nothing."""
    connection = session.connection()
    applied = ignored = unknown = 0
    moved: list[tuple[int, StatusUpdate]] = []
    for update_ in updates:
        found = None
        if update_.provider_id:
            found = connection.execute(
                _FIND_BY_PROVIDER, {"channel": update_.channel, "provider_id": update_.provider_id}
            ).first()
        if found is None and update_.outbox_id is not None and fits_id(update_.outbox_id):
            # Our own id (the gateway's message id, Twilio's ?o=): also finds a row whose provider id the
            # dispatcher has not recorded yet when a fast callback overtakes it.
            found = connection.execute(
                _FIND_BY_ID, {"outbox_id": update_.outbox_id, "channel": update_.channel}
            ).first()
        if found is None:
            unknown += 1
            continue
        rank = RANK[update_.status]
        if rank <= found.status_rank:
            ignored += 1
            continue
        values: dict[str, object] = {"status": update_.status, "status_rank": rank, "updated_at": now}
        at = update_.at or now
        if update_.status == DeliveryStatus.SENT:
            values["sent_at"] = at
        elif update_.status == DeliveryStatus.DELIVERED:
            values["delivered_at"] = at
        elif update_.status == DeliveryStatus.READ:
            values["read_at"] = at
        if update_.error_code:
            values["error_code"] = update_.error_code[:16]
        reason = of_report(update_).reason
        if reason is not None:
            values["failure_reason"] = reason
        result = connection.execute(
            update(OUTBOX).where(and_(OUTBOX.c.id == found.id, OUTBOX.c.status_rank < rank)).values(values)
        )
        if result.rowcount:
            applied += 1
            moved.append((found.id, update_))
        else:
            ignored += 1
    return StatusResult(applied, ignored, unknown, tuple(moved))


def receive(
    *, session: Session, updates: Sequence[StatusUpdate], channels: Collection[Channel], now: datetime
) -> StatusResult:
    """Record a batch of status reports and do what the applied ones say: unsubscribe an opt-out, queue
    one SMS (over one of `channels`) in place of a WhatsApp message refused outside the window or as
    undeliverable. Unknown ids are counted, never an error."""
    result = record_statuses(session=session, updates=updates, now=now)
    queued = 0
    for row_id, report in result.rows:
        verdict = of_report(report)
        if not verdict.follows:
            continue
        sms = follow(
            session=session,
            verdict=verdict,
            outbox_id=row_id,
            channel=report.channel,
            error_code=report.error_code,
            channels=channels,
            now=now,
        )
        queued += sms is not None
    return replace(result, sms_queued=queued)


def contact_of(*, session: Session, outbox_id: int) -> int:
    """The contact an outbox row is for."""
    contact_id: int = (
        session.connection().execute(select(OUTBOX.c.contact_id).where(OUTBOX.c.id == outbox_id)).scalar_one()
    )
    return contact_id
