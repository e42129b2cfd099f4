"""The crash window under inbound load: kill -9 the real service mid-run, restart it, count repeats.

    python -m bench.crash_window [--runs 5] [--rate 300] [--latency 0.04] [--lease 4] [--postgres]

Each run: a fresh database (SQLite file, or a fresh PostgreSQL schema with --postgres) with the demo
village; `kentongan serve --no-scheduler` pinned to core 0 with the Android gateway configured; a fake
gateway (its own process, core 1) that, unlike the real gateway, accepts a repeated message id as Twilio
and Meta would, and keeps the time of every acceptance per id (our outbox row id is the message id, so
every repeat is counted exactly). This process (core 1) posts signed `sms:received` webhooks at a fixed
rate, each from a new number, so that every message stores a contact and usually a ticket and queues a
reply in the outbox: the inbound writer holds SQLite's write lock most of the time, as in production.

At a random moment the service gets SIGKILL. What the database says then is read (rows still `sending`;
those of them the fake had already accepted are the ones only the dead process knew were sent), the
service is started again on the same database, the load resumes, and the run waits past the lease until
the outbox is drained. A duplicate is an outbox id the fake accepted twice; for each, the time from its
first acceptance to the kill is printed.

The fake accepts a message half-way through its latency (the request's way there), then answers after
the other half (the answer's way back).
"""

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench._util import fetch_json, free_port, pin, postgres_from_env, scratch_schemas

ROOT = Path(__file__).resolve().parent.parent
SIGNING_KEY = "bench-signing-key"
GATE_USER, GATE_PASSWORD = "bench", "bench-password"
DEVICE = "demo-phone"  # the demo village's gateway address (bot/demo.py)


# --- the fake gateway (its own process) ------------------------------------------------------------


def run_fake(port: int, latency: float) -> None:
    """(child process) POST /3rdparty/v1/messages -> 202 for every id, repeats included."""
    from aiohttp import web

    accepted: dict[str, list[float]] = {}

    async def send(request: web.Request) -> web.Response:
        payload = await request.json()
        await asyncio.sleep(latency / 2)
        accepted.setdefault(str(payload["id"]), []).append(time.time())
        await asyncio.sleep(latency / 2)
        return web.json_response({"id": payload["id"], "state": "Pending"}, status=202)

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response(accepted)

    async def reset(_request: web.Request) -> web.Response:
        accepted.clear()
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/3rdparty/v1/messages", send)
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# --- the service --------------------------------------------------------------------------------------


@dataclass
class Target:
    """One database and the environment a service on it runs with."""

    url: str
    env: dict[str, str]
    port: int
    log: Path


