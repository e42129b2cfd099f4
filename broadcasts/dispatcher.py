"""The dispatcher: claims due outbox rows, applies the rules, sends through the channel adapters.

One pass (`run_once`):
1. Claim up to `batch_size` due rows in lane order (replies and emergencies first), marking them
   `sending` with a lease. On PostgreSQL the claim uses FOR UPDATE SKIP LOCKED, so several dispatchers
   share the work without ever taking the same row; on SQLite there is one dispatcher.
   Rows left `sending` by a dispatcher that died are claimed again once their lease has run out.
2. Decide each row without sending: cancel broadcasts to contacts who unsubscribed, expire rows past
   their validity, stop a reply loop, hold bulk broadcast rows through the village's quiet hours and
   blackouts (replies, notices and darurat go; a row the hold would take past its validity expires),
   and apply WhatsApp's 24-hour window (broadcasts/window.py: a template outside it, or an SMS
   fallback, never both).
3. Send concurrently, each sender paced by its own `Pacer`; rows whose sender is busy for longer than
   `horizon` go back to the queue untouched, so a slow SIM never holds a lease.
4. Record results as they come, a few dozen per transaction; the sends in a transaction of their own.
   What a refusal means, and what follows it (an SMS instead, an opt-out), broadcasts/reports.py says.

Crash safety: a row is `sending` while its send is in flight. If the process dies after the provider
accepted a message but before the result was recorded, the lease expires and the row would be sent
again. Recording in the database can wait (on SQLite behind the inbound writer's lock: seconds under
load, bench/README.md), so each acceptance is first written to the sent journal
(`broadcasts/journal.py`) the moment the provider's answer is read, and every pass begins by recording
what a dead dispatcher's journal (or a failed recording of our own) says was accepted, before it claims
anything. What remains is the provider's round trip itself: a message the provider accepted while its
answer was still on the way to a process that then died. The Android gateway closes even that: our row
id is its message id, and it answers a repeat with 409.
"""

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, bindparam, case, func, or_, select, update
from sqlmodel import Session

from broadcasts import reports, timing
from broadcasts.channel import ChannelAdapter, OutgoingMessage, SendOutcome, SendResult, Template
from broadcasts.journal import Entry, SentJournal
from broadcasts.ratelimit import Pacer, Rate
from broadcasts.window import inside_window
from models import (
    RANK,
    Channel,
    DeliveryStatus,
    FailureReason,
    Lane,
    OutboxSource,
    SubscriptionState,
)
from models.tables import CONTACT, OUTBOX, VILLAGE

log = logging.getLogger("kentongan.dispatcher")


# Defaults (docs/providers.md): WhatsApp 80 messages/s per number; Twilio SMS from an alphanumeric sender
# about 10 segments/s; an Android SIM about 100 SMS an hour before the carrier objects.
DEFAULT_RATES: dict[Channel, Rate] = {
    Channel.TWILIO_WHATSAPP: Rate(80),
    Channel.WHATSAPP_CLOUD: Rate(80),
    Channel.TWILIO_SMS: Rate(10, "segment"),
    Channel.SMSGATE: Rate(100 / 3600, "segment"),
    Channel.CONSOLE: Rate(10_000),
}


@dataclass(frozen=True)
class DispatchConfig:
    """How the dispatcher works; every figure can be set per deployment."""

    batch_size: int = 500
    concurrency: int = 64
    lease: timedelta = timedelta(minutes=2)
    horizon: float = 2.0  # seconds a row may wait for its sender before going back to the queue
    max_attempts: int = 6
    backoff_base: float = 5.0  # seconds; then x3 each attempt: 5, 15, 45, 135, 405
    backoff_cap: float = 3600.0
    idle_poll: float = 0.5
    rates: Mapping[Channel, Rate] = field(default_factory=lambda: dict(DEFAULT_RATES))
    record_every: int = 64  # results recorded together at most...
    record_interval: float = 0.02  # ...or after this many seconds
    loop_guard_max: int = 3
    loop_guard_window: timedelta = timedelta(minutes=5)

    def backoff(self, attempts: int, retry_after: float | None = None) -> float:
        """Seconds before the next attempt after `attempts` tries."""
        delay = min(self.backoff_cap, self.backoff_base * 3.0 ** max(attempts - 1, 0))
        return float(max(delay, retry_after or 0.0))


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    village_id: int
    contact_id: int
    channel: Channel
    sender: str
    recipient: str
    body: str
    template_name: str | None
    template_variables: list[str]
    lane: int
    source: OutboxSource
    run_id: int | None
    attempts: int
    segments: int
    validity_seconds: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class _ContactInfo:
    subscription: SubscriptionState
    whatsapp_last_inbound_at: datetime | None


