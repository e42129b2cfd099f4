"""The scheduler over real SQLite and PostgreSQL: APScheduler runs for real, on the real clock, with
due times a second or two ahead; decisions that would take hours (quiet hours) use a test clock and
call the job directly.
"""

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, column, func, select, table, text, update
from sqlmodel import Session, col

from bot.db import transaction
from bot.scheduling import SchedulingService
from broadcasts import service, timing
from broadcasts.runs import FireOutcome, FireResult, quiet_rules
from broadcasts.scheduler import JOB_TABLE, BroadcastScheduler, LeaderLock, job_id
from models import (
    Broadcast,
    BroadcastKind,
    BroadcastRun,
    BroadcastStatus,
    Channel,
    Outbox,
    RunStatus,
    Staff,
    Village,
    utcnow,
)
from tests.conftest import Clock, make_settings

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
DEMO_CONTACTS = 8


def open_village(engine: Engine) -> None:
    """Quiet hours off, and a zone where no blackout (Friday prayer) holds the next ten minutes."""
    now = utcnow()
    for zone in ZONES:
        village = Village(code="X", name="X", timezone=zone, quiet_start="00:00", quiet_end="00:00")
        rules = quiet_rules(village)
        if not any(timing.held_by(now + timedelta(minutes=m), zone, rules) for m in range(11)):
            break
    with transaction(engine) as session:
        session.execute(update(Village).values(timezone=zone, quiet_start="00:00", quiet_end="00:00"))


def create(
    engine: Engine,
    *,
    send_at: datetime,
    now: datetime | None = None,
    kind: BroadcastKind = BroadcastKind.UMUM,
    rrule: str | None = None,
) -> int:
    """A scheduled broadcast to the whole demo village, created (and committed) at `now`."""
    with transaction(engine) as session:
        village = session.scalars(select(Village)).one()
        broadcast = service.create(
            session=session,
            village=village,
            draft=service.Draft(
                kind=kind,
                title="Kerja bakti",
                sms_text="Kerja bakti Minggu pagi di {desa}.",
                send_at=send_at,
                rrule=rrule,
            ),
            actor="kader",
            now=now or utcnow(),
        )
        assert broadcast.id is not None
        return broadcast.id


def broadcast(engine: Engine, broadcast_id: int) -> Broadcast:
    with Session(engine) as session:
        found = session.get(Broadcast, broadcast_id)
        assert found is not None
        return found


def runs_of(engine: Engine, broadcast_id: int) -> list[BroadcastRun]:
    with Session(engine) as session:
        query = select(BroadcastRun).where(col(BroadcastRun.broadcast_id) == broadcast_id)
        return list(session.scalars(query.order_by(col(BroadcastRun.id))))


def outbox_count(engine: Engine, run_id: int | None) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).where(col(Outbox.run_id) == run_id)) or 0)


# How far ahead a broadcast is due in the tests that fire for real: long enough that creating it on a
# loaded machine (CI runs the tests on two workers) does not already make it past.
LEAD = timedelta(seconds=1.5)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s")
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def drop_the_job_table(engine: Engine) -> Iterator[None]:
    """The job store makes its table; PostgreSQL's test schema lives for the session, so drop it after."""
    yield
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text(f'DROP TABLE IF EXISTS "{JOB_TABLE}"'))


@pytest.fixture
def schedulers(engine: Engine) -> Iterator[Callable[..., BroadcastScheduler]]:
    """Make schedulers on the test database (all channels available); every one is stopped at the end."""
    made: list[BroadcastScheduler] = []

    def make(**options: object) -> BroadcastScheduler:
        scheduler = BroadcastScheduler(engine, available=set(Channel), **options)  # type: ignore[arg-type]
        made.append(scheduler)
        return scheduler

    yield make
    for scheduler in made:
        scheduler.stop()


def test_a_broadcast_fires_once_at_its_time(
    engine: Engine, demo: None, schedulers: Callable[..., BroadcastScheduler]
) -> None:
    open_village(engine)
    due = utcnow() + timedelta(seconds=1.5)
    broadcast_id = create(engine, send_at=due)
    scheduler = schedulers()
    assert scheduler.start() == 1
    assert scheduler.planned() == {broadcast_id: due}
    assert runs_of(engine, broadcast_id) == []
    wait_for(lambda: bool(runs_of(engine, broadcast_id)))
    time.sleep(0.3)  # a second firing would show by now
    [run] = runs_of(engine, broadcast_id)
    assert run.status == RunStatus.DONE
    assert run.due_at == due
    assert run.fired_at is not None
    assert due <= run.fired_at < due + timedelta(seconds=2)
    assert run.recipients == DEMO_CONTACTS
    assert outbox_count(engine, run.id) == DEMO_CONTACTS
    assert broadcast(engine, broadcast_id).status == BroadcastStatus.SENT
    assert scheduler.planned() == {}


