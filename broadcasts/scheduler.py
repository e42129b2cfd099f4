"""The broadcast scheduler: APScheduler 3 over our tables, which stay the truth.

Every broadcast with status `scheduled` and a `next_run_at` has one job, `broadcast:{id}`: a UTC
`DateTrigger` at `next_run_at`, kept in a `SQLAlchemyJobStore` in the same database (its own table,
`apscheduler_job`). The job fires the broadcast through `runs.fire` in its own transaction (the job
wrapper commits; the domain flushes) and then re-adds itself at the `next_run_at` that `fire` returns (a
run held for quiet hours, the next date of a recurring broadcast) or removes itself.

The jobs are a cache of the tables, never the other way round: `start` removes every job and adds one
per scheduled row, so a restart rebuilds exactly what the tables say, and a sweep (every 30 s) adds or
moves the job of any broadcast another process scheduled or changed (the API may run elsewhere); it reads
`(id, next_run_at)` of the scheduled rows through the `(status, next_run_at)` index and the job table's
`(id, next_run_time)` columns, without unpickling jobs. A job whose broadcast was cancelled elsewhere
fires, finds nothing to do and goes away.

Misfire policy. APScheduler never drops a late job (`misfire_grace_time=None`) and coalesces
(`coalesce=True`); a broadcast has one job with one run time, so a broadcast due while the service was
down fires once when the scheduler starts again, never as several runs in a burst. Whether that late
run goes out is the domain's decision, by the same rule as any late run: `runs.fire` sends it when it is
at most the grace period late (default 30 minutes, `KENTONGAN_SCHEDULER_GRACE_SECONDS`) and otherwise
records the run as `missed` (a BroadcastRun with status missed and an event, no outbox rows; a one-off
broadcast becomes `missed`, a recurring one moves on to its first date after now, the dates it slept
through are not sent late either). A run due in quiet hours or a blackout is held: `fire` moves
`next_run_at` to their end and the job follows it; `darurat` goes at once. A firing that fails (the
database unreachable) is tried again after 10 s, doubling up to 10 minutes; the grace still applies.

One scheduler per deployment: only the holder of `LeaderLock` (PostgreSQL `pg_try_advisory_lock` on a
dedicated connection) runs a `BroadcastScheduler`; on SQLite there is one process and no lock. In case
two ever overlap (a leader cut off from the database before it notices), `fire` locks the broadcast row
and a run is unique per (broadcast, due time), so a run is still made once. Within one process, firings
of the same broadcast are serialised, so a duplicate job finds the run done and does nothing.

Threads, not the event loop: the job store and `fire` are synchronous SQLAlchemy, so the scheduler is a
`BackgroundScheduler` whose own thread waits for the next due job and a small thread pool that fires.
An `AsyncIOScheduler` would run the job store's queries (one per due job, one per change) on the event
loop the API shares; on SQLite such a query can wait up to the busy timeout behind a large fan-out in
another thread, stalling every request meanwhile. bench/fire_latency.py measures both: 200 broadcasts
due within a minute on SQLite fire with the same latency either way (p99 ~20 ms after the due time), but
with another connection holding the write lock 1 s in every 3 the event loop stalled for up to 1.03 s
under the AsyncIOScheduler and 7 ms under the BackgroundScheduler.
"""

import logging
import threading
import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, col

from broadcasts import runs
from broadcasts.runs import DEFAULT_GRACE, FireResult
from models import Broadcast, BroadcastStatus, Channel, utcnow
from models.base import transaction

log = logging.getLogger("kentongan.scheduler")

JOB_TABLE = "apscheduler_job"
DEFAULT_SWEEP_SECONDS = 30.0
RETRY_FIRST = timedelta(seconds=10)
RETRY_MAX = timedelta(minutes=10)
_STRIPES = 64  # locks serialising firings of the same broadcast within this process
_SAME_TIME = 1e-3  # seconds: the job table keeps a float timestamp


def job_id(broadcast_id: int) -> str:
    """The job id of a broadcast."""
    return f"broadcast:{broadcast_id}"


def broadcast_of(job: str) -> int | None:
    """The broadcast id of a job id, or None for another job."""
    prefix, _, number = job.partition(":")
    return int(number) if prefix == "broadcast" and number.isdigit() else None


# Jobs in a persistent store name their function by a textual reference and pickle their arguments, so
# they name this module's function and the key of the scheduler that added them.
_SCHEDULERS: dict[str, "BroadcastScheduler"] = {}


def run_broadcast_job(scheduler_key: str, broadcast_id: int) -> FireResult | None:
    """The stored job: fire the broadcast through the scheduler that added the job."""
    scheduler = _SCHEDULERS.get(scheduler_key)
    if scheduler is None:  # a job of a scheduler that has stopped; its successor rebuilt the jobs
        log.warning("job for broadcast %d belongs to a stopped scheduler; ignored", broadcast_id)
        return None
    return scheduler.run_job(broadcast_id)


