"""The crash window: a message the provider accepted goes out once, even when the process dies while the
database keeps it from recording that (issue 9, item 10).

The end-to-end test runs `kentongan dispatcher` processes against a fake Twilio on 127.0.0.1 (Twilio takes
no idempotency key, so a repeat would reach the resident) and kills one with SIGKILL while another
connection holds what the recording needs: SQLite's write lock (as the inbound writer does under load),
or on PostgreSQL the row's lock.
"""

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from bot.db import transaction
from bot.delivery import journal_directory
from broadcasts import outbox
from broadcasts.channel import OutgoingMessage, SendOutcome, SendResult
from broadcasts.dispatcher import DispatchConfig, Dispatcher, _Result, _Row
from broadcasts.journal import SUFFIX, Entry, SentJournal, decode, encode
from broadcasts.ratelimit import Rate
from models import (
    Channel,
    Contact,
    DeliveryStatus,
    FailureReason,
    Lane,
    Outbox,
    OutboxSource,
    SubscriptionState,
    utcnow,
)
from models.tables import OUTBOX
from tests.conftest import TWILIO_TOKEN
from tests.fakes import FakeTwilio
from tests.fakes.adapters import ACCOUNT

ROOT = Path(__file__).resolve().parents[2]
SLAMET, SLAMET_PHONE = 1, "+6281234500001"  # demo contacts (bot/demo.py)
SRI, SRI_PHONE = 2, "+6281234500002"
LATENCY = 0.3  # the fake's answer time: long enough to take the lock between the claim and the answer
LEASE = 1.0


def reply_row(contact_id: int, phone: str, body: str) -> dict[str, object]:
    return outbox.row(
        village_id=1,
        contact_id=contact_id,
        channel=Channel.TWILIO_SMS,
        sender="+62800000001",
        recipient=phone,
        body=body,
        lane=Lane.URGENT,
        source=OutboxSource.REPLY,
        now=utcnow(),
    )


def enqueue(engine: Engine, *rows: dict[str, object]) -> list[int]:
    """The new rows' ids."""
    table = OUTBOX
    with transaction(engine) as session:
        before = session.scalar(select(func.max(table.c.id))) or 0
        outbox.enqueue(session=session, rows=list(rows))
        return list(session.scalars(select(table.c.id).where(table.c.id > before).order_by(table.c.id)))


def status_of(engine: Engine, row_id: int) -> str:
    with engine.connect() as connection:
        return str(
            connection.execute(text("SELECT status FROM outbox WHERE id = :id"), {"id": row_id}).scalar()
        )


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@contextmanager
def holding_the_recording_lock(engine: Engine, db_url: str, row_id: int) -> Iterator[None]:
    """What keeps the dispatcher from recording: SQLite's write lock (BEGIN IMMEDIATE, as the inbound
    writer holds it), or on PostgreSQL a lock on the row itself (nothing else is shared with inbound
    transactions: see test_sends_are_recorded_while_an_inbound_transaction_holds_the_contact)."""
    if engine.dialect.name == "sqlite":
        connection = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=10, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    with engine.connect() as held:
        held.execute(text("SELECT id FROM outbox WHERE id = :id FOR UPDATE"), {"id": row_id})
        yield
        held.rollback()


def dispatcher_process(db_url: str, fake: FakeTwilio) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KENTONGAN_DATABASE_URL": db_url,
        "KENTONGAN_CONSOLE_ENABLED": "false",
        "KENTONGAN_DISPATCHER_LEASE_SECONDS": str(LEASE),
        "KENTONGAN_RATE_TWILIO_SMS": "1000 segments/s",
        "KENTONGAN_TWILIO_ACCOUNT_SID": ACCOUNT,
        "KENTONGAN_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "KENTONGAN_TWILIO_API_BASE": fake.url,
        "KENTONGAN_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "dispatcher"], env=env, cwd=ROOT)