def test_a_restart_between_scheduling_and_firing(
    engine: Engine, demo: None, schedulers: Callable[..., BroadcastScheduler]
) -> None:
    open_village(engine)
    due = utcnow() + timedelta(seconds=2)
    broadcast_id = create(engine, send_at=due)
    first = schedulers()
    first.start()
    first.stop()
    with engine.connect() as connection:  # the job outlived its scheduler in the database
        stored = connection.execute(select(table(JOB_TABLE, column("id")).c.id)).scalars().all()
    assert stored == [job_id(broadcast_id)]
    assert runs_of(engine, broadcast_id) == []

    second = schedulers()  # a new process would: new APScheduler, new job store objects
    assert second.start() == 1
    wait_for(lambda: bool(runs_of(engine, broadcast_id)))
    time.sleep(0.3)
    [run] = runs_of(engine, broadcast_id)
    assert (run.status, run.recipients) == (RunStatus.DONE, DEMO_CONTACTS)
    assert outbox_count(engine, run.id) == DEMO_CONTACTS


def test_due_while_down_fires_once_within_the_grace_else_it_is_missed(
    engine: Engine, demo: None, schedulers: Callable[..., BroadcastScheduler]
) -> None:
    open_village(engine)
    now = utcnow()
    late = create(engine, send_at=now - timedelta(minutes=5), now=now - timedelta(minutes=10))
    too_late = create(engine, send_at=now - timedelta(hours=2), now=now - timedelta(hours=3))
    # A daily broadcast that slept through three dates: one missed run, then its next date, no burst.
    daily = create(
        engine,
        send_at=now - timedelta(days=3, minutes=-1),
        now=now - timedelta(days=3),
        rrule="FREQ=DAILY;COUNT=10",
    )
    scheduler = schedulers(grace=timedelta(minutes=30))
    assert scheduler.start() == 3
    wait_for(lambda: all(runs_of(engine, b) for b in (late, too_late, daily)))
    time.sleep(0.3)

    [sent] = runs_of(engine, late)
    assert (sent.status, sent.recipients) == (RunStatus.DONE, DEMO_CONTACTS)
    assert outbox_count(engine, sent.id) == DEMO_CONTACTS

    [missed] = runs_of(engine, too_late)
    assert missed.status == RunStatus.MISSED
    assert missed.fired_at is None
    assert outbox_count(engine, missed.id) == 0
    assert broadcast(engine, too_late).status == BroadcastStatus.MISSED

    [slept] = runs_of(engine, daily)
    assert slept.status == RunStatus.MISSED
    assert outbox_count(engine, slept.id) == 0
    following = broadcast(engine, daily)
    assert following.status == BroadcastStatus.SCHEDULED
    assert following.next_run_at is not None
    assert now < following.next_run_at <= now + timedelta(days=1)
    assert scheduler.planned() == {daily: following.next_run_at}


# Wednesday 2 December 2036, 22:00 WIB: quiet hours (21:00-06:00), and years ahead of the real clock, so
# APScheduler never fires these jobs by itself; the test fires them as the job would.
NIGHT = datetime(2036, 12, 2, 15, 0, tzinfo=UTC)
MORNING = datetime(2036, 12, 2, 23, 0, tzinfo=UTC)  # 06:00 WIB on the 3rd


