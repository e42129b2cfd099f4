"""Fire latency: 200 broadcasts due within one minute, the scheduler running for real.

    python -m bench.fire_latency [--postgres URL] [--scheduler background|asyncio] [--count 200]
                                 [--writer-load SECONDS]

A fresh database (a SQLite file, or a private schema in the PostgreSQL named by --postgres or
KENTONGAN_BENCH_POSTGRES_URL) with the demo village (8 subscribers; quiet hours off for the run, in a
zone where no blackout holds). 200 broadcasts are created with due times spread at random over the
minute starting 5 s from now; then the scheduler starts inside an asyncio loop, as in the app (through
`SchedulingService`, so on PostgreSQL it takes the leader lock first), and runs on the real clock.

For each run: `fired_at - due` (when `fire` began) and `committed - due` (when its outbox rows became
visible to the dispatcher). Meanwhile a 5 ms heartbeat on the event loop records the loop's longest stall,
which is what every request served by the same process would wait. Target: p99 under 1 s.

`--scheduler asyncio` runs APScheduler's `AsyncIOScheduler` instead of the `BackgroundScheduler` the
service uses (same job store, same thread pool for firing), for comparison. `--writer-load S` (SQLite)
has another connection hold the write lock for S seconds every 3 s, as a large fan-out or a busy
dispatcher does: SQLite has one writer, so firings wait, and so does whatever waits on the event loop.
"""

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update

from bench._util import scratch_schemas

LEAD = 5.0  # seconds from creation to the first due time
SPREAD = 60.0  # due times spread over this many seconds
TARGET = 1.0  # p99 under this many seconds


def prepare(url: str, count: int) -> tuple[Engine, list[int], datetime]:
    """Migrate, seed the demo village, open it for the run, create `count` broadcasts due soon."""
    from bot.db import make_engine, transaction, upgrade
    from bot.demo import seed
    from broadcasts import service, timing
    from broadcasts.runs import quiet_rules
    from models import BroadcastKind, Village, utcnow

    upgrade(url)
    engine = make_engine(url)
    now = utcnow()
    with transaction(engine) as session:
        seed(session=session, now=now)
    for zone in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"):  # one is clear of Friday prayer
        probe = Village(code="X", name="X", timezone=zone, quiet_start="00:00", quiet_end="00:00")
        if not any(timing.held_by(now + timedelta(minutes=m), zone, quiet_rules(probe)) for m in range(3)):
            break
    rng = random.Random(200)
    start = now + timedelta(seconds=LEAD)
    ids = []
    with transaction(engine) as session:
        session.execute(update(Village).values(timezone=zone, quiet_start="00:00", quiet_end="00:00"))
        village = session.scalars(select(Village)).one()
        for i in range(count):
            draft = service.Draft(
                kind=BroadcastKind.UMUM,
                title=f"Pengumuman {i}",
                sms_text="Yth. {nama}: kerja bakti Minggu 07.00 di {desa}. Info: balas MENU.",
                send_at=start + timedelta(seconds=rng.uniform(0, SPREAD)),
            )
            broadcast = service.create(session=session, village=village, draft=draft, actor="bench", now=now)
            assert broadcast.id is not None
            ids.append(broadcast.id)
    return engine, ids, start


def hold_the_writer(path: str, seconds: float, stop: threading.Event) -> None:
    """(thread) Hold SQLite's write lock for `seconds` every 3 s, as a large fan-out would."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    while not stop.wait(3.0 - seconds):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE village SET name = name")
        time.sleep(seconds)
        connection.execute("COMMIT")
    connection.close()


def asyncio_variant(loop: asyncio.AbstractEventLoop) -> type:
    """A BroadcastScheduler on APScheduler's AsyncIOScheduler (job store queries on the event loop)."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from broadcasts.scheduler import BroadcastScheduler

    class OnTheLoop(BroadcastScheduler):
        def _make_scheduler(self, **options: Any) -> Any:
            return AsyncIOScheduler(event_loop=loop, **options)

    return OnTheLoop