def test_an_accepted_reply_is_not_sent_again_after_a_kill_while_the_database_waits(
    engine: Engine, db_url: str, demo: None
) -> None:
    [row_id] = enqueue(engine, reply_row(SLAMET, SLAMET_PHONE, "Balasan 1: aduan Anda diterima."))
    with FakeTwilio(latency=LATENCY) as fake:
        first = dispatcher_process(db_url, fake)
        second: subprocess.Popen[bytes] | None = None
        try:
            wait_until(lambda: status_of(engine, row_id) == "sending", 30, "the claim")
            with holding_the_recording_lock(engine, db_url, row_id):
                fake.wait_for_accepted(1, timeout=10)
                time.sleep(LATENCY + 0.3)  # the answer is in, far past the 20 ms recording interval
                assert status_of(engine, row_id) == "sending"  # the recording waits on our lock
                first.send_signal(signal.SIGKILL)
                first.wait(10)
            second = dispatcher_process(db_url, fake)
            wait_until(lambda: status_of(engine, row_id) == "sent", 30, "the row to be recorded sent")
            time.sleep(LEASE + 0.5)  # past the lease: a row thought unsent would have been claimed again
            assert [a.body for a in fake.accepted] == ["Balasan 1: aduan Anda diterima."]
            assert status_of(engine, row_id) == "sent"
        finally:
            for process in (first, second):
                if process is not None and process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                    process.wait(30)
    directory = journal_directory(engine.url)
    assert directory is not None
    assert not list(directory.glob(f"*{SUFFIX}"))  # the dead one's journal was recorded and removed


# --- the recording on its own (in process) ------------------------------------------------------------


class Accepting:
    """An adapter accepting everything at once."""

    channel = Channel.TWILIO_SMS

    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []

    async def send(self, message: OutgoingMessage) -> SendResult:
        self.sent.append(message)
        return SendResult(SendOutcome.ACCEPTED, provider_id=f"SM{message.outbox_id}")


def make_dispatcher(engine: Engine, adapter: Accepting, journal: SentJournal | None) -> Dispatcher:
    config = DispatchConfig(rates={Channel.TWILIO_SMS: Rate(10_000)}, lease=timedelta(seconds=LEASE))
    return Dispatcher(engine, {Channel.TWILIO_SMS: adapter}, config=config, clock=utcnow, journal=journal)


def test_a_dead_dispatchers_journal_is_recorded_before_anything_is_claimed(
    engine: Engine, demo: None, tmp_path: Path
) -> None:
    """A journal left by a process that died (unlocked) marks its rows sent on the next pass, even once
    their lease has run out; the row is not sent again, and the journal is removed."""
    [row_id] = enqueue(engine, reply_row(SLAMET, SLAMET_PHONE, "Balasan 2"))
    past = utcnow() - timedelta(minutes=5)
    with transaction(engine) as session:  # claimed by the dead one, its lease long over
        session.execute(
            text("UPDATE outbox SET status = 'sending', status_rank = 1, claimed_until = :t WHERE id = :id"),
            {"t": past, "id": row_id},
        )
    directory = tmp_path / "journal"
    directory.mkdir()
    dead = directory / f"dead-1-0000{SUFFIX}"
    dead.write_bytes(encode(Entry(row_id, "SMdead", past.timestamp())) + b'[99, "SMtorn", 1.0')  # torn
    journal = SentJournal(directory)
    journal.open()
    adapter = Accepting()
    try:
        assert asyncio.run(make_dispatcher(engine, adapter, journal).run_once()) == 0
    finally:
        journal.close(everything_recorded=True)
    assert adapter.sent == []
    with Session(engine) as session:
        row = session.get(Outbox, row_id)
        assert row is not None
        assert (row.status, row.provider_id) == (DeliveryStatus.SENT, "SMdead")
        assert row.sent_at is not None
        assert abs((row.sent_at - past).total_seconds()) < 1
    assert not directory.exists()  # the orphan released, ours removed, and the empty directory too