def test_quiet_hours_hold_the_run_and_move_the_job_to_their_end(
    engine: Engine, demo: None, schedulers: Callable[..., BroadcastScheduler]
) -> None:
    clock = Clock(NIGHT)
    planned = NIGHT - timedelta(minutes=1)
    broadcast_id = create(engine, send_at=planned, now=NIGHT - timedelta(hours=1))
    emergency = create(engine, send_at=planned, now=NIGHT - timedelta(hours=1), kind=BroadcastKind.DARURAT)
    scheduler = schedulers(clock=clock)
    scheduler.start()
    assert scheduler.planned() == {broadcast_id: planned, emergency: planned}

    held = scheduler.run_job(broadcast_id)
    assert held == FireResult(FireOutcome.HELD, next_run_at=MORNING)
    assert scheduler.planned()[broadcast_id] == MORNING
    row = broadcast(engine, broadcast_id)
    assert (row.status, row.planned_at, row.next_run_at) == (BroadcastStatus.SCHEDULED, planned, MORNING)
    assert runs_of(engine, broadcast_id) == []

    urgent = scheduler.run_job(emergency)  # darurat goes at once
    assert urgent is not None
    assert (urgent.outcome, urgent.queued) == (FireOutcome.SENT, DEMO_CONTACTS)
    assert emergency not in scheduler.planned()

    clock.now = MORNING
    sent = scheduler.run_job(broadcast_id)
    assert sent is not None
    assert sent.outcome == FireOutcome.SENT
    [run] = runs_of(engine, broadcast_id)
    assert (run.due_at, run.fired_at, run.recipients) == (planned, MORNING, DEMO_CONTACTS)
    assert broadcast_id not in scheduler.planned()


def test_a_job_that_fires_early_waits_and_a_cancelled_one_goes_away(
    engine: Engine, demo: None, schedulers: Callable[..., BroadcastScheduler]
) -> None:
    clock = Clock(NIGHT - timedelta(hours=2))
    later = create(engine, send_at=NIGHT, now=clock.now)
    cancelled = create(engine, send_at=NIGHT, now=clock.now)
    scheduler = schedulers(clock=clock)
    scheduler.start()
    with transaction(engine) as session:
        row = session.get(Broadcast, cancelled)
        assert row is not None
        service.cancel(session=session, broadcast=row, actor="kader", now=clock.now)
    assert scheduler.run_job(later) == FireResult(FireOutcome.SKIPPED, next_run_at=NIGHT)
    assert scheduler.run_job(cancelled) == FireResult(FireOutcome.SKIPPED)
    assert scheduler.planned() == {later: NIGHT}


def test_the_sweep_finds_broadcasts_scheduled_by_another_process(
    engine: Engine, demo: None, schedulers: Callable[..., BroadcastScheduler]
) -> None:
    open_village(engine)
    scheduler = schedulers(sweep_seconds=0.3)
    assert scheduler.start() == 0
    broadcast_id = create(engine, send_at=utcnow() + LEAD)  # not told: the API elsewhere
    wait_for(lambda: bool(runs_of(engine, broadcast_id)))
    [run] = runs_of(engine, broadcast_id)
    assert run.status == RunStatus.DONE
    # Moved earlier by another process: the sweep moves the job too.
    moved = create(engine, send_at=utcnow() + timedelta(hours=1))
    wait_for(lambda: moved in scheduler.planned())
    soon = utcnow() + LEAD
    with transaction(engine) as session:
        session.execute(
            update(Broadcast).where(col(Broadcast.id) == moved).values(planned_at=soon, next_run_at=soon)
        )
    wait_for(lambda: bool(runs_of(engine, moved)))
    assert runs_of(engine, moved)[0].due_at == soon


def test_schedule_and_unschedule_from_the_api(
    engine: Engine, demo: None, schedulers: Callable[..., BroadcastScheduler]
) -> None:
    open_village(engine)
    scheduler = schedulers()
    assert scheduler.schedule(1, utcnow()) is False  # not running: nothing to tell
    scheduler.start()
    due = utcnow() + LEAD
    kept, dropped = create(engine, send_at=due), create(engine, send_at=due + timedelta(seconds=0.2))
    assert scheduler.schedule(kept, due)
    assert scheduler.schedule(dropped, due + timedelta(seconds=0.2))
    with transaction(engine) as session:
        row = session.get(Broadcast, dropped)
        assert row is not None
        service.cancel(session=session, broadcast=row, actor="kader", now=utcnow())
    assert scheduler.unschedule(dropped)
    wait_for(lambda: bool(runs_of(engine, kept)))
    time.sleep(0.5)
    assert runs_of(engine, dropped) == []
    assert scheduler.planned() == {}


def test_the_app_runs_the_scheduler_in_its_lifespan(db_url: str, engine: Engine, demo: None) -> None:
    from fastapi.testclient import TestClient

    from bot.app import create_app

    open_village(engine)
    broadcast_id = create(engine, send_at=utcnow() + LEAD)
    woken: list[bool] = []
    app = create_app(make_settings(db_url, scheduler_sweep_seconds=60), engine=engine, scheduler=True)
    app.state.scheduling.on_queued = lambda: woken.append(True)
    with TestClient(app):
        assert app.state.scheduling.leading
        wait_for(lambda: bool(runs_of(engine, broadcast_id)))
        wait_for(lambda: bool(woken))
    assert not app.state.scheduling.leading