def wait_for_port(port: int, timeout: float = 60.0, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the service exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


def start_service(target: Target) -> subprocess.Popen[bytes]:
    command = [
        *pin(0),
        sys.executable,
        "-m",
        "bot.cli",
        "serve",
        "--port",
        str(target.port),
        "--no-scheduler",
    ]
    with target.log.open("ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=target.env, stdout=log, stderr=log)
    try:
        wait_for_port(target.port, process=process)
    except RuntimeError:
        process.kill()
        print(target.log.read_text()[-3000:], file=sys.stderr)
        raise
    return process


def prepare(url: str, fake_base: str, lease: float, workdir: Path) -> Target:
    env = {
        **os.environ,
        "KENTONGAN_DATABASE_URL": url,
        "KENTONGAN_CONSOLE_ENABLED": "false",
        "KENTONGAN_SMSGATE_URL": fake_base + "/3rdparty/v1",
        "KENTONGAN_SMSGATE_USERNAME": GATE_USER,
        "KENTONGAN_SMSGATE_PASSWORD": GATE_PASSWORD,
        "KENTONGAN_SMSGATE_SIGNING_KEY": SIGNING_KEY,
        "KENTONGAN_RATE_SMSGATE": "1000/s",
        "KENTONGAN_DISPATCHER_LEASE_SECONDS": str(lease),
        "KENTONGAN_LOG_LEVEL": "WARNING",
    }
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(
            [sys.executable, "-m", "bot.cli", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    return Target(url, env, free_port(), workdir / "service.log")


def outbox_state(url: str) -> tuple[set[int], int]:
    """(ids of rows `sending`, rows not yet finished: queued or sending)."""
    from sqlalchemy import text

    from bot.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id FROM outbox WHERE status = 'sending'"))
            sending = set(rows.scalars())
            open_rows = connection.execute(
                text("SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')")
            ).scalar_one()
    finally:
        engine.dispose()
    return sending, int(open_rows)


# --- the load -------------------------------------------------------------------------------------------


def texts() -> list[str]:
    lines = (ROOT / "tests/data/nlu_dev.jsonl").read_text().splitlines()
    return [json.loads(line)["text"] for line in lines]


class Load:
    """Signed gateway webhooks at a fixed rate, each from a new number; failures (a dead service) are
    counted and dropped: the real gateway would retry them later."""

    def __init__(self, rate: float, run: int) -> None:
        self.rate = rate
        self.run = run
        self.sent = 0
        self.ok = 0
        self.failed = 0
        self._texts = texts()
        self._port = 0

    def point_at(self, port: int) -> None:
        self._port = port

    def _request(self, i: int) -> tuple[bytes, dict[str, str]]:
        event = {
            "deviceId": DEVICE,
            "event": "sms:received",
            "id": f"ev{self.run:02d}{i:08d}",
            "webhookId": "kentongan-sms-received",
            "payload": {
                "messageId": f"m{self.run:02d}{i:08d}",
                "message": self._texts[i % len(self._texts)],
                "sender": f"+628139{self.run % 10}{i:06d}",
                "recipient": None,
                "simNumber": 1,
                "receivedAt": "2026-12-02T10:00:00.000+07:00",
            },
        }
        body = json.dumps(event).encode()
        stamp = str(int(time.time()))
        signature = hmac.new(SIGNING_KEY.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Timestamp": stamp, "X-Signature": signature}
        return body, headers

    async def run_until(self, stop: asyncio.Event) -> None:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as session:
            start = time.perf_counter()
            tasks: set[asyncio.Task[None]] = set()
            i = 0
            while not stop.is_set():
                delay = start + i / self.rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                task = asyncio.create_task(self._one(session, i))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                i += 1
            if tasks:
                await asyncio.wait(tasks, timeout=20)

    async def _one(self, session: aiohttp.ClientSession, i: int) -> None:
        body, headers = self._request(i)
        self.sent += 1
        try:
            url = f"http://127.0.0.1:{self._port}/webhooks/smsgate"
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status == 200:
                    self.ok += 1
                else:
                    self.failed += 1
        except (TimeoutError, aiohttp.ClientError):
            self.failed += 1


# --- one run --------------------------------------------------------------------------------------------


@dataclass
class RunResult:
    killed_after: float  # seconds of load before the kill
    sending_at_kill: int
    exposed: list[float]  # accepted by the fake before the kill, still `sending` in the database: ms ago
    duplicates: list[float]  # per repeated id: ms from its first acceptance to the kill (< 0: after it)
    accepted: int
    inbound_ok: int
    drained: bool


async def one_run(
    run: int, target: Target, fake_base: str, rate: float, lease: float, kill_at: float
) -> RunResult:
    fetch_json(fake_base + "/reset", "POST")
    load = Load(rate, run)
    service = await asyncio.to_thread(start_service, target)
    load.point_at(target.port)
    stop = asyncio.Event()
    load_task = asyncio.create_task(load.run_until(stop))
    try:
        await asyncio.sleep(kill_at)
        kill_wall = time.time()
        os.kill(service.pid, signal.SIGKILL)
        await asyncio.to_thread(service.wait, 10)
        sending, _ = await asyncio.to_thread(outbox_state, target.url)
        accepted_at_kill: dict[str, list[float]] = await asyncio.to_thread(fetch_json, fake_base + "/stats")
        exposed = [
            (kill_wall - times[0]) * 1000
            for key, times in accepted_at_kill.items()
            if int(key) in sending and times[0] <= kill_wall
        ]
        service = await asyncio.to_thread(start_service, target)
        # Past the lease (counted from the last claim before the kill), under load all along.
        await asyncio.sleep(max(0.0, kill_wall + lease + 2.0 - time.time()))
        stop.set()
        await load_task
        deadline = time.monotonic() + 30
        drained = False
        while time.monotonic() < deadline:
            _, open_rows = await asyncio.to_thread(outbox_state, target.url)
            if open_rows == 0:
                drained = True
                break
            await asyncio.sleep(0.25)
    finally:
        stop.set()
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(load_task, 30)
        service.send_signal(signal.SIGTERM)
        await asyncio.to_thread(service.wait, 30)
    accepted: dict[str, list[float]] = fetch_json(fake_base + "/stats")
    duplicates = [(kill_wall - times[0]) * 1000 for times in accepted.values() if len(times) > 1]
    return RunResult(kill_at, len(sending), exposed, duplicates, len(accepted), load.ok, drained)


# --- databases ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def databases(postgres: str | None, workdir: Path) -> Iterator[Any]:
    """Yields a function giving a fresh database URL per run."""
    if not postgres:
        yield lambda run: f"sqlite:///{workdir}/run{run}.db"
        return
    with scratch_schemas(postgres) as fresh:
        yield lambda run: fresh(f"bench_crash_{os.getpid()}_{run}")


def summary(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[0]:.0f}..{ordered[-1]:.0f} ms"


def repeats(values: list[float]) -> str:
    """How many ids went twice, split by whether the provider first accepted them before the kill (the
    service had the answer, or it was on its way back) or after (the request was still on its way)."""
    before = [v for v in values if v >= 0]
    after = len(values) - len(before)
    return (
        f"{len(values):3d} sent twice: {len(before)} accepted before the kill "
        f"({summary(before)} before it), {after} after it (request on its way)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rate", type=float, default=300.0, help="inbound messages/s")
    parser.add_argument("--latency", type=float, default=0.04, help="the fake's round trip, seconds")
    parser.add_argument("--lease", type=float, default=4.0, help="KENTONGAN_DISPATCHER_LEASE_SECONDS")
    parser.add_argument("--kill-between", type=float, nargs=2, default=(3.0, 6.0), metavar=("MIN", "MAX"))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="PostgreSQL at KENTONGAN_BENCH_POSTGRES_URL or KENTONGAN_TEST_POSTGRES_URL instead of SQLite",
    )
    parser.add_argument("--fake", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fake:
        run_fake(int(args.fake[0]), float(args.fake[1]))
        return
    postgres = None
    if args.postgres:
        postgres = postgres_from_env()
        if not postgres:
            parser.error("--postgres needs KENTONGAN_BENCH_POSTGRES_URL or KENTONGAN_TEST_POSTGRES_URL")
    os.sched_setaffinity(0, {1} if (os.cpu_count() or 1) > 1 else {0})
    rng = random.Random(args.seed)

    fake_port = free_port()
    fake = subprocess.Popen(
        [*pin(1), sys.executable, "-m", "bench.crash_window", "--fake", str(fake_port), str(args.latency)],
        cwd=ROOT,
    )
    fake_base = f"http://127.0.0.1:{fake_port}"
    workdir = Path(tempfile.mkdtemp(prefix="kentongan-crash-"))
    kind = "PostgreSQL" if postgres else "SQLite"
    print(
        f"{kind}; inbound {args.rate:.0f} msg/s; fake round trip {args.latency * 1000:.0f} ms; "
        f"lease {args.lease:g} s"
    )
    total_dup = total_exposed = 0
    all_dups: list[float] = []
    try:
        wait_for_port(fake_port)
        with databases(postgres, workdir) as fresh:
            for run in range(1, args.runs + 1):
                target = prepare(fresh(run), fake_base, args.lease, workdir)
                kill_at = rng.uniform(*args.kill_between)
                result = asyncio.run(one_run(run, target, fake_base, args.rate, args.lease, kill_at))
                total_dup += len(result.duplicates)
                total_exposed += len(result.exposed)
                all_dups.extend(result.duplicates)
                print(
                    f"run {run}: kill -9 after {result.killed_after:.1f} s; {result.sending_at_kill:3d} rows "
                    f"sending, {len(result.exposed):3d} of them accepted by the provider "
                    f"({summary(result.exposed)} before the kill); {repeats(result.duplicates)}; "
                    f"{result.accepted} replies sent, {result.inbound_ok} webhooks answered"
                    f"{'' if result.drained else '; OUTBOX NOT DRAINED'}"
                )
    finally:
        fake.terminate()
        fake.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)
    longest = f"{max(all_dups):.0f} ms" if all_dups else "-"
    print(
        f"all runs: {total_exposed} replies accepted but not yet recorded in the database at the kill; "
        f"{total_dup} sent twice; longest from a repeat's first acceptance to the kill: {longest}"
    )


if __name__ == "__main__":
    main()