@dataclass(slots=True)
class _Result:
    row: _Row
    status: DeliveryStatus
    provider_id: str | None = None
    error_code: str | None = None
    reason: FailureReason | None = None
    retry_in: float | None = None  # back to the queue after this many seconds
    deferred: bool = False  # sender busy: back to the queue without using an attempt
    fallback: bool = False  # queue an SMS replacing this WhatsApp row (reports.Verdict.sms_instead)
    opted_out: bool = False  # unsubscribe the contact (reports.Verdict.unsubscribe)

    @property
    def verdict(self) -> reports.Verdict:
        """What the row's ending means, as broadcasts/reports.py gave it."""
        return reports.Verdict(self.reason, sms_instead=self.fallback, unsubscribe=self.opted_out)


_CLAIM_COLUMNS = (
    OUTBOX.c.id,
    OUTBOX.c.village_id,
    OUTBOX.c.contact_id,
    OUTBOX.c.channel,
    OUTBOX.c.sender,
    OUTBOX.c.recipient,
    OUTBOX.c.body,
    OUTBOX.c.template_name,
    OUTBOX.c.template_variables,
    OUTBOX.c.lane,
    OUTBOX.c.source,
    OUTBOX.c.run_id,
    OUTBOX.c.attempts,
    OUTBOX.c.segments,
    OUTBOX.c.validity_seconds,
    OUTBOX.c.created_at,
)


def _set_status(status: DeliveryStatus) -> dict[str, Any]:
    """SET clauses moving a row to `status` unless a callback already moved it further."""
    rank = RANK[status]
    return {
        "status": case((OUTBOX.c.status_rank < rank, status.value), else_=OUTBOX.c.status),
        "status_rank": case((OUTBOX.c.status_rank < rank, rank), else_=OUTBOX.c.status_rank),
    }


_MARK_SENT = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("row_id"))
    .values(
        provider_id=bindparam("provider_id"),
        sent_at=bindparam("now"),
        updated_at=bindparam("now"),
        claimed_until=None,
        **_set_status(DeliveryStatus.SENT),
    )
)
_REQUEUE = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("row_id"))
    .values(
        status=DeliveryStatus.QUEUED.value,
        status_rank=RANK[DeliveryStatus.QUEUED],
        next_attempt_at=bindparam("next_at"),
        attempts=OUTBOX.c.attempts - bindparam("refund"),
        error_code=bindparam("error_code"),
        claimed_until=None,
        updated_at=bindparam("now"),
    )
)
_END = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("row_id"))
    .values(
        status=bindparam("status"),
        status_rank=bindparam("rank"),
        failure_reason=bindparam("reason"),
        error_code=bindparam("error_code"),
        claimed_until=None,
        updated_at=bindparam("now"),
    )
)
# A journaled acceptance the database may not know yet: only a row still waiting (`sending`, or
# `queued` by another dispatcher's failed retry of it) moves; one already recorded is left as it is.
_RECORD_JOURNALED = (
    update(OUTBOX)
    .where(OUTBOX.c.id == bindparam("row_id"), OUTBOX.c.status_rank <= RANK[DeliveryStatus.SENDING])
    .values(
        status=DeliveryStatus.SENT.value,
        status_rank=RANK[DeliveryStatus.SENT],
        provider_id=bindparam("provider_id"),
        sent_at=bindparam("sent_at"),
        claimed_until=None,
        updated_at=bindparam("now"),
    )
)