def test_what_staff_confirm_by_text_is_scheduled_at_once(db_url: str, engine: Engine, demo: None) -> None:
    """DARURAT ... then YA goes out at once, not at the next sweep; RAPAT's reminders are planned."""
    from fastapi.testclient import TestClient

    from bot.app import create_app
    from tests.factories import Phone, quick_pin_hash

    open_village(engine)
    with transaction(engine) as session:
        session.execute(update(Staff).values(pin_hash=quick_pin_hash("1234")))
    app = create_app(make_settings(db_url, scheduler_sweep_seconds=600), engine=engine, scheduler=True)
    with TestClient(app) as client:
        kader = Phone(client, "+6281300000002")
        assert kader.say("DARURAT 1234 Air sungai naik, warga Krajan harap mengungsi.").startswith(
            "Siaran ke"
        )
        assert "dikirim" in kader.say("YA")
        with Session(engine) as session:
            emergency = session.scalars(
                select(Broadcast.id).where(col(Broadcast.kind) == BroadcastKind.DARURAT)
            ).one()
        wait_for(lambda: bool(runs_of(engine, emergency)), 5.0)  # the sweep would take 10 minutes
        assert outbox_count(engine, runs_of(engine, emergency)[0].id) == DEMO_CONTACTS

        kader.say("RAPAT 1234 lusa 19.30 Balai Desa Musdes RKPDes")
        kader.say("YA")
        with Session(engine) as session:
            meeting = session.scalars(select(Broadcast).where(col(Broadcast.meeting_id).is_not(None))).all()
        assert meeting
        # The reminders ahead (the invitation, due now, may have fired already).
        later = utcnow() + timedelta(minutes=5)
        waiting = {
            b.id
            for b in meeting
            if b.status == BroadcastStatus.SCHEDULED
            and b.next_run_at
            and b.next_run_at.replace(tzinfo=UTC) > later
        }
        assert waiting
        assert waiting <= set(app.state.scheduling.scheduler.planned())


def test_a_scheduler_that_cannot_be_told_leaves_it_to_the_sweep(
    db_url: str, engine: Engine, demo: None, caplog: pytest.LogCaptureFixture
) -> None:
    from fastapi.testclient import TestClient

    from bot.app import create_app
    from tests.factories import Phone, quick_pin_hash

    async def broken(_broadcast_id: int, _at: datetime) -> bool:
        raise RuntimeError("scheduler gone")

    open_village(engine)
    with transaction(engine) as session:
        session.execute(update(Staff).values(pin_hash=quick_pin_hash("1234")))
    app = create_app(make_settings(db_url, scheduler_sweep_seconds=0.3), engine=engine, scheduler=True)
    with TestClient(app) as client:
        app.state.inbound.on_scheduled = broken
        kader = Phone(client, "+6281300000002")
        kader.say("DARURAT 1234 Air sungai naik, warga Krajan harap mengungsi.")
        assert "dikirim" in kader.say("YA")  # the sender's answer does not depend on the scheduler
        assert "telling the scheduler about broadcast" in caplog.text
        with Session(engine) as session:
            emergency = session.scalars(select(Broadcast.id)).one()
        wait_for(lambda: bool(runs_of(engine, emergency)))  # the sweep found it


def lock_holder(engine: Engine) -> int | None:
    """The backend pid holding this schema's scheduler lock, if any."""
    with engine.connect() as connection:
        key = connection.execute(text("SELECT hashtext(current_schema())")).scalar_one() % 2**32
        return connection.execute(
            text(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND classid = :class AND objid::bigint = :key"
            ),
            {"class": LeaderLock.CLASS_KEY, "key": key},
        ).scalar()