class _JobStore(SQLAlchemyJobStore):  # type: ignore[misc]  # APScheduler has no type hints
    """APScheduler's SQLAlchemy job store on the application's engine, which it must not dispose."""

    def shutdown(self) -> None:
        """Leave the engine to its owner."""

    def planned(self) -> dict[str, float | None]:
        """Job id -> next run time (UTC timestamp), without unpickling the jobs."""
        with self.engine.begin() as connection:
            rows = connection.execute(select(self.jobs_t.c.id, self.jobs_t.c.next_run_time))
            return {str(job): when for job, when in rows}


class _Pool(ThreadPoolExecutor):  # type: ignore[misc]
    """APScheduler's thread pool, telling which jobs were handed to it and have not finished.

    APScheduler counts them (to enforce `max_instances`) from the moment it takes a due job out of the
    store until the job returns; the sweep must not add those jobs back.
    """

    def running(self) -> set[str]:
        """Ids of the jobs submitted and not yet finished."""
        with self._lock:
            return {job for job, count in self._instances.items() if count > 0}

    def finish(self) -> None:
        """Wait for the firings under way (after the scheduler's shutdown closed the pool to new ones)."""
        self._pool.shutdown(wait=True)


class _Background(BackgroundScheduler):  # type: ignore[misc]
    """APScheduler's background scheduler without its shutdown race (APScheduler 3.x).

    `shutdown` marks the scheduler stopped before it takes the job-store lock and shuts the executors.
    A pass over due jobs that was already waiting for that lock then submits to a closed pool and, as
    the state reads stopped, `remove_job` looks only among pending jobs and raises JobLookupError in
    the scheduler's thread. Here a pass holds the lock from before it reads the state, so it either
    sees "stopped" and does nothing, or runs whole with the executors still open; if shutdown begins
    during the pass, the job it could not remove stays in the store, and the next `start` rebuilds
    every job from the broadcast table anyway.
    """

    def _process_jobs(self) -> float | None:
        with self._jobstores_lock:
            if self.state == STATE_STOPPED:
                return None
            try:
                wait: float | None = super()._process_jobs()
            except JobLookupError:
                if self.state != STATE_STOPPED:
                    raise
                log.info("scheduler stopped during a pass over due jobs; their rows stay scheduled")
                return None
            return wait


@dataclass(frozen=True, slots=True)
class Chore:
    """Work the leader does every `seconds` in its own transaction: `run(session, now)` returns how many
    things it did (escalating overdue tickets, sending due digests). The caller supplies it, so the
    scheduler stays free of what the chores know (ticket lifecycle, staff)."""

    name: str
    seconds: float
    run: Callable[[Session, datetime], int]


