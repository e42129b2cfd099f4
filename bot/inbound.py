"""The transaction boundary of the inbound pipeline, shared by every webhook.

SQLite allows one writer at a time and makes a waiting writer sleep and poll, so on SQLite one writer
thread takes the messages that arrive together and handles them in one transaction (group commit),
committing once for the batch. That roughly doubles throughput (bench/README.md); savepoints per
message would cost most of the gain, so a failure other than a repeated message rolls the batch back and
its messages are handled one by one. On PostgreSQL each message has its own transaction and
concurrent requests run side by side in the thread pool.
"""

import asyncio
import logging
import queue
import threading
from collections.abc import Awaitable, Callable, Collection
from concurrent.futures import Future
from datetime import datetime
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from bot.db import transaction
from bot.metrics import INBOUND
from bot.outage import DatabaseUnavailable, is_outage
from handlers import pipeline
from handlers.contacts import Directory
from handlers.inbound import InboundMessage, Outcome
from models import Channel
from models.errors import NotFound
from models.phone import log_id, mask

log = logging.getLogger("kentongan.inbound")

MAX_BATCH = 64
_Job = tuple[InboundMessage, datetime, "Future[Outcome]"]


async def _nobody_schedules(_broadcast_id: int, _at: datetime) -> bool:
    return False  # no scheduler in this process: its sweep elsewhere finds the broadcast


class InboundService:
    """Runs each inbound message through the pipeline exactly once and returns its replies."""

    def __init__(
        self,
        engine: Engine,
        *,
        limits: pipeline.Limits,
        directory: Directory | None = None,
        available: Collection[Channel] = frozenset(Channel),
    ) -> None:
        self.engine = engine
        self.limits = limits
        self.available = frozenset(available)  # the channels notices from staff commands may go out on
        self.directory = directory or Directory()
        self._queue: queue.SimpleQueue[_Job | None] | None = None
        self._writer: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.on_queued: Callable[[], None] = lambda: None  # replies went to the outbox: wake the dispatcher
        # A committed broadcast waits for its time: SchedulingService.schedule when the app has one.
        self.on_scheduled: Callable[[int, datetime], Awaitable[object]] = _nobody_schedules

    async def handle_async(self, message: InboundMessage, *, now: datetime) -> Outcome:
        """Handle the message without blocking the event loop, then tell the scheduler (when it runs
        here) about broadcasts a staff command created, so that they go at their time rather than at
        the scheduler's next sweep."""
        if self.engine.dialect.name != "sqlite":
            outcome = await run_in_threadpool(self.handle, message, now=now)
        else:
            outcome = await asyncio.wrap_future(self._submit(message, now))
        for broadcast_id, at in outcome.scheduled:
            try:
                await self.on_scheduled(broadcast_id, at)
            except Exception:  # the sweep still finds it; the sender's answer must not fail for this
                log.exception("telling the scheduler about broadcast %d failed", broadcast_id)
        return outcome

    def handle(self, message: InboundMessage, *, now: datetime) -> Outcome:
        """Handle the message in this thread (SQLite: through the writer thread)."""
        if self.engine.dialect.name == "sqlite":
            return self._submit(message, now).result()
        return self._record(message, self._handle_alone(message, now))

    # --- one message, one transaction (PostgreSQL, and the fallback) ------------------------------

    def _receive(self, session: Session, message: InboundMessage, now: datetime) -> Outcome:
        """The pipeline over the caller's transaction, with this service's limits, directory and channels
        (one call for both paths, so that neither can leave one out)."""
        return pipeline.receive(
            message,
            session=session,
            now=now,
            limits=self.limits,
            directory=self.directory,
            available=self.available,
        )

    def _handle_alone(self, message: InboundMessage, now: datetime) -> Outcome:
        try:
            with transaction(self.engine) as session:
                return self._receive(session, message, now)
        except (IntegrityError, OperationalError) as error:
            # Another request stored this provider id first (or held the write lock past the timeout).
            with transaction(self.engine) as session:
                replayed = pipeline.replay(message, session=session)
            if replayed is None:
                if isinstance(error, OperationalError):
                    raise DatabaseUnavailable() from error
                raise
            return replayed

    # --- group commit (SQLite) ------------------------------------------------------------------

    def close(self) -> None:
        """Let the writer finish what it has and stop (on shutdown)."""
        if self._writer is not None and self._writer.is_alive() and self._queue is not None:
            self._queue.put(None)
            self._writer.join(timeout=10)
        self._writer = None

    def _submit(self, message: InboundMessage, now: datetime) -> "Future[Outcome]":
        if self._writer is None or not self._writer.is_alive():
            with self._start_lock:
                if self._writer is None or not self._writer.is_alive():
                    self._queue = queue.SimpleQueue()
                    self._writer = threading.Thread(
                        target=self._write_loop, name="inbound-writer", daemon=True
                    )
                    self._writer.start()
        future: Future[Outcome] = Future()
        assert self._queue is not None
        self._queue.put((message, now, future))
        return future

    def _write_loop(self) -> None:
        assert self._queue is not None
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            try:
                self._write_batch(batch)
            except Exception as error:  # the batch's transaction failed as a whole: retry each alone
                if not is_outage(error):  # an outage is logged once a second by the app, not per batch
                    log.exception("inbound batch of %d failed; handling each alone", len(batch))
                for message, now, future in batch:
                    if not future.done():
                        self._settle(future, message, partial(self._handle_alone, message, now))

    def _write_batch(self, batch: list[_Job]) -> None:
        results: list[tuple[Future[Outcome], InboundMessage, Outcome]] = []
        with transaction(self.engine) as session:
            for message, now, future in batch:
                try:
                    outcome = self._receive(session, message, now)
                except NotFound as error:  # raised before any write: the batch goes on
                    future.set_exception(error)
                    continue
                except IntegrityError:
                    # A repeat of a stored message fails on its first write, and SQLite undoes just that
                    # statement. Anything else (replay finds no answered row) fails the whole batch,
                    # which is then handled message by message.
                    replayed = pipeline.replay(message, session=session)
                    if replayed is None:
                        raise
                    outcome = replayed
                results.append((future, message, outcome))
        for future, message, result in results:
            future.set_result(self._record(message, result))

    def _settle(
        self, future: "Future[Outcome]", message: InboundMessage, work: Callable[[], Outcome]
    ) -> None:
        try:
            future.set_result(self._record(message, work()))
        except BaseException as error:
            future.set_exception(error)

    def _record(self, message: InboundMessage, outcome: Outcome) -> Outcome:
        INBOUND.labels(
            channel=message.channel.value,
            intent=outcome.intent or "none",
            duplicate=str(outcome.duplicate).lower(),
        ).inc()
        log.info(
            "inbound %s %s from %s: intent=%s duplicate=%s replies=%d ticket=%s",
            message.channel,
            log_id(message.provider_id),
            mask(message.sender),
            outcome.intent,
            outcome.duplicate,
            len(outcome.replies),
            outcome.ticket_code or "-",
        )
        if outcome.replies and not message.reply_inline and not outcome.duplicate:
            self.on_queued()
        return outcome