def test_one_leader_and_a_standby_that_takes_over(
    db_url: str, engine: Engine, demo: None, caplog: pytest.LogCaptureFixture
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the leader lock is PostgreSQL's; SQLite runs one scheduler process")
    open_village(engine)
    settings = make_settings(db_url, scheduler_leader_poll_seconds=0.2, scheduler_sweep_seconds=0.3)
    services = [SchedulingService(engine, settings) for _ in range(2)]
    fired: list[list[int]] = [[], []]
    for index, made in enumerate(services):
        made.scheduler.on_fired = lambda broadcast_id, _result, i=index: fired[i].append(broadcast_id)

    def fire_one() -> int:
        broadcast_id = create(engine, send_at=utcnow() + LEAD)
        # The run row commits before the scheduler calls on_fired: wait for both.
        wait_for(lambda: bool(runs_of(engine, broadcast_id)))
        wait_for(lambda: any(broadcast_id in each for each in fired))
        return broadcast_id

    async def leader_within(seconds: float) -> int:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            leading = [i for i, made in enumerate(services) if made.leading]
            if len(leading) == 1:
                return leading[0]
            await asyncio.sleep(0.05)
        raise AssertionError("no single leader")

    async def scenario() -> None:
        first, second = services
        await first.start()
        await second.start()
        try:
            assert (first.leading, second.leading) == (True, False)
            one = await asyncio.to_thread(fire_one)
            await asyncio.sleep(0.5)  # several polls: the standby stays a standby
            assert (first.leading, second.leading) == (True, False)
            assert fired == [[one], []]

            # The leader's lock connection drops: it stops scheduling; one of the two leads again.
            holder = lock_holder(engine)
            assert holder is not None
            with engine.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": holder})
            # Generous limits: a loaded CI worker may poll late; each wait ends as soon as it holds.
            await asyncio.to_thread(wait_for, lambda: "leader lock lost" in caplog.text, 10.0)
            leader = await leader_within(10.0)
            assert lock_holder(engine) not in (None, holder)

            # The leader stops: the standby takes over, and fires what is due next.
            await services[leader].stop()
            standby = 1 - leader
            assert await leader_within(10.0) == standby
            two = await asyncio.to_thread(fire_one)
            assert two in fired[standby]
            assert [len(runs_of(engine, b)) for b in (one, two)] == [1, 1]
        finally:
            await first.stop()
            await second.stop()

    asyncio.run(scenario())


def test_a_shutdown_during_a_pass_over_due_jobs_does_not_crash_the_scheduler_thread() -> None:
    """APScheduler 3 marks itself stopped before it closes the pool; a pass already under way must
    neither submit to the closed pool nor die on the job it then cannot remove."""
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.base import STATE_RUNNING, STATE_STOPPED

    from broadcasts.scheduler import _Background

    ran: list[str] = []

    class StoppingStore(MemoryJobStore):  # type: ignore[misc]
        """Hands out the due jobs while shutdown's first step (state := stopped) happens."""

        def get_due_jobs(self, now: datetime) -> list[object]:
            jobs: list[object] = super().get_due_jobs(now)
            aps.state = STATE_STOPPED
            return jobs

    aps = _Background(jobstores={"default": StoppingStore()}, timezone=UTC)
    aps.add_job(ran.append, "date", run_date=datetime.now(UTC), args=("fired",), id="due")
    aps.start(paused=True)
    try:
        aps.state = STATE_RUNNING
        assert aps._process_jobs() is None  # no JobLookupError from remove_job
        assert aps._process_jobs() is None  # stopped: the next pass does nothing
    finally:
        aps.state = STATE_RUNNING
        aps.shutdown(wait=True)
    assert ran == ["fired"]  # the pool was still open for the pass under way


def test_stop_waits_for_a_firing_that_still_has_to_remove_its_job(
    engine: Engine, demo: None, schedulers: Callable[..., BroadcastScheduler]
) -> None:
    """A firing that had checked the scheduler was running, then moves to remove its job while stop()
    waits for it: APScheduler's own shutdown(wait=True) holds the lock remove_job needs (a deadlock seen
    in CI). stop() must return, and the firing must finish."""
    import threading

    open_village(engine)
    scheduler = schedulers()
    scheduler.start()
    removing, stopping = threading.Event(), threading.Event()
    aps = scheduler._aps
    original = aps.remove_job

    def slow_remove_job(*args: object, **kwargs: object) -> object:
        if threading.current_thread().name.startswith("ThreadPoolExecutor"):  # the firing, not the loop
            removing.set()
            stopping.wait(5)
            time.sleep(0.2)  # stop() is inside the scheduler's shutdown by now
        return original(*args, **kwargs)

    aps.remove_job = slow_remove_job
    due = utcnow() + timedelta(seconds=0.3)
    broadcast_id = create(engine, send_at=due)
    assert scheduler.schedule(broadcast_id, due)
    assert removing.wait(10)
    stopper = threading.Thread(target=scheduler.stop)
    stopper.start()
    stopping.set()
    stopper.join(10)
    assert not stopper.is_alive(), "stop() and the firing wait for each other"
    assert len(runs_of(engine, broadcast_id)) == 1
