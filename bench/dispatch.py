"""Dispatch throughput, peak memory and rate-limit accuracy against a local fake provider.

    python -m bench.dispatch [--messages 20000]

1. Throughput: a full outbox (N broadcast rows) drained by one dispatcher on SQLite to a fake Twilio
   answering at once, with each HTTP transport in turn (httpx's own pool, httpx over aiohttp), then two
   dispatcher processes sharing a PostgreSQL outbox (when KENTONGAN_BENCH_POSTGRES_URL or
   KENTONGAN_TEST_POSTGRES_URL is set). The fake runs in its own process on core 1, the dispatchers on
   core 0. Peak memory is the dispatcher process's maximum resident set.
2. Rate accuracy: 600 messages through one sender limited to R = 50/s: the achieved rate, and the most
   messages the fake saw in any one-second window.
"""

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._util import fetch_json, free_port, pin, postgres_from_env, scratch_schemas

ROOT = Path(__file__).resolve().parent.parent


def fetch(url: str, method: str = "GET") -> dict[str, object]:
    result: dict[str, object] = fetch_json(url, method)
    return result


def start_fake() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([*pin(1), sys.executable, "-m", "bench.fake_provider", str(port)], cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            fetch(base + "/stats")
            return process, base
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("fake provider did not start")


def fill(url: str, messages: int) -> None:
    """Migrate, seed the demo village, and put `messages` broadcast rows in the outbox."""
    from sqlalchemy import update

    from bot.db import make_engine, transaction, upgrade
    from bot.demo import seed
    from broadcasts import outbox
    from models import Channel, Lane, OutboxSource, Village, utcnow

    upgrade(url)
    engine = make_engine(url)
    now = utcnow()
    with transaction(engine) as session:
        seed(session=session, now=now)
        # Bulk rows wait through the village's quiet hours; the figure must not depend on the hour.
        session.execute(update(Village).values(quiet_start="00:00", quiet_end="00:00", blackouts=[]))
    rows = [
        outbox.row(
            village_id=1,
            contact_id=1 + i % 8,
            channel=Channel.TWILIO_SMS,
            sender="+62800000001",
            recipient=f"+6281234500{1 + i % 8:03d}",
            body=f"Pengumuman {i}: Musdes RKPDes Sabtu 19.30 WIB di Balai Desa Sukamaju.",
            lane=Lane.BULK,
            source=OutboxSource.BROADCAST,
            run_id=1 + i // 8,
            now=now,
        )
        for i in range(messages)
    ]
    for start in range(0, len(rows), 5000):
        with transaction(engine) as session:
            outbox.enqueue(session=session, rows=rows[start : start + 5000])
    engine.dispose()


def run_dispatcher(url: str, api_base: str, transport: str, rate: str, expect: int) -> None:
    """(child process) Drain the outbox; print JSON with the rate and peak memory."""
    import httpx

    from bot.db import make_engine
    from bot.providers.http import make_client
    from bot.providers.twilio.send import TwilioAdapter
    from broadcasts.dispatcher import DispatchConfig, Dispatcher
    from broadcasts.ratelimit import Rate
    from models import Channel, utcnow

    async def main() -> None:
        if transport == "httpx":
            limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
            client = httpx.AsyncClient(limits=limits, timeout=15, trust_env=False)
        else:
            client = make_client(64)
        adapter = TwilioAdapter(
            client,
            channel=Channel.TWILIO_SMS,
            account_sid="AC" + "0" * 32,
            auth_token="bench",
            api_base=api_base,
            status_callback_base="http://127.0.0.1:9",
        )
        config = DispatchConfig(rates={Channel.TWILIO_SMS: Rate.parse(rate)}, horizon=3600, batch_size=500)
        dispatcher = Dispatcher(make_engine(url), {Channel.TWILIO_SMS: adapter}, config=config, clock=utcnow)
        start = time.perf_counter()
        sent = 0
        while sent < expect:
            handled = await dispatcher.run_once()
            if handled == 0:
                if time.perf_counter() - start > 600:
                    break
                await asyncio.sleep(0.05)
            sent += handled
        elapsed = time.perf_counter() - start
        await client.aclose()
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"handled": sent, "seconds": elapsed, "peak_mb": peak_mb}))

    asyncio.run(main())


def child(
    url: str, api_base: str, transport: str, rate: str, expect: int, core: int
) -> subprocess.Popen[str]:
    args = [
        *pin(core),
        sys.executable,
        "-m",
        "bench.dispatch",
        "--child",
        url,
        api_base,
        transport,
        rate,
        str(expect),
    ]
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True)


def throughput(url: str, base: str, transport: str, messages: int, processes: int = 1) -> str:
    fetch(base + "/reset", "POST")
    start = time.perf_counter()
    # One dispatcher on core 0; a second one shares core 1 with the fake provider (two cores in all).
    children = [
        child(url, base, transport, "100000/s", messages // processes, i % 2) for i in range(processes)
    ]
    results = [json.loads(c.communicate()[0].strip().splitlines()[-1]) for c in children]
    wall = time.perf_counter() - start
    arrived = int(fetch(base + "/stats")["count"])  # type: ignore[call-overload]
    handled = sum(r["handled"] for r in results)
    seconds = max(r["seconds"] for r in results)
    peak = max(r["peak_mb"] for r in results)
    return (
        f"{handled:>6} rows, {arrived:>6} at the provider, {handled / seconds:7.0f} msg/s "
        f"(wall {wall:.1f} s incl. start-up), peak memory {peak:.0f} MB per dispatcher"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url, api_base, transport, rate, expect = args.child
        run_dispatcher(url, api_base, transport, rate, int(expect))
        return

    fake, base = start_fake()
    workdir = Path(tempfile.mkdtemp(prefix="kentongan-dispatch-"))
    try:
        for transport in ("httpx", "httpx-aiohttp"):
            url = f"sqlite:///{workdir}/{transport}.db"
            fill(url, args.messages)
            print(
                f"SQLite, one dispatcher, {transport:>13}: {throughput(url, base, transport, args.messages)}"
            )

        pg = postgres_from_env()
        if pg:
            with scratch_schemas(pg) as fresh:
                for processes in (1, 2):
                    scoped = fresh(f"bench_{os.getpid()}_{processes}")
                    fill(scoped, args.messages)
                    line = throughput(scoped, base, "httpx-aiohttp", args.messages, processes)
                    print(f"PostgreSQL, {processes} dispatcher(s), httpx-aiohttp: {line}")

        # Rate accuracy: R = 50/s for 600 messages.
        url = f"sqlite:///{workdir}/rate.db"
        fill(url, 600)
        fetch(base + "/reset", "POST")
        process = child(url, base, "httpx-aiohttp", "50/s", 600, 0)
        process.communicate()
        arrivals = sorted(float(t) for t in fetch(base + "/stats")["arrivals"])  # type: ignore[union-attr]
        span = arrivals[-1] - arrivals[0]
        achieved = (len(arrivals) - 1) / span if span else 0.0
        worst = max(sum(1 for t in arrivals[i:] if t < start + 1.0) for i, start in enumerate(arrivals))
        print(
            f"rate limit R = 50/s: {len(arrivals)} messages in {span:.2f} s, achieved {achieved:.2f}/s "
            f"({100 * (achieved - 50) / 50:+.1f}% of R), busiest one-second window {worst} messages"
        )
    finally:
        fake.terminate()
        fake.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
