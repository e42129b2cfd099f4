"""The delivery engine end to end: real adapters, fake providers on 127.0.0.1 speaking the real
protocols, the app on a real socket taking their signed callbacks, real SQLite and PostgreSQL."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.app import create_app
from bot.db import transaction
from bot.demo import RESIDENTS as DEMO_RESIDENTS
from broadcasts import outbox
from broadcasts.channel import ChannelAdapter
from models import (
    Channel,
    Contact,
    DeliveryStatus,
    Lane,
    Outbox,
    OutboxSource,
    SubscriptionState,
    Village,
    utcnow,
)
from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN, make_settings, serve
from tests.fakes import FakeMeta, FakeSmsGate, FakeTwilio, Faults
from tests.fakes import adapters as fake_adapters
from tests.fakes.adapters import (
    ACCOUNT,
    GATE_KEY,
    GATE_PASSWORD,
    GATE_USER,
    META_SECRET,
    META_TOKEN,
    Build,
    gateway_adapter,
    twilio_adapter,
    whatsapp_adapter,
)

PHONE_ID = "100000000000001"
RESIDENTS = [resident[1] for resident in DEMO_RESIDENTS]  # the demo subscribers, contacts 1-8
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app(db_url: str, engine: Engine, demo: None) -> FastAPI:
    """The app with every provider's secrets, on the real clock (callbacks carry real timestamps). The
    demo village keeps no quiet hours or blackouts here: the bulk rows these tests send must not wait
    for the morning when the suite happens to run at night (the hold itself: test_dispatcher.py)."""
    with transaction(engine) as session:
        session.execute(update(Village).values(quiet_start="00:00", quiet_end="00:00", blackouts=[]))
    settings = make_settings(
        db_url,
        whatsapp_app_secret=META_SECRET,
        whatsapp_access_token=META_TOKEN,
        smsgate_signing_key=GATE_KEY,
        smsgate_url="http://127.0.0.1:9/3rdparty/v1",
    )
    return create_app(settings, engine=engine)


@pytest.fixture
def live(app: FastAPI) -> Iterator[str]:
    with serve(app) as url:
        yield url


def broadcast_rows(channel: Channel, count: int, sender: str) -> list[dict[str, object]]:
    now = utcnow()
    return [
        outbox.row(
            village_id=1,
            contact_id=1 + i % 8,
            channel=channel,
            sender=sender,
            recipient=RESIDENTS[i % 8],
            body=f"Pengumuman {i}: kerja bakti Minggu pagi di Balai Desa.",
            lane=Lane.BULK,
            source=OutboxSource.BROADCAST,
            run_id=1 + i // 8,
            now=now,
        )
        for i in range(count)
    ]


def enqueue(engine: Engine, rows: list[dict[str, object]]) -> None:
    with transaction(engine) as session:
        outbox.enqueue(session=session, rows=rows)


def all_rows(engine: Engine) -> list[Outbox]:
    with Session(engine) as session:
        return list(session.scalars(select(Outbox).order_by(col(Outbox.id))))


def drain(engine: Engine, build: Build, until: float = 60.0) -> None:
    """Run a dispatcher until nothing is due (up to 12 attempts a row)."""
    fake_adapters.drain(engine, build, until=until, max_attempts=12)


def twilio(fake: FakeTwilio, channel: Channel = Channel.TWILIO_SMS) -> Build:
    return lambda client: {channel: twilio_adapter(client, fake, channel)}


def test_faults_end_delivered_or_failed_with_a_reason_and_nothing_twice(engine: Engine, live: str) -> None:
    enqueue(engine, broadcast_rows(Channel.TWILIO_SMS, 120, "+62800000001"))
    faults = Faults(rate=0.2, kinds=("500", "429", "timeout"), seed=7, timeout=0.3)
    with FakeTwilio(faults=faults, callback_routes={PUBLIC_BASE_URL: live}) as fake:
        fake.fail_for(RESIDENTS[7], 21211)  # an invalid number: permanent
        drain(engine, twilio(fake))
        faulted = Counter(
            r.outcome.split(":")[1].split(";")[0] for r in fake.requests if r.outcome.startswith("fault")
        )
        assert set(faulted) == {"500", "429", "timeout"}
        assert fake.duplicates() == {}
        results = fake.emit_pending()
        assert all(result.ok for result in results)
    rows = all_rows(engine)
    statuses = Counter(r.status for r in rows)
    assert set(statuses) <= {DeliveryStatus.DELIVERED, DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED}
    assert statuses[DeliveryStatus.FAILED] == 15  # every 8th row went to the invalid number
    assert all(r.failure_reason == "invalid_number" for r in rows if r.status == DeliveryStatus.FAILED)
    assert all(r.provider_id for r in rows if r.status != DeliveryStatus.FAILED)
    assert max(r.attempts for r in rows) > 1


def test_callbacks_out_of_order_and_repeated_never_move_a_row_back(engine: Engine, live: str) -> None:
    enqueue(engine, broadcast_rows(Channel.TWILIO_SMS, 16, "+62800000001"))
    with FakeTwilio(callback_routes={PUBLIC_BASE_URL: live}) as fake:
        drain(engine, twilio(fake))
        fake.emit_pending(shuffle=True, repeat=2, seed=3)
        first = fake.accepted[0].id
        fake.emit_statuses(first, statuses=["delivered", "sent", "queued"])
    assert {r.status for r in all_rows(engine)} == {DeliveryStatus.DELIVERED}


def test_opt_out_error_unsubscribes_and_stops_later_broadcasts(engine: Engine, live: str) -> None:
    enqueue(engine, broadcast_rows(Channel.TWILIO_SMS, 8, "+62800000001"))
    with FakeTwilio(callback_routes={PUBLIC_BASE_URL: live}) as fake:
        fake.fail_for(RESIDENTS[1], 21610)
        drain(engine, twilio(fake))
        with Session(engine) as session:
            contact = session.get(Contact, 2)
            assert contact is not None
            assert contact.subscription == SubscriptionState.UNSUBSCRIBED
        enqueue(engine, broadcast_rows(Channel.TWILIO_SMS, 16, "+62800000001")[8:])
        drain(engine, twilio(fake))
        assert [a.to for a in fake.accepted].count(RESIDENTS[1]) == 0
    cancelled = [r for r in all_rows(engine) if r.status == DeliveryStatus.CANCELLED]
    assert [(r.contact_id, r.failure_reason) for r in cancelled] == [(2, "unsubscribed")]


def open_window(engine: Engine, hours_ago: float | None) -> None:
    last = None if hours_ago is None else utcnow() - timedelta(hours=hours_ago)
    with transaction(engine) as session:
        session.execute(update(Contact).values(whatsapp_last_inbound_at=last))


def test_twilio_63016_callback_brings_one_sms_instead(engine: Engine, live: str) -> None:
    open_window(engine, hours_ago=1)  # we think the window is open; WhatsApp disagrees later
    enqueue(engine, broadcast_rows(Channel.TWILIO_WHATSAPP, 8, "+62800000001"))
    with (
        FakeTwilio(callback_routes={PUBLIC_BASE_URL: live}) as twilio,
        FakeSmsGate(GATE_USER, GATE_PASSWORD, signing_key=GATE_KEY) as gate,
    ):
        twilio.fail_for(RESIDENTS[2], 63016)

        def adapters(client: httpx.AsyncClient) -> dict[Channel, ChannelAdapter]:
            return {
                Channel.TWILIO_WHATSAPP: twilio_adapter(client, twilio, Channel.TWILIO_WHATSAPP),
                Channel.SMSGATE: gateway_adapter(client, gate),
            }

        drain(engine, adapters)
        twilio.emit_pending()
        drain(engine, adapters)
        assert [a.to for a in gate.accepted] == [RESIDENTS[2]]
    rows = all_rows(engine)
    [whatsapp] = [r for r in rows if r.contact_id == 3 and r.channel == Channel.TWILIO_WHATSAPP]
    [sms] = [r for r in rows if r.channel == Channel.SMSGATE]
    assert (whatsapp.status, whatsapp.failure_reason, whatsapp.error_code) == (
        "failed",
        "outside_window",
        "63016",
    )
    assert (sms.fallback_of_id, sms.status) == (whatsapp.id, DeliveryStatus.SENT)


def test_meta_131047_and_template_outside_the_window(engine: Engine, live: str) -> None:
    open_window(engine, hours_ago=30)
    rows = broadcast_rows(Channel.WHATSAPP_CLOUD, 8, PHONE_ID)
    for row in rows[:4]:  # half the rows carry the approved template, half do not
        row.update(template_name="pengumuman_umum", template_variables=["kerja bakti"])
    enqueue(engine, rows)
    with (
        FakeMeta(
            META_TOKEN,
            app_secret=META_SECRET,
            phone_number_id=PHONE_ID,
            webhook_url=live + "/webhooks/whatsapp",
        ) as meta,
        FakeSmsGate(GATE_USER, GATE_PASSWORD, signing_key=GATE_KEY) as gate,
    ):

        def adapters(client: httpx.AsyncClient) -> dict[Channel, ChannelAdapter]:
            return {
                Channel.WHATSAPP_CLOUD: whatsapp_adapter(client, meta),
                Channel.SMSGATE: gateway_adapter(client, gate),
            }

        drain(engine, adapters)
        templates = [a for a in meta.accepted if a.template]
        assert sorted(a.to for a in templates) == sorted(RESIDENTS[:4])
        assert sorted(a.to for a in gate.accepted) == sorted(RESIDENTS[4:])  # SMS instead, never both
        assert not set(a.to for a in templates) & set(a.to for a in gate.accepted)


def test_gateway_repeat_after_a_lost_answer_is_not_sent_twice(engine: Engine, demo: None) -> None:
    enqueue(engine, broadcast_rows(Channel.SMSGATE, 8, "demo-phone"))
    with FakeSmsGate(
        GATE_USER, GATE_PASSWORD, signing_key=GATE_KEY, faults=Faults(script=("accept_then_drop",) * 3)
    ) as gate:
        drain(engine, lambda client: {Channel.SMSGATE: gateway_adapter(client, gate)})
        ids = [a.id for a in gate.accepted]
        assert len(ids) == len(set(ids)) == 8
        assert sum(1 for r in gate.requests if r.status == 409) == 3
    assert {r.status for r in all_rows(engine)} == {DeliveryStatus.SENT}


@pytest.mark.parametrize("provider", ["smsgate", "twilio"])
def test_dispatcher_killed_mid_run_loses_nothing(
    engine: Engine, db_url: str, provider: str, demo: None
) -> None:
    """kill -9 a `kentongan dispatcher` process mid-run, start another: every row ends sent; the
    gateway refuses repeats (409), Twilio may get the rows that were in flight twice (the documented
    window)."""
    channel, sender = (
        (Channel.SMSGATE, "demo-phone") if provider == "smsgate" else (Channel.TWILIO_SMS, "+62800000001")
    )
    enqueue(engine, broadcast_rows(channel, 400, sender))
    fake = (
        FakeSmsGate(GATE_USER, GATE_PASSWORD, signing_key=GATE_KEY, latency=0.02)
        if provider == "smsgate"
        else FakeTwilio(latency=0.02)
    )
    env = {
        **os.environ,
        "KENTONGAN_DATABASE_URL": db_url,
        "KENTONGAN_CONSOLE_ENABLED": "false",
        "KENTONGAN_DISPATCHER_LEASE_SECONDS": "1",
        "KENTONGAN_DISPATCHER_BATCH_SIZE": "50",
        "KENTONGAN_DISPATCHER_CONCURRENCY": "16",
        "KENTONGAN_RATE_SMSGATE": "1000/s",
        "KENTONGAN_RATE_TWILIO_SMS": "1000 segments/s",
        "KENTONGAN_LOG_LEVEL": "WARNING",
    }
    if provider == "smsgate":
        env.update(
            KENTONGAN_SMSGATE_URL=fake.url + "/3rdparty/v1",
            KENTONGAN_SMSGATE_USERNAME=GATE_USER,
            KENTONGAN_SMSGATE_PASSWORD=GATE_PASSWORD,
        )
    else:
        env.update(
            KENTONGAN_TWILIO_ACCOUNT_SID=ACCOUNT,
            KENTONGAN_TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
            KENTONGAN_TWILIO_API_BASE=fake.url,
        )
    command = [sys.executable, "-m", "bot.cli", "dispatcher"]
    with fake:
        first = subprocess.Popen(command, env=env, cwd=ROOT)
        fake.wait_for_accepted(100, timeout=60)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        in_flight = sum(1 for r in all_rows(engine) if r.status == DeliveryStatus.SENDING)
        second = subprocess.Popen(command, env=env, cwd=ROOT)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                if all(r.status == DeliveryStatus.SENT for r in all_rows(engine)):
                    break
                time.sleep(0.2)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(30)
        rows = all_rows(engine)
        assert all(r.status == DeliveryStatus.SENT for r in rows)
        sent_twice = sum(n - 1 for n in Counter(a.body for a in fake.accepted).values())
        if provider == "smsgate":
            assert sent_twice == 0
        else:
            assert sent_twice <= in_flight  # only rows whose send was under way at the kill
        print(f"\n{provider}: {in_flight} rows in flight at kill -9, {sent_twice} reached the provider twice")
