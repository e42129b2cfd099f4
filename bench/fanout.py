"""Fan-out of a broadcast into the outbox: 1k, 10k and 100k recipients on SQLite.

    python -m bench.fanout

Three villages of 1,000, 10,000 and 100,000 subscribed contacts (half preferring WhatsApp) are built
once; then each village's whole population gets a personalised broadcast ("Yth. {nama} di {dusun},
...") in a fresh process, reporting the time and the growth of the process's resident memory during
the fan-out (sampled every 5 ms). Targets: 100k under 5 s, growth under 100 MB, the three sizes
linear within 30%.
"""

import gc
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from models.tables import CONTACT, IDENTITY, VILLAGE

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000, 100_000)
TEXT = (
    "Yth. {nama} di {dusun}: Musdes RKPDes {tanggal} pukul {jam} di {tempat}. Mohon hadir. Info: balas MENU."
)


def build(url: str) -> None:
    """Migrate, and make one village per size with that many subscribed contacts."""
    from sqlalchemy import func, insert, select

    from bot.db import make_engine, transaction, upgrade
    from bot.demo import seed
    from models import Channel, Contact, utcnow

    upgrade(url)
    engine = make_engine(url)
    now = utcnow()
    with transaction(engine) as session:
        seed(session=session, now=now)
    dusun = ("Krajan", "Sukamulya", "Cibodas")
    with transaction(engine) as session:
        connection = session.connection()
        next_id = connection.execute(select(func.max(Contact.id))).scalar_one() + 1
        for village_id, size in enumerate(SIZES, start=2):
            connection.execute(
                insert(VILLAGE).values(
                    id=village_id,
                    code=f"B{size}",
                    name=f"Desa {size}",
                    timezone="Asia/Jakarta",
                    created_at=now,
                )
            )
            contacts = [
                {
                    "id": next_id + i,
                    "village_id": village_id,
                    "name": f"Warga {i}",
                    "dusun": dusun[i % 3],
                    "rw": 1 + i % 5,
                    "rt": 1 + i % 9,
                    "tags": "",
                    "preferred_channel": Channel.WHATSAPP_CLOUD if i % 2 else Channel.SMSGATE,
                    "subscription": "subscribed",
                    "pending": "none",
                    "loop_count": 0,
                    "created_at": now,
                }
                for i in range(size)
            ]
            connection.execute(insert(CONTACT), contacts)
            connection.execute(
                insert(IDENTITY),
                [
                    {
                        "village_id": village_id,
                        "contact_id": next_id + i,
                        "kind": "phone",
                        "value": f"+62813{10000000 + i}",
                    }
                    for i in range(size)
                ],
            )
            next_id += size
    engine.dispose()


class RssSampler:
    """Samples this process's resident set every 5 ms; `stop` returns the growth over the start in MB."""

    def __init__(self) -> None:
        self.start = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize()

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self._rss())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())
        return (self.peak - self.start) / 2**20


def run(url: str, size: int) -> None:
    """(child) Fan one run out to the group of `size`; print JSON figures."""
    from bot.db import make_engine, transaction
    from broadcasts.audience import Audience
    from broadcasts.fanout import Message, VillageRoutes, fan_out
    from models import BroadcastKind, Channel, utcnow

    engine = make_engine(url)
    village_id = 2 + SIZES.index(size)
    message = Message(
        kind=BroadcastKind.MUSDES,
        sms_text=TEXT,
        whatsapp_text=TEXT,
        template_name="musdes_pengingat",
        template_variables=("{nama}", "{tanggal}"),
        values={"tanggal": "Sabtu 12 Des", "jam": "19.30 WIB", "tempat": "Balai Desa Sukamaju"},
    )
    routes = VillageRoutes(
        village_id=village_id,
        addresses={Channel.WHATSAPP_CLOUD: "100000000000001", Channel.SMSGATE: "demo-phone"},
        available={Channel.WHATSAPP_CLOUD, Channel.SMSGATE},
    )
    with transaction(engine) as session:  # warm up: statements compiled, file and pool open
        demo = VillageRoutes(village_id=1, addresses=routes.addresses, available=routes.available)
        fan_out(session=session, run_id=0, message=message, audience=Audience(), village=demo, now=utcnow())
    gc.collect()
    sampler = RssSampler()
    start = time.perf_counter()
    with transaction(engine) as session:
        result = fan_out(
            session=session, run_id=size, message=message, audience=Audience(), village=routes, now=utcnow()
        )
    seconds = time.perf_counter() - start
    growth_mb = sampler.stop()
    print(json.dumps({"size": size, "queued": result.queued, "seconds": seconds, "growth_mb": growth_mb}))


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        run(sys.argv[2], int(sys.argv[3]))
        return
    workdir = Path(tempfile.mkdtemp(prefix="kentongan-fanout-"))
    url = f"sqlite:///{workdir}/fanout.db"
    try:
        started = time.perf_counter()
        build(url)
        sizes = ", ".join(f"{n:,}" for n in SIZES)
        print(f"villages of {sizes} contacts built in {time.perf_counter() - started:.1f} s")
        rates = []
        for size in SIZES:
            out = subprocess.run(
                [sys.executable, "-m", "bench.fanout", "--child", url, str(size)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode:
                raise SystemExit(f"fan-out of {size} failed:\n{out.stderr[-3000:]}")
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            rate = figures["queued"] / figures["seconds"]
            rates.append(rate)
            print(
                f"{size:>7,} recipients: {figures['queued']:>7,} outbox rows in {figures['seconds']:.2f} s "
                f"({rate:,.0f} rows/s), peak memory growth {figures['growth_mb']:.1f} MB"
            )
        spread = (max(rates) - min(rates)) / max(rates)
        print(f"time per row from 1k to 100k within {100 * spread:.0f}% (linear within 30%: {spread <= 0.3})")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