async def measure(engine: Engine, url: str, ids: list[int], variant: str, load: float) -> dict[str, Any]:
    from sqlmodel import col

    from bot.scheduling import SchedulingService
    from bot.settings import Settings
    from models import BroadcastRun, utcnow

    settings = Settings(environment="test", database_url=url)
    scheduling = SchedulingService(engine, settings)
    if variant == "asyncio":
        old = scheduling.scheduler
        scheduling.scheduler = asyncio_variant(asyncio.get_running_loop())(
            engine, available=old.available, grace=old.grace, workers=old.workers, on_fired=old.on_fired
        )
    committed: dict[int, datetime] = {}
    lock = threading.Lock()
    inner = scheduling.scheduler.on_fired
    loop, everything_fired = asyncio.get_running_loop(), asyncio.Event()

    def on_fired(broadcast_id: int, result: Any) -> None:
        with lock:
            committed[broadcast_id] = utcnow()
            if len(committed) == len(ids):
                loop.call_soon_threadsafe(everything_fired.set)
        if inner is not None:
            inner(broadcast_id, result)

    scheduling.scheduler.on_fired = on_fired

    stalls: list[float] = []
    stop = asyncio.Event()

    async def heartbeat() -> None:
        while not stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            stalls.append(time.perf_counter() - before - 0.005)

    beat = asyncio.create_task(heartbeat())
    stop_load = threading.Event()
    if load:
        path = url.removeprefix("sqlite:///")
        threading.Thread(target=hold_the_writer, args=(path, load, stop_load), daemon=True).start()
    started = time.perf_counter()
    await scheduling.start()
    assert scheduling.leading, "this process did not get the scheduler's leader lock"
    try:
        await asyncio.wait_for(everything_fired.wait(), timeout=LEAD + SPREAD + 20)
    except TimeoutError:
        print(f"  only {len(committed)} of {len(ids)} fired in time")
    stop_load.set()
    await scheduling.stop()
    stop.set()
    await beat
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                col(BroadcastRun.broadcast_id),
                col(BroadcastRun.due_at),
                col(BroadcastRun.fired_at),
                col(BroadcastRun.status),
            )
        ).all()
    return {"rows": rows, "committed": committed, "stalls": stalls, "wall": time.perf_counter() - started}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def report(label: str, figures: dict[str, Any], count: int) -> None:
    rows = figures["rows"]
    fired = [(r.fired_at - r.due_at).total_seconds() for r in rows if r.fired_at is not None]
    visible = [(figures["committed"][r.broadcast_id] - r.due_at).total_seconds() for r in rows if r.fired_at]
    statuses = sorted({str(r.status) for r in rows})
    wall = figures["wall"]
    print(f"{label}: {len(rows)} runs of {count} broadcasts ({', '.join(statuses)}), wall {wall:.1f} s")
    for name, lags in (("fired_at - due", fired), ("committed - due", visible)):
        if not lags:
            print(f"  {name}: no runs")
            continue
        p50, p95, p99 = (1000 * percentile(lags, p) for p in (50, 95, 99))
        print(
            f"  {name:>16}: p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   p99 {p99:6.1f} ms"
            f"   max {1000 * max(lags):6.1f} ms"
        )
    stalls = figures["stalls"]
    print(
        f"  event loop (5 ms heartbeat): longest stall {1000 * max(stalls):.1f} ms, "
        f"p99 {1000 * percentile(stalls, 99):.1f} ms over {len(stalls)} beats"
    )
    p99 = percentile(visible, 99) if visible else float("inf")
    ok = len(visible) == count and p99 < TARGET
    verdict = "met" if ok else "NOT met"
    print(f"  target: all {count} fired, p99 under {TARGET:.0f} s after the due time: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("KENTONGAN_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--scheduler", choices=("background", "asyncio"), default="background")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument(
        "--writer-load", type=float, default=0.0, help="seconds (< 3) of write lock every 3 s"
    )
    args = parser.parse_args()
    if args.writer_load and (args.postgres or not 0 < args.writer_load < 3):
        parser.error("--writer-load takes 0 < S < 3 and runs on SQLite only")

    workdir = Path(tempfile.mkdtemp(prefix="kentongan-fire-"))
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        if args.postgres:
            fresh = cleanup.enter_context(scratch_schemas(args.postgres))
            url, label = fresh(f"kt_bench_{uuid.uuid4().hex[:10]}"), "PostgreSQL"
        else:
            url, label = f"sqlite:///{workdir}/fire.db", "SQLite"
        engine, ids, first_due = prepare(url, args.count)
        print(
            f"{args.count} broadcasts to the demo village (8 subscribers) due at random between "
            f"{first_due:%H:%M:%S} and +{SPREAD:.0f} s UTC; {args.scheduler} scheduler on {label}"
            + (f", write lock held {args.writer_load} s every 3 s" if args.writer_load else "")
        )
        figures = asyncio.run(measure(engine, url, ids, args.scheduler, args.writer_load))
        report(f"{label}, {args.scheduler} scheduler", figures, args.count)
        engine.dispose()


if __name__ == "__main__":
    main()