class BroadcastScheduler:
    """Fires scheduled broadcasts at their `next_run_at`, from jobs rebuilt from the tables on start.

    `start` and `stop` may be called again (a standby that becomes leader, loses and regains it): each
    start builds a new APScheduler with new job store objects.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        available: Collection[Channel],
        clock: Callable[[], datetime] = utcnow,
        grace: timedelta = DEFAULT_GRACE,
        sweep_seconds: float = DEFAULT_SWEEP_SECONDS,
        workers: int = 4,
        on_fired: Callable[[int, FireResult], None] | None = None,
        table: str = JOB_TABLE,
        chores: Sequence[Chore] = (),
    ) -> None:
        self.engine = engine
        self.available = frozenset(available)
        self.clock = clock
        self.grace = grace
        self.sweep_seconds = sweep_seconds
        self.workers = workers
        self.on_fired = on_fired
        self.table = table
        self.chores = tuple(chores)
        self._chores = threading.Lock()
        self._key = uuid.uuid4().hex
        self._aps: Any = None  # the running BackgroundScheduler
        self._store: _JobStore | None = None
        self._pool: _Pool | None = None
        self._locks = tuple(threading.Lock() for _ in range(_STRIPES))
        self._failures: dict[int, int] = {}
        self._state = threading.Lock()

    @property
    def running(self) -> bool:
        """True between `start` and `stop`."""
        return self._aps is not None

    def start(self) -> int:
        """Rebuild the jobs from the tables and start firing; returns how many broadcasts have a job."""
        with self._state:
            if self._aps is not None:
                raise RuntimeError("the scheduler is already running")
            store = _JobStore(engine=self.engine, tablename=self.table)
            pool = _Pool(self.workers)
            aps = self._make_scheduler(
                jobstores={"default": store, "local": MemoryJobStore()},
                executors={"default": pool},
                job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 3},
                timezone=UTC,
            )
            _SCHEDULERS[self._key] = self
            aps.start(paused=True)  # nothing runs before the jobs are rebuilt
            self._aps, self._store, self._pool = aps, store, pool
            try:
                aps.remove_all_jobs(jobstore="default")
                rows = self._scheduled()
                for broadcast_id, at in rows:
                    self._add(broadcast_id, at)
                aps.add_job(
                    self.sweep,
                    IntervalTrigger(seconds=self.sweep_seconds, timezone=UTC),
                    id="sweep",
                    name="sweep for broadcasts scheduled elsewhere",
                    jobstore="local",
                    max_instances=1,
                )
                for chore in self.chores:
                    aps.add_job(
                        self.run_chore,
                        IntervalTrigger(seconds=chore.seconds, timezone=UTC),
                        args=(chore,),
                        id=f"chore:{chore.name}",
                        name=chore.name,
                        jobstore="local",
                        max_instances=1,
                        next_run_time=datetime.now(UTC),  # once at start: a restart catches up at once
                    )
                aps.resume()
            except BaseException:
                self._aps = self._store = self._pool = None
                aps.shutdown(wait=False)
                _SCHEDULERS.pop(self._key, None)
                raise
        log.info("scheduler started: %d scheduled broadcasts", len(rows))
        return len(rows)

    def _make_scheduler(self, **options: Any) -> Any:
        """The APScheduler instance (bench/fire_latency.py swaps in an AsyncIOScheduler to compare)."""
        return _Background(daemon=True, **options)

    def stop(self, *, wait: bool = True) -> None:
        """Stop firing (the jobs stay in the store); with `wait`, let running firings finish."""
        with self._state:
            aps, pool = self._aps, self._pool
            self._aps, self._store, self._pool = None, None, None
        if aps is None:
            return
        # Not APScheduler's shutdown(wait=True): it waits for the firings while holding its job-store
        # lock, which a firing needs to move or remove its job, and the two would wait for each other.
        # The firings finish outside that lock; the job they can no longer remove is rebuilt by `start`.
        aps.shutdown(wait=False)
        if wait and pool is not None:
            pool.finish()
        _SCHEDULERS.pop(self._key, None)
        log.info("scheduler stopped")

    # --- what the API calls after create / approve / cancel (after its commit) --------------------

    def schedule(self, broadcast_id: int, at: datetime) -> bool:
        """Fire the broadcast at `at` (aware); False when this scheduler is not running."""
        if at.tzinfo is None:
            raise ValueError("a naive datetime given; schedule with an aware one")
        if self._aps is None:
            return False
        self._add(broadcast_id, at)
        return True

    def unschedule(self, broadcast_id: int) -> bool:
        """Remove the broadcast's job; False when there was none (or the scheduler is not running)."""
        if self._aps is None:
            return False
        return self._remove(broadcast_id)

    def planned(self) -> dict[int, datetime]:
        """Broadcast id -> when its job fires (UTC), as stored."""
        if self._store is None:
            return {}
        return {
            broadcast: datetime.fromtimestamp(when, UTC)
            for job, when in self._store.planned().items()
            if (broadcast := broadcast_of(job)) is not None and when is not None
        }

    # --- the jobs -----------------------------------------------------------------------------------

    def run_job(self, broadcast_id: int) -> FireResult | None:
        """Fire the broadcast in its own transaction, then move its job to the next run or remove it."""
        with self._locks[broadcast_id % _STRIPES]:
            try:
                with transaction(self.engine) as session:
                    result = runs.fire(
                        session=session,
                        broadcast_id=broadcast_id,
                        now=self.clock(),
                        available=self.available,
                        grace=self.grace,
                    )
            except Exception:
                failures = self._failures[broadcast_id] = self._failures.get(broadcast_id, 0) + 1
                delay = min(RETRY_FIRST * 2 ** (failures - 1), RETRY_MAX)
                log.exception("firing broadcast %d failed; trying again in %s", broadcast_id, delay)
                if self._aps is not None:
                    self._add(broadcast_id, self.clock() + delay)
                return None
            self._failures.pop(broadcast_id, None)
            if self._aps is not None:
                if result.next_run_at is not None:
                    self._add(broadcast_id, result.next_run_at)
                else:
                    self._remove(broadcast_id)
        if result.outcome != runs.FireOutcome.SKIPPED:
            log.info(
                "broadcast %d %s (run %s, %d queued; next %s)",
                broadcast_id,
                result.outcome,
                result.run_id,
                result.queued,
                result.next_run_at.isoformat() if result.next_run_at else "none",
            )
        if self.on_fired is not None:
            self.on_fired(broadcast_id, result)
        return result

    def run_chore(self, chore: Chore) -> int:
        """Do one chore in its own transaction; a failure is logged and the next interval tries again.

        Chores run one at a time: they touch the same rows (both may create a staff member's contact).
        """
        try:
            with self._chores, transaction(self.engine) as session:
                done = chore.run(session, self.clock())
        except Exception:
            log.exception("chore %s failed; it runs again in %s s", chore.name, chore.seconds)
            return 0
        if done:
            log.info("chore %s: %d done", chore.name, done)
        return done

    def sweep(self) -> int:
        """Add or move the job of every scheduled broadcast whose job is missing or at another time."""
        store, pool = self._store, self._pool
        if store is None or pool is None:
            return 0
        # In this order: a job missing from the store is either being fired (running, so skipped) or
        # was fired before the rows are read (so they show what the firing left).
        jobs = store.planned()
        running = pool.running()
        changed = 0
        for broadcast_id, at in self._scheduled():
            key = job_id(broadcast_id)
            if key in running:
                continue
            when = jobs.get(key)
            if when is None or abs(when - at.timestamp()) > _SAME_TIME:
                self._add(broadcast_id, at)
                changed += 1
        if changed:
            log.info("sweep: %d broadcasts scheduled or moved elsewhere now have their job", changed)
        return changed

    def _scheduled(self) -> list[tuple[int, datetime]]:
        """(id, next_run_at) of every scheduled broadcast (the (status, next_run_at) index)."""
        query = select(col(Broadcast.id), col(Broadcast.next_run_at)).where(
            col(Broadcast.status) == BroadcastStatus.SCHEDULED, col(Broadcast.next_run_at).is_not(None)
        )
        with self.engine.connect() as connection:
            return [(i, at) for i, at in connection.execute(query) if i is not None and at is not None]

    def _add(self, broadcast_id: int, at: datetime) -> None:
        aps = self._aps
        if aps is None:
            return
        aps.add_job(
            run_broadcast_job,
            DateTrigger(run_date=at.astimezone(UTC), timezone=UTC),
            args=(self._key, broadcast_id),
            id=job_id(broadcast_id),
            name=f"broadcast {broadcast_id}",
            jobstore="default",
            replace_existing=True,
        )

    def _remove(self, broadcast_id: int) -> bool:
        aps = self._aps
        if aps is None:
            return False
        try:
            aps.remove_job(job_id(broadcast_id), jobstore="default")
        except JobLookupError:
            return False
        return True