def test_a_live_dispatchers_journal_is_left_alone(tmp_path: Path) -> None:
    alive, other = SentJournal(tmp_path), SentJournal(tmp_path)
    alive.open()
    other.open()
    try:
        alive.append(Entry(7, "SM7", 1.0))
        assert other.orphans() == []  # locked by its owner
        assert alive.path is not None
        assert decode(alive.path.read_bytes()) == [Entry(7, "SM7", 1.0)]
        alive.reset()
        assert alive.path.read_bytes() == b""
    finally:
        other.close(everything_recorded=True)
        alive.close(everything_recorded=False)  # left for recovery, unlocked
    found = SentJournal(tmp_path).orphans()
    assert [o.path.name for o in found] == [alive.path.name]
    for orphan in found:
        SentJournal(tmp_path).release(orphan)
    assert list(tmp_path.iterdir()) == []


def test_an_acceptance_is_in_the_journal_before_the_database_is_asked(
    engine: Engine, demo: None, tmp_path: Path
) -> None:
    """The journal holds the acceptance before the database is asked to record it (what a kill at that
    moment would leave); once the database has it, the journal is emptied."""
    [row_id] = enqueue(engine, reply_row(SLAMET, SLAMET_PHONE, "Balasan 3"))
    journal = SentJournal(tmp_path / "journal")
    journal.open()
    adapter = Accepting()
    dispatcher = make_dispatcher(engine, adapter, journal)
    seen: list[list[Entry]] = []
    original = dispatcher._record

    def record(results: Sequence[_Result], now: datetime) -> None:
        assert journal.path is not None
        seen.append(decode(journal.path.read_bytes()))  # what a kill at this moment would leave
        original(results, now)

    dispatcher._record = record  # type: ignore[method-assign]
    try:
        assert asyncio.run(dispatcher.run_once()) == 1
        assert journal.path is not None
        assert journal.path.read_bytes() == b""
        assert dispatcher.unrecorded == 0
    finally:
        journal.close(everything_recorded=True)
    assert [[(e.outbox_id, e.provider_id) for e in entries] for entries in seen] == [
        [(row_id, f"SM{row_id}")]
    ]
    assert status_of(engine, row_id) == "sent"


def test_sends_are_recorded_while_an_inbound_transaction_holds_the_contact(
    engine: Engine, db_url: str, demo: None
) -> None:
    """PostgreSQL: an opt-out in the same batch changes the contact, which an inbound transaction may be
    updating; the sends are committed first, on their own, and do not wait for it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one write lock for everything: the journal covers it")
    sent_id, opted_id = enqueue(
        engine, reply_row(SLAMET, SLAMET_PHONE, "Balasan 4"), reply_row(SRI, SRI_PHONE, "Balasan 5")
    )
    with transaction(engine) as session:
        session.execute(text("UPDATE outbox SET status = 'sending', status_rank = 1"))
    dispatcher = make_dispatcher(engine, Accepting(), None)

    def row(row_id: int, contact_id: int) -> _Row:
        return _Row(
            row_id, 1, contact_id, Channel.TWILIO_SMS, "+62800000001", "", "", None, [], 0,
            OutboxSource.REPLY, None, 1, 1, None, utcnow(),
        )  # fmt: skip

    results = [
        _Result(row(sent_id, SLAMET), DeliveryStatus.SENT, provider_id="SM1"),
        _Result(
            row(opted_id, SRI),
            DeliveryStatus.FAILED,
            error_code="21610",
            reason=FailureReason.OPTED_OUT,
            opted_out=True,
        ),
    ]
    with engine.connect() as inbound:  # an inbound transaction updating Sri's contact, not yet committed
        inbound.execute(text("UPDATE contact SET last_inbound_at = now() WHERE id = :id"), {"id": SRI})
        recording = threading.Thread(target=dispatcher._record, args=(results, utcnow()))
        recording.start()
        wait_until(lambda: status_of(engine, sent_id) == "sent", 10, "the send to be committed")
        assert status_of(engine, opted_id) == "sending"  # the opt-out waits for the contact
        inbound.rollback()
        recording.join(10)
    assert status_of(engine, opted_id) == "failed"
    with Session(engine) as session:
        contact = session.get(Contact, SRI)
        assert contact is not None
        assert contact.subscription == SubscriptionState.UNSUBSCRIBED