class Dispatcher:
    """Sends what is due in the outbox; one per SQLite deployment, any number on PostgreSQL."""

    def __init__(
        self,
        engine: Engine,
        adapters: Mapping[Channel, ChannelAdapter],
        *,
        config: DispatchConfig | None = None,
        clock: Callable[[], datetime],
        journal: SentJournal | None = None,
    ) -> None:
        self.engine = engine
        self.adapters = dict(adapters)
        self.config = config or DispatchConfig()
        self.clock = clock
        self.journal = journal  # opened and closed by the owner (bot/delivery.py)
        self._pacers: dict[tuple[Channel, str], Pacer] = {}
        self._wake = asyncio.Event()
        # Acceptances not yet committed to the database (touched on the event loop only).
        self._unrecorded: dict[int, Entry] = {}
        self._journal_failing = False

    @property
    def unrecorded(self) -> int:
        """How many accepted messages the database does not know yet."""
        return len(self._unrecorded)

    def wake(self) -> None:
        """Look at the outbox now rather than at the next poll (new urgent rows)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Dispatch until `stop` is set; idle polls wait `idle_poll` seconds (or a `wake`)."""
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("dispatch pass failed; trying again shortly")
                handled = 0
            if handled == 0:
                self._wake.clear()
                waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
                await asyncio.wait(
                    waiters, timeout=self.config.idle_poll, return_when=asyncio.FIRST_COMPLETED
                )
                for waiter in waiters:
                    waiter.cancel()

    async def run_once(self) -> int:
        """One pass: recover, claim, decide, send, record. Returns how many rows it handled."""
        if self.journal is not None or self._unrecorded:
            # Before any claim: a dead dispatcher's accepted rows must be `sent` before their lease
            # runs out and they look claimable (a failure here skips the claim; the next pass retries).
            own = list(self._unrecorded.values())
            await asyncio.to_thread(self._recover, own, self.clock())
            self._recorded(entry.outbox_id for entry in own)
        now = self.clock()
        rows, contacts, held = await asyncio.to_thread(self._claim, now)
        if not rows:
            return 0
        recent = await asyncio.to_thread(self._recent_identical, rows, now)
        semaphore = asyncio.Semaphore(self.config.concurrency)

        async def one(row: _Row) -> _Result:
            async with semaphore:
                result = await self._dispatch(row, contacts.get(row.contact_id), recent, now, held)
                if result.status == DeliveryStatus.SENT:
                    self._accepted(result)  # in the same step as the answer was read: no await between
                return result

        # Results are recorded as they come, in small groups, so that the database is rarely far behind
        # (and the journal stays short); the double-send window no longer depends on it.
        loop = asyncio.get_running_loop()
        done: list[_Result] = []
        flushed_at = loop.time()
        tasks = [asyncio.create_task(one(row)) for row in rows]  # started in lane order
        for finished in asyncio.as_completed(tasks):
            done.append(await finished)
            due = loop.time() - flushed_at >= self.config.record_interval
            if due or len(done) >= self.config.record_every:
                await self._flush(done)
                done, flushed_at = [], loop.time()
        if done:
            await self._flush(done)
        return len(rows)

    def _accepted(self, result: _Result) -> None:
        """Keep an acceptance until the database has it: in memory, and in the journal on disk."""
        entry = Entry(result.row.id, result.provider_id, self.clock().timestamp())
        self._unrecorded[entry.outbox_id] = entry
        if self.journal is None:
            return
        try:
            self.journal.append(entry)
        except OSError:  # disk full or failing: the database recording still follows, as without one
            if not self._journal_failing:
                log.exception("writing the sent journal failed; sends are recorded in the database only")
            self._journal_failing = True
        else:
            self._journal_failing = False

    async def _flush(self, results: Sequence[_Result]) -> None:
        await asyncio.to_thread(self._record, results, self.clock())
        self._recorded(r.row.id for r in results if r.status == DeliveryStatus.SENT)

    def _recorded(self, ids: Iterable[int]) -> None:
        """The database has these sends: forget them, and empty the journal once it holds nothing else."""
        for outbox_id in ids:
            self._unrecorded.pop(outbox_id, None)
        if not self._unrecorded and self.journal is not None:
            try:
                self.journal.reset()
            except OSError:
                log.exception("emptying the sent journal failed")

    def _recover(self, own: Sequence[Entry], now: datetime) -> None:
        """Record what our earlier, failed recordings and dead dispatchers' journals say was accepted."""
        if own:
            self._record_journaled(own, now)
        if self.journal is None:
            return
        orphans = self.journal.orphans()
        try:
            while orphans:
                orphan = orphans[0]
                if orphan.entries:
                    self._record_journaled(orphan.entries, now)
                    log.warning(
                        "recorded %d sends from the journal of a dispatcher that died (%s)",
                        len(orphan.entries),
                        orphan.path.name,
                    )
                self.journal.release(orphans.pop(0))
        finally:
            for orphan in orphans:  # recording failed: a later pass tries again
                self.journal.abandon(orphan)

    def _record_journaled(self, entries: Sequence[Entry], now: datetime) -> None:
        params = [
            {
                "row_id": e.outbox_id,
                "provider_id": e.provider_id,
                "sent_at": datetime.fromtimestamp(e.at, UTC),
                "now": now,
            }
            for e in entries
        ]
        with Session(self.engine) as session, session.begin():
            session.connection().execute(_RECORD_JOURNALED, params)

    # --- 1. claim ------------------------------------------------------------------------------

    def _claim(self, now: datetime) -> tuple[list[_Row], dict[int, _ContactInfo], dict[int, datetime | None]]:
        """Claim due rows; with them their contacts, and for each village with bulk rows in the batch
        when its quiet hours or blackouts let bulk go (None: now), decided once for the pass."""
        due = or_(
            and_(OUTBOX.c.status == DeliveryStatus.QUEUED.value, OUTBOX.c.next_attempt_at <= now),
            and_(OUTBOX.c.status == DeliveryStatus.SENDING.value, OUTBOX.c.claimed_until < now),
        )
        candidates = (
            select(OUTBOX.c.id)
            .where(due)
            .order_by(OUTBOX.c.lane, OUTBOX.c.next_attempt_at, OUTBOX.c.id)
            .limit(self.config.batch_size)
        )
        if self.engine.dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        claim = (
            update(OUTBOX)
            .where(OUTBOX.c.id.in_(candidates.scalar_subquery()))
            .values(
                status=DeliveryStatus.SENDING.value,
                status_rank=RANK[DeliveryStatus.SENDING],
                claimed_until=now + self.config.lease,
                attempts=OUTBOX.c.attempts + 1,
                updated_at=now,
            )
            .returning(*_CLAIM_COLUMNS)
        )
        with Session(self.engine) as session, session.begin():
            connection = session.connection()
            rows = [_Row(*r) for r in connection.execute(claim)]
            if not rows:
                return [], {}, {}
            rows.sort(key=lambda r: (r.lane, r.id))
            contact_ids = {r.contact_id for r in rows}
            info = connection.execute(
                select(CONTACT.c.id, CONTACT.c.subscription, CONTACT.c.whatsapp_last_inbound_at).where(
                    CONTACT.c.id.in_(contact_ids)
                )
            )
            contacts = {r.id: _ContactInfo(*r[1:]) for r in info}
            bulk = {r.village_id for r in rows if r.lane == Lane.BULK}
            allowed: dict[int, datetime] = {}
            if bulk:
                allowed = {
                    v.id: timing.next_allowed(
                        now, v.timezone, timing.village_rules(v.quiet_start, v.quiet_end, v.blackouts)
                    )
                    for v in connection.execute(
                        select(
                            VILLAGE.c.id,
                            VILLAGE.c.timezone,
                            VILLAGE.c.quiet_start,
                            VILLAGE.c.quiet_end,
                            VILLAGE.c.blackouts,
                        ).where(VILLAGE.c.id.in_(bulk))
                    )
                }
        return rows, contacts, {village: at if at > now else None for village, at in allowed.items()}

    def _recent_identical(self, rows: Sequence[_Row], now: datetime) -> dict[tuple[int, str], int]:
        """How often each (contact, text) of the batch went out lately (the loop guard)."""
        watched = [r for r in rows if r.source != OutboxSource.BROADCAST]
        if not watched:
            return {}
        since = now - self.config.loop_guard_window
        with self.engine.connect() as connection:
            counts = connection.execute(
                select(OUTBOX.c.contact_id, OUTBOX.c.body, func.count())
                .where(
                    OUTBOX.c.contact_id.in_({r.contact_id for r in watched}),
                    OUTBOX.c.sent_at >= since,
                    OUTBOX.c.status_rank >= RANK[DeliveryStatus.SENT],
                )
                .group_by(OUTBOX.c.contact_id, OUTBOX.c.body)
            )
            return {(c, b): n for c, b, n in counts}

    # --- 2 and 3. decide and send --------------------------------------------------------------

    async def _dispatch(
        self,
        row: _Row,
        contact: _ContactInfo | None,
        recent: dict[tuple[int, str], int],
        now: datetime,
        held_until: Mapping[int, datetime | None],
    ) -> _Result:
        if contact is None:
            return _Result(row, DeliveryStatus.FAILED, reason=FailureReason.NO_CHANNEL)
        if row.source == OutboxSource.BROADCAST and contact.subscription != SubscriptionState.SUBSCRIBED:
            return _Result(row, DeliveryStatus.CANCELLED, reason=FailureReason.UNSUBSCRIBED)
        if row.validity_seconds is not None and now > row.created_at + timedelta(
            seconds=row.validity_seconds
        ):
            return _Result(row, DeliveryStatus.EXPIRED, reason=FailureReason.EXPIRED)
        held = held_until.get(row.village_id) if row.lane == Lane.BULK else None
        if held is not None:
            # Queued before quiet hours began (a gateway phone pacing a broadcast out), or before the
            # village changed them: it waits for their end, unless that is past its validity.
            if row.validity_seconds is not None and held > row.created_at + timedelta(
                seconds=row.validity_seconds
            ):
                return _Result(row, DeliveryStatus.EXPIRED, reason=FailureReason.EXPIRED)
            return _Result(row, DeliveryStatus.QUEUED, deferred=True, retry_in=(held - now).total_seconds())
        if row.source != OutboxSource.BROADCAST:
            key = (row.contact_id, row.body)
            if recent.get(key, 0) >= self.config.loop_guard_max:
                return _Result(row, DeliveryStatus.CANCELLED, reason=FailureReason.LOOP_GUARD)
            recent[key] = recent.get(key, 0) + 1
        adapter = self.adapters.get(row.channel)
        if adapter is None:
            return self._refused(row, reports.cannot_go(FailureReason.NO_CHANNEL, row.channel), None)

        template: Template | None = None
        whatsapp = row.channel.is_whatsapp and row.source != OutboxSource.REPLY  # a reply is inside it
        if whatsapp and not inside_window(contact.whatsapp_last_inbound_at, now):
            if row.template_name is None:
                outside = reports.cannot_go(FailureReason.OUTSIDE_WINDOW, row.channel)
                return self._refused(row, outside, None)
            template = Template(row.template_name, tuple(row.template_variables))

        rate = self.config.rates.get(row.channel, Rate(10))
        pacer = self._pacers.setdefault((row.channel, row.sender), Pacer(rate))
        if pacer.peek() > self.config.horizon:
            return _Result(row, DeliveryStatus.QUEUED, deferred=True, retry_in=pacer.peek())
        await pacer.wait(row.segments if rate.unit == "segment" else 1)

        message = OutgoingMessage(
            outbox_id=row.id,
            channel=row.channel,
            sender=row.sender,
            to=row.recipient,
            body=row.body,
            template=template,
            validity_seconds=row.validity_seconds,
        )
        try:
            result = await adapter.send(message)
        except Exception as error:  # an adapter bug must not lose the row: retry it like a network error
            log.exception("adapter %s raised on outbox row %d", row.channel, row.id)
            result = SendResult(SendOutcome.RETRY, error_message=str(error)[:200])
        return self._outcome(row, result)

    def _outcome(self, row: _Row, result: SendResult) -> _Result:
        outcome = result.outcome
        if outcome in (SendOutcome.ACCEPTED, SendOutcome.ALREADY_SENT):
            provider_id = result.provider_id or (str(row.id) if outcome == SendOutcome.ALREADY_SENT else None)
            return _Result(row, DeliveryStatus.SENT, provider_id=provider_id)
        if outcome == SendOutcome.RETRY:
            if row.attempts >= self.config.max_attempts:
                return _Result(
                    row,
                    DeliveryStatus.FAILED,
                    error_code=result.error_code,
                    reason=FailureReason.ATTEMPTS_EXHAUSTED,
                )
            retry_in = self.config.backoff(row.attempts, result.retry_after)
            return _Result(row, DeliveryStatus.QUEUED, error_code=result.error_code, retry_in=retry_in)
        # Refused for good: what that means (and what follows) is broadcasts/reports.py's to say.
        verdict = reports.refusal(outcome, result.error_code, row.channel)
        return self._refused(row, verdict, result.error_code)

    @staticmethod
    def _refused(row: _Row, verdict: reports.Verdict, error_code: str | None) -> _Result:
        """End a row that cannot go; `_record` carries out what follows (an SMS in place of a WhatsApp
        row, an opt-out) with `reports.follow`."""
        return _Result(
            row,
            DeliveryStatus.FAILED,
            error_code=error_code,
            reason=verdict.reason,
            fallback=verdict.sms_instead,
            opted_out=verdict.unsubscribe,
        )

    # --- 4. record -----------------------------------------------------------------------------

    def _record(self, results: Sequence[_Result], now: datetime) -> None:
        sent: list[dict[str, Any]] = []
        requeue: list[dict[str, Any]] = []
        ended: list[dict[str, Any]] = []
        followed: list[_Result] = []  # ended rows that something follows: an SMS instead, an opt-out
        for r in results:
            if r.status == DeliveryStatus.SENT:
                sent.append({"row_id": r.row.id, "provider_id": r.provider_id, "now": now})
            elif r.status == DeliveryStatus.QUEUED:
                requeue.append(
                    {
                        "row_id": r.row.id,
                        "next_at": now + timedelta(seconds=r.retry_in or 0),
                        "refund": 1 if r.deferred else 0,
                        "error_code": r.error_code,
                        "now": now,
                    }
                )
            else:
                ended.append(
                    {
                        "row_id": r.row.id,
                        "status": r.status.value,
                        "rank": RANK[r.status],
                        "reason": r.reason.value if r.reason else None,
                        "error_code": r.error_code,
                        "now": now,
                    }
                )
                if r.fallback or r.opted_out:
                    followed.append(r)
        # The sends first and alone: on PostgreSQL they then wait for no row lock but their own rows',
        # never for a contact an inbound transaction is updating (the consent change below).
        if sent:
            with Session(self.engine) as session, session.begin():
                session.connection().execute(_MARK_SENT, sent)
        queued: list[int | None] = []
        if requeue or ended:
            with Session(self.engine) as session, session.begin():
                connection = session.connection()
                if requeue:
                    connection.execute(_REQUEUE, requeue)
                if ended:
                    connection.execute(_END, ended)
                queued = [
                    reports.follow(
                        session=session,
                        verdict=r.verdict,
                        outbox_id=r.row.id,
                        channel=r.row.channel,
                        error_code=r.error_code,
                        channels=self.adapters,
                        now=now,
                        contact_id=r.row.contact_id,
                    )
                    for r in followed
                ]
        if any(queued_id is not None for queued_id in queued):
            self.wake()
        log.info(
            "dispatched %d: %d sent, %d requeued, %d ended, %d SMS fallbacks",
            len(results),
            len(sent),
            len(requeue),
            len(ended),
            sum(r.fallback for r in followed),
        )