# libpq options of the leader's connection: one that silently died is noticed in seconds, not after
# TCP's retransmissions (many minutes).
LEADER_CONNECT_ARGS: dict[str, int] = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}


class LeaderLock:
    """The deployment's one scheduler: a PostgreSQL advisory lock held on a dedicated connection.

    The lock lives as long as the connection, so a process that dies or is cut off loses it and a
    standby gets it on its next try. Its key is the schema's name, so deployments (and test runs) that
    share a database in separate schemas each have their own scheduler.
    """

    CLASS_KEY = 0x4B54  # "KT"
    _TRY = text("SELECT pg_try_advisory_lock(:key, hashtext(coalesce(current_schema(), '')))")
    _UNLOCK = text("SELECT pg_advisory_unlock(:key, hashtext(coalesce(current_schema(), '')))")

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            raise ValueError("the leader lock needs PostgreSQL; SQLite runs one scheduler process")
        self._engine = create_engine(engine.url, poolclass=NullPool, connect_args=LEADER_CONNECT_ARGS)
        self._connection: Connection | None = None

    @property
    def held(self) -> bool:
        """True while this process holds the lock (as far as it last checked)."""
        return self._connection is not None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True when this process holds it."""
        if self._connection is not None:
            return self.check()
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            got = bool(connection.execute(self._TRY, {"key": self.CLASS_KEY}).scalar())
        except DBAPIError:
            connection.close()
            raise
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def check(self) -> bool:
        """True while the connection holding the lock is alive; False (and let go) when it dropped."""
        if self._connection is None:
            return False
        try:
            self._connection.execute(text("SELECT 1"))
        except DBAPIError:
            log.exception("the scheduler's leader connection dropped; the lock is lost")
            self._close()
            return False
        return True

    def release(self) -> None:
        """Give the lock up (closing the connection would too)."""
        if self._connection is None:
            return
        try:
            self._connection.execute(self._UNLOCK, {"key": self.CLASS_KEY})
        except DBAPIError:
            log.warning("could not unlock the scheduler's leader lock; closing its connection")
        self._close()

    def dispose(self) -> None:
        """Release the lock and close the dedicated engine."""
        self.release()
        self._engine.dispose()

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except DBAPIError:
                connection.invalidate()
