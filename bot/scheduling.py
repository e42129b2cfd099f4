"""The boundary of the scheduler: its lifecycle in the app or in `kentongan scheduler`, and leadership.

On SQLite the one process schedules from the start. On PostgreSQL a process schedules only while it
holds the leader lock: it tries at start and then every `scheduler_leader_poll_seconds`; the leader
checks its lock connection as often and stops scheduling the moment it finds it dropped, so a standby
takes over within about one poll.
"""

import asyncio
import logging
from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot.providers.registry import configured_channels
from bot.settings import Settings
from broadcasts import digest, runs
from broadcasts.fanout import VillageRoutes
from broadcasts.runs import FireOutcome, FireResult
from broadcasts.scheduler import BroadcastScheduler, Chore, LeaderLock
from handlers import lifecycle, staff
from models import Channel, Staff, Village, utcnow

log = logging.getLogger("kentongan.scheduler")


ESCALATE_EVERY = 300.0  # seconds: deadlines are in working days, five minutes late is on time
DIGEST_EVERY = 60.0  # seconds: digest times are HH:MM


def chores(available: Collection[Channel], *, on_queued: Callable[[], None] | None = None) -> list[Chore]:
    """What the leader does besides firing broadcasts: escalate overdue tickets, send due digests."""

    def routes_for(session: Session) -> Callable[[int], VillageRoutes]:
        def routes(village_id: int) -> VillageRoutes:
            village = session.get(Village, village_id)
            assert village is not None
            return runs.village_routes(session=session, village=village, available=available)

        return routes

    def queued(count: int) -> int:
        if count and on_queued is not None:
            on_queued()
        return count

    def escalate(session: Session, now: datetime) -> int:
        return queued(lifecycle.escalate_overdue(session=session, now=now, routes_for=routes_for(session)))

    def contact_of(session: Session, person: Staff, now: datetime) -> int | None:
        return staff.ensure_contact(session=session, staff=person, now=now)

    def digests(session: Session, now: datetime) -> int:
        return queued(digest.send_due(session=session, now=now, available=available, contact_of=contact_of))

    return [
        Chore("escalate overdue tickets", ESCALATE_EVERY, escalate),
        Chore("send due digests", DIGEST_EVERY, digests),
    ]


class SchedulingService:
    """Runs the broadcast scheduler here when this process is (or becomes) the deployment's one."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        on_queued: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.on_queued = on_queued  # a fan-out queued rows: wake the dispatcher when it runs here
        available = configured_channels(settings)
        self.scheduler = BroadcastScheduler(
            engine,
            available=available,
            clock=clock,
            grace=timedelta(seconds=settings.scheduler_grace_seconds),
            sweep_seconds=settings.scheduler_sweep_seconds,
            workers=settings.scheduler_workers,
            on_fired=self._fired,
            chores=chores(available, on_queued=self._queued) if settings.scheduler_chores else (),
        )
        self.engine = engine
        self._lock: LeaderLock | None = None
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    @property
    def leading(self) -> bool:
        """True while this process's scheduler runs."""
        return self.scheduler.running

    async def start(self) -> None:
        """Schedule here (SQLite), or try for the leader lock now and keep trying (PostgreSQL)."""
        self._stop = asyncio.Event()
        if self.engine.dialect.name != "postgresql":
            await asyncio.to_thread(self.scheduler.start)
            return
        self._lock = LeaderLock(self.engine)
        await self._lead_once()
        self._task = asyncio.create_task(self._lead(), name="scheduler-leader")

    async def stop(self) -> None:
        """Stop scheduling (running firings finish) and give the lock up."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
        await asyncio.to_thread(self.scheduler.stop)
        if self._lock is not None:
            await asyncio.to_thread(self._lock.dispose)
            self._lock = None

    async def schedule(self, broadcast_id: int, at: datetime) -> bool:
        """After a broadcast is created or approved (and committed): fire it at `at` if we schedule here.

        Elsewhere the leader's sweep finds it within `scheduler_sweep_seconds`.
        """
        if not self.leading:
            return False
        return await asyncio.to_thread(self.scheduler.schedule, broadcast_id, at)

    async def unschedule(self, broadcast_id: int) -> bool:
        """After a broadcast is cancelled (and committed): remove its job if we schedule here."""
        if not self.leading:
            return False
        return await asyncio.to_thread(self.scheduler.unschedule, broadcast_id)

    async def _lead(self) -> None:
        poll = self.settings.scheduler_leader_poll_seconds
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=poll)
            except TimeoutError:
                await self._lead_once()

    async def _lead_once(self) -> None:
        """Start scheduling when the lock is newly ours; stop when it was lost."""
        assert self._lock is not None
        try:
            if self.scheduler.running:
                if not await asyncio.to_thread(self._lock.check):
                    log.error("leader lock lost: this process stops scheduling")
                    await asyncio.to_thread(self.scheduler.stop)
            elif await asyncio.to_thread(self._lock.try_acquire):
                log.info("leader lock taken: this process schedules broadcasts")
                try:
                    await asyncio.to_thread(self.scheduler.start)
                except Exception:
                    await asyncio.to_thread(self._lock.release)
                    raise
        except Exception:
            log.exception(
                "scheduler leadership: trying again in %s s", self.settings.scheduler_leader_poll_seconds
            )

    def _queued(self) -> None:
        if self.on_queued is not None:
            self.on_queued()

    def _fired(self, broadcast_id: int, result: FireResult) -> None:
        if result.outcome == FireOutcome.SENT and result.queued and self.on_queued is not None:
            self.on_queued()
