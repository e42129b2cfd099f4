"""Inbound pipeline throughput and latency against a bare FastAPI endpoint, in one run.

Three servers run the same way (uvicorn, one worker, pinned to core 0), one after the other: a bare
FastAPI endpoint answering a constant TwiML, the same webhook work without the database (an upper
bound), and Kentongan itself on a fresh SQLite file. The load comes from this process pinned to core 1
over loopback, with signed Twilio requests (distinct MessageSids, 2,000 senders, texts from the labelled
set), so every request goes through signature, dedupe, understanding and ticket write.

    python -m bench.inbound_pipeline [--requests 6000] [--concurrency 32]
"""

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from bench._util import free_port, pin
from tests.providers import twilio_signature, twilio_sms_form

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-auth-token"
BASE = "http://bench.kentongan.test"
PATH = "/webhooks/twilio"


def start_server(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = [
        *pin(0),
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{app} did not start")


def build_requests(n: int) -> list[tuple[bytes, str]]:
    texts = [
        json.loads(line)["text"] for line in (ROOT / "tests/data/nlu_dev.jsonl").read_text().splitlines()
    ]
    requests = []
    for i in range(n):
        sender = f"+62812{2000000 + i % 2000:07d}"
        form = twilio_sms_form(texts[i % len(texts)], sender=sender, sid=f"SM{i:032x}")
        signature = twilio_signature(TOKEN, BASE + PATH, form)
        requests.append((urlencode(form).encode(), signature))
    return requests


async def closed_loop(url: str, requests: list[tuple[bytes, str]], concurrency: int) -> tuple[float, int]:
    """Send everything with `concurrency` requests in flight; returns (requests/s, errors)."""
    queue = iter(requests)
    errors = 0

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        for body, signature in queue:
            headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    errors += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return len(requests) / elapsed, errors


async def open_loop(url: str, requests: list[tuple[bytes, str]], rate: float) -> list[float]:
    """Offer `rate` requests/s on a fixed schedule; returns each latency in ms."""
    latencies: list[float] = []

    async def one(session: aiohttp.ClientSession, body: bytes, signature: str) -> None:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
        start = time.perf_counter()
        async with session.post(url, data=body, headers=headers) as response:
            await response.read()
            assert response.status == 200, response.status
        latencies.append((time.perf_counter() - start) * 1000)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as session:
        start = time.perf_counter()
        tasks = []
        for i, (body, signature) in enumerate(requests):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(session, body, signature)))
        await asyncio.gather(*tasks)
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the fixed-rate run")
    args = parser.parse_args()
    os.sched_setaffinity(0, {1} if (os.cpu_count() or 1) > 1 else {0})

    workdir = Path(tempfile.mkdtemp(prefix="kentongan-bench-"))
    env = {
        **os.environ,
        "KENTONGAN_DATABASE_URL": f"sqlite:///{workdir}/bench.db",
        "KENTONGAN_TWILIO_AUTH_TOKEN": TOKEN,
        "KENTONGAN_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "KENTONGAN_PUBLIC_BASE_URL": BASE,
        "KENTONGAN_LOG_LEVEL": "WARNING",
    }
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run(
            [sys.executable, "-m", "bot.cli", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    fixed = int(args.rate * args.seconds)
    requests = build_requests(args.requests + fixed + 200)
    warm, load, paced = requests[:200], requests[200 : 200 + args.requests], requests[200 + args.requests :]

    results = {}
    servers = (
        ("bare endpoint", "bench.bare_app:app"),
        ("no database", "bench.no_db_app:app"),
        ("kentongan", "bot.main:app"),
    )
    for name, app in servers:
        port = free_port()
        server = start_server(app, port, env)
        url = f"http://127.0.0.1:{port}{PATH}"
        try:
            asyncio.run(closed_loop(url, warm, 8))
            rate, errors = asyncio.run(closed_loop(url, load, args.concurrency))
            latencies = asyncio.run(open_loop(url, paced, args.rate))
        finally:
            server.terminate()
            server.wait(10)
        results[name] = (rate, errors, latencies)
        print(
            f"{name:>14}: {rate:7.0f} msg/s at concurrency {args.concurrency} ({args.requests} requests, "
            f"{errors} errors); at {args.rate:.0f} msg/s offered: p50 {percentile(latencies, 0.5):.1f} ms, "
            f"p99 {percentile(latencies, 0.99):.1f} ms"
        )
    bare = results["bare endpoint"][0]
    print(f"ratio no-database / bare: {results['no database'][0] / bare:.2f}")
    print(f"ratio kentongan / bare: {results['kentongan'][0] / bare:.2f}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
