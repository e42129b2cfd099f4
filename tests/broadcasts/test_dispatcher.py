"""The dispatcher's rules over real SQLite and PostgreSQL, with scripted provider answers.

End-to-end runs against fake provider servers speaking the real protocols are in
tests/bot/test_delivery_e2e.py; here each rule is pinned down on its own.
"""

import asyncio
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from bot.db import transaction
from broadcasts import fallback, outbox, runs, service
from broadcasts.channel import OutgoingMessage, SendOutcome, SendResult, Template
from broadcasts.dispatcher import DispatchConfig, Dispatcher
from broadcasts.ratelimit import Rate
from handlers import villages
from models import (
    Broadcast,
    BroadcastKind,
    BroadcastRun,
    BroadcastStatus,
    Channel,
    ConsentEvent,
    Contact,
    DeliveryStatus,
    Lane,
    Outbox,
    OutboxSource,
    SubscriptionState,
    Village,
)
from models.tables import ADDRESS
from tests.conftest import T0, Clock

SLAMET = 1  # demo contacts, in bot/demo.py order
SLAMET_PHONE = "+6281234500001"
SRI = 2


@dataclass
class ScriptedAdapter:
    """A provider that answers from a script per recipient (ACCEPTED when the script runs out)."""

    channel: Channel
    script: dict[str, list[SendResult]] = field(default_factory=dict)
    sent: list[OutgoingMessage] = field(default_factory=list)
    delay: float = 0.0

    async def send(self, message: OutgoingMessage) -> SendResult:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.sent.append(message)
        answers = self.script.get(message.to)
        if answers:
            return answers.pop(0)
        return SendResult(SendOutcome.ACCEPTED, provider_id=f"P{message.outbox_id}")


def add_rows(engine: Engine, rows: Iterable[dict[str, object]]) -> list[int]:
    with transaction(engine) as session:
        before = session.scalars(select(Outbox.id).order_by(col(Outbox.id).desc()).limit(1)).first() or 0
        outbox.enqueue(session=session, rows=list(rows))
        return list(
            session.scalars(select(Outbox.id).where(col(Outbox.id) > before).order_by(col(Outbox.id)))
        )


def make_row(
    channel: Channel = Channel.CONSOLE,
    *,
    contact_id: int = SLAMET,
    recipient: str = SLAMET_PHONE,
    body: str = "Musdes Sabtu 19.30 WIB di Balai Desa.",
    lane: Lane = Lane.NOTICE,
    source: OutboxSource = OutboxSource.TICKET_NOTICE,
    sender: str = "+62800000001",
    **extra: object,
) -> dict[str, object]:
    return outbox.row(
        village_id=1,
        contact_id=contact_id,
        channel=channel,
        sender=sender,
        recipient=recipient,
        body=body,
        lane=lane,
        source=source,
        now=T0,
        **extra,  # type: ignore[arg-type]
    )


def rows_by_id(engine: Engine) -> dict[int, Outbox]:
    with Session(engine) as session:
        return {r.id or 0: r for r in session.scalars(select(Outbox))}


def dispatcher(engine: Engine, clock: Clock, *adapters: ScriptedAdapter, **config: object) -> Dispatcher:
    settings = {"rates": {a.channel: Rate(10_000) for a in adapters}, **config}
    return Dispatcher(
        engine, {a.channel: a for a in adapters}, config=DispatchConfig(**settings), clock=clock
    )  # type: ignore[arg-type]


def drain(d: Dispatcher) -> int:
    async def run() -> int:
        total = 0
        while handled := await d.run_once():
            total += handled
        return total

    return asyncio.run(run())


def test_urgent_lane_goes_first(engine: Engine, demo: None, clock: Clock) -> None:
    bulk, urgent, notice = add_rows(
        engine,
        [
            make_row(lane=Lane.BULK, source=OutboxSource.BROADCAST, body="bulk"),
            make_row(lane=Lane.URGENT, body="urgent"),
            make_row(lane=Lane.NOTICE, body="notice"),
        ],
    )
    console = ScriptedAdapter(Channel.CONSOLE)
    asyncio.run(dispatcher(engine, clock, console, batch_size=2).run_once())
    assert [m.outbox_id for m in console.sent] == [urgent, notice]
    rows = rows_by_id(engine)
    assert rows[bulk].status == DeliveryStatus.QUEUED
    assert rows[urgent].status == rows[notice].status == DeliveryStatus.SENT
    assert rows[urgent].provider_id == f"P{urgent}"


def test_retryable_errors_back_off_then_succeed(engine: Engine, demo: None, clock: Clock) -> None:
    [row_id] = add_rows(engine, [make_row()])
    console = ScriptedAdapter(
        Channel.CONSOLE, {SLAMET_PHONE: [SendResult(SendOutcome.RETRY, error_code="20429", retry_after=1.0)]}
    )
    d = dispatcher(engine, clock, console)
    assert drain(d) == 1
    row = rows_by_id(engine)[row_id]
    assert (row.status, row.attempts, row.error_code) == (DeliveryStatus.QUEUED, 1, "20429")
    assert row.next_attempt_at == T0 + timedelta(seconds=5)
    assert drain(d) == 0  # not due yet
    clock.advance(seconds=5)
    assert drain(d) == 1
    row = rows_by_id(engine)[row_id]
    assert (row.status, row.attempts) == (DeliveryStatus.SENT, 2)


def test_attempts_are_bounded_and_the_reason_kept(engine: Engine, demo: None, clock: Clock) -> None:
    [row_id] = add_rows(engine, [make_row()])
    retry = SendResult(SendOutcome.RETRY, error_code="500")
    console = ScriptedAdapter(Channel.CONSOLE, {SLAMET_PHONE: [retry] * 10})
    d = dispatcher(engine, clock, console, max_attempts=3)
    for _ in range(5):
        drain(d)
        clock.advance(hours=1)
    row = rows_by_id(engine)[row_id]
    assert (row.status, row.attempts, row.failure_reason, row.error_code) == (
        DeliveryStatus.FAILED,
        3,
        "attempts_exhausted",
        "500",
    )
    assert len(console.sent) == 3


def test_opt_out_error_unsubscribes_the_contact(engine: Engine, demo: None, clock: Clock) -> None:
    [row_id] = add_rows(engine, [make_row()])
    console = ScriptedAdapter(
        Channel.CONSOLE, {SLAMET_PHONE: [SendResult(SendOutcome.OPTED_OUT, error_code="21610")]}
    )
    drain(dispatcher(engine, clock, console))
    row = rows_by_id(engine)[row_id]
    assert (row.status, row.failure_reason) == (DeliveryStatus.FAILED, "opted_out")
    with Session(engine) as session:
        contact = session.get(Contact, SLAMET)
        assert contact is not None
        assert contact.subscription == SubscriptionState.UNSUBSCRIBED
        event = list(session.scalars(select(ConsentEvent).where(col(ConsentEvent.contact_id) == SLAMET)))[-1]
    assert (event.state, event.source) == ("unsubscribed", "provider_opt_out")


def test_broadcast_to_an_unsubscribed_contact_is_cancelled_unsent(
    engine: Engine, demo: None, clock: Clock
) -> None:
    with transaction(engine) as session:
        session.execute(update(Contact).where(col(Contact.id) == SRI).values(subscription="unsubscribed"))
    ids = add_rows(
        engine,
        [
            make_row(source=OutboxSource.BROADCAST, lane=Lane.BULK, run_id=7),
            make_row(
                contact_id=SRI,
                recipient="+6281234500002",
                source=OutboxSource.BROADCAST,
                lane=Lane.BULK,
                run_id=7,
            ),
        ],
    )
    console = ScriptedAdapter(Channel.CONSOLE)
    drain(dispatcher(engine, clock, console))
    rows = rows_by_id(engine)
    assert [m.to for m in console.sent] == [SLAMET_PHONE]
    assert (rows[ids[1]].status, rows[ids[1]].failure_reason) == (DeliveryStatus.CANCELLED, "unsubscribed")


def test_expired_rows_are_not_sent(engine: Engine, demo: None, clock: Clock) -> None:
    [row_id] = add_rows(engine, [make_row(validity_seconds=600)])
    clock.advance(minutes=11)
    console = ScriptedAdapter(Channel.CONSOLE)
    drain(dispatcher(engine, clock, console))
    assert console.sent == []
    assert rows_by_id(engine)[row_id].status == DeliveryStatus.EXPIRED


def test_loop_guard_stops_the_fourth_identical_text(engine: Engine, demo: None, clock: Clock) -> None:
    console = ScriptedAdapter(Channel.CONSOLE)
    d = dispatcher(engine, clock, console)
    for _ in range(4):
        add_rows(engine, [make_row(body="Aduan 123456: sedang diproses.")])
        drain(d)
        clock.advance(seconds=30)
    statuses = Counter((r.status, r.failure_reason) for r in rows_by_id(engine).values())
    assert statuses == {(DeliveryStatus.SENT, None): 3, (DeliveryStatus.CANCELLED, "loop_guard"): 1}
    clock.advance(minutes=5)
    add_rows(engine, [make_row(body="Aduan 123456: sedang diproses.")])
    drain(d)
    assert len(console.sent) == 4


def set_window(engine: Engine, contact_id: int, hours_ago: float | None) -> None:
    last = None if hours_ago is None else T0 - timedelta(hours=hours_ago)
    with transaction(engine) as session:
        session.execute(
            update(Contact).where(col(Contact.id) == contact_id).values(whatsapp_last_inbound_at=last)
        )


def test_inside_the_window_free_text_goes(engine: Engine, demo: None, clock: Clock) -> None:
    set_window(engine, SLAMET, hours_ago=23)
    add_rows(
        engine,
        [
            make_row(
                Channel.WHATSAPP_CLOUD, sender="100000000000001", template=Template("musdes_v1", ("Sabtu",))
            )
        ],
    )
    wa = ScriptedAdapter(Channel.WHATSAPP_CLOUD)
    drain(dispatcher(engine, clock, wa))
    assert wa.sent[0].template is None
    assert wa.sent[0].body.startswith("Musdes")


def test_outside_the_window_the_template_goes_and_no_sms(engine: Engine, demo: None, clock: Clock) -> None:
    set_window(engine, SLAMET, hours_ago=25)
    add_rows(
        engine,
        [
            make_row(
                Channel.WHATSAPP_CLOUD, sender="100000000000001", template=Template("musdes_v1", ("Sabtu",))
            )
        ],
    )
    wa, sms = ScriptedAdapter(Channel.WHATSAPP_CLOUD), ScriptedAdapter(Channel.SMSGATE)
    drain(dispatcher(engine, clock, wa, sms))
    assert wa.sent[0].template == Template("musdes_v1", ("Sabtu",))
    assert sms.sent == []


def test_outside_the_window_without_template_falls_back_to_sms_once(
    engine: Engine, demo: None, clock: Clock
) -> None:
    set_window(engine, SLAMET, hours_ago=None)
    [wa_id] = add_rows(engine, [make_row(Channel.WHATSAPP_CLOUD, sender="100000000000001")])
    wa, sms = ScriptedAdapter(Channel.WHATSAPP_CLOUD), ScriptedAdapter(Channel.SMSGATE)
    drain(dispatcher(engine, clock, wa, sms))
    assert wa.sent == []
    [fallback] = sms.sent
    assert (fallback.to, fallback.sender, fallback.body) == (
        SLAMET_PHONE,
        "demo-phone",
        "Musdes Sabtu 19.30 WIB di Balai Desa.",
    )
    rows = rows_by_id(engine)
    assert (rows[wa_id].status, rows[wa_id].failure_reason) == (DeliveryStatus.FAILED, "outside_window")
    assert rows[fallback.outbox_id].fallback_of_id == wa_id


@pytest.mark.parametrize(
    ("outcome", "code", "reason"),
    [
        (SendOutcome.NEEDS_TEMPLATE, "131047", "outside_window"),
        (SendOutcome.UNDELIVERABLE, "131026", "undeliverable"),
    ],
)
def test_provider_refusals_fall_back_to_sms(
    engine: Engine, demo: None, clock: Clock, outcome: SendOutcome, code: str, reason: str
) -> None:
    set_window(engine, SLAMET, hours_ago=1)
    [wa_id] = add_rows(engine, [make_row(Channel.WHATSAPP_CLOUD, sender="100000000000001")])
    wa = ScriptedAdapter(
        Channel.WHATSAPP_CLOUD,
        {SLAMET_PHONE.removeprefix("+"): [], SLAMET_PHONE: [SendResult(outcome, error_code=code)]},
    )
    sms = ScriptedAdapter(Channel.SMSGATE)
    drain(dispatcher(engine, clock, wa, sms))
    assert len(wa.sent) == 1
    assert len(sms.sent) == 1
    rows = rows_by_id(engine)
    assert (rows[wa_id].failure_reason, rows[wa_id].error_code) == (reason, code)


def test_no_fallback_without_an_sms_channel_or_phone(engine: Engine, demo: None, clock: Clock) -> None:
    with transaction(engine) as session:
        session.execute(ADDRESS.delete())
    [wa_id] = add_rows(engine, [make_row(Channel.WHATSAPP_CLOUD, sender="100000000000001")])
    wa = ScriptedAdapter(Channel.WHATSAPP_CLOUD)
    drain(dispatcher(engine, clock, wa, ScriptedAdapter(Channel.SMSGATE)))
    assert rows_by_id(engine)[wa_id].failure_reason == "outside_window"
    assert len(rows_by_id(engine)) == 1


def test_a_dead_dispatchers_rows_are_taken_again_after_the_lease(
    engine: Engine, demo: None, clock: Clock
) -> None:
    stuck, fresh_claim = add_rows(engine, [make_row(), make_row(body="other")])
    with transaction(engine) as session:
        session.execute(
            update(Outbox)
            .where(col(Outbox.id) == stuck)
            .values(status="sending", status_rank=1, attempts=1, claimed_until=T0 - timedelta(seconds=1))
        )
        session.execute(
            update(Outbox)
            .where(col(Outbox.id) == fresh_claim)
            .values(status="sending", status_rank=1, attempts=1, claimed_until=T0 + timedelta(minutes=1))
        )
    console = ScriptedAdapter(Channel.CONSOLE)
    drain(dispatcher(engine, clock, console))
    assert [m.outbox_id for m in console.sent] == [stuck]
    assert rows_by_id(engine)[stuck].attempts == 2
    assert rows_by_id(engine)[fresh_claim].status == DeliveryStatus.SENDING


def test_a_busy_sender_gives_rows_back_without_using_an_attempt(
    engine: Engine, demo: None, clock: Clock
) -> None:
    add_rows(engine, [make_row(Channel.SMSGATE, sender="demo-phone", body=f"pesan {i}") for i in range(3)])
    sms = ScriptedAdapter(Channel.SMSGATE)
    d = Dispatcher(
        engine,
        {Channel.SMSGATE: sms},
        config=DispatchConfig(rates={Channel.SMSGATE: Rate(1)}, horizon=0.5),
        clock=clock,
    )
    asyncio.run(d.run_once())
    rows = sorted(rows_by_id(engine).values(), key=lambda r: r.id or 0)
    assert [r.status for r in rows] == [DeliveryStatus.SENT, DeliveryStatus.QUEUED, DeliveryStatus.QUEUED]
    assert [r.attempts for r in rows] == [1, 0, 0]
    assert rows[1].next_attempt_at > T0


def test_two_dispatchers_on_postgres_never_send_a_row_twice(engine: Engine, demo: None, clock: Clock) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED sharing is a PostgreSQL feature; SQLite runs one dispatcher")
    add_rows(
        engine,
        [make_row(body=f"pengumuman {i}", source=OutboxSource.BROADCAST, run_id=i) for i in range(600)],
    )
    with transaction(engine) as session:
        session.execute(update(Contact).values(subscription="subscribed"))
    first, second = (
        ScriptedAdapter(Channel.CONSOLE, delay=0.001),
        ScriptedAdapter(Channel.CONSOLE, delay=0.001),
    )
    one = dispatcher(engine, clock, first, batch_size=50)
    two = dispatcher(engine, clock, second, batch_size=50)

    async def both() -> None:
        deadline = time.monotonic() + 60

        async def loop(d: Dispatcher) -> None:
            while await d.run_once() and time.monotonic() < deadline:
                pass

        await asyncio.gather(loop(one), loop(two))

    asyncio.run(both())
    sent = [m.outbox_id for m in first.sent + second.sent]
    assert len(sent) == 600
    assert len(set(sent)) == 600
    assert first.sent
    assert second.sent
    assert all(r.status == DeliveryStatus.SENT for r in rows_by_id(engine).values())


def new_broadcast(session: Session, kind: BroadcastKind, text: str, now: datetime) -> Broadcast:
    """A broadcast of the demo village to every subscriber, created by a cadre at `now`."""
    village = session.get(Village, 1)
    assert village is not None
    return service.create(
        session=session,
        village=village,
        draft=service.Draft(kind=kind, title=text[:20], sms_text=text),
        actor="kader:1",
        now=now,
        needs_approval=set(),
    )


def emergency_in_flight(engine: Engine) -> tuple[int, int]:
    """A darurat broadcast fired to Slamet and Sri on WhatsApp, neither of whom has written in 24 hours:
    (broadcast id, run id)."""
    with transaction(engine) as session:
        made = new_broadcast(session, BroadcastKind.DARURAT, "Banjir! Mengungsi.", T0)
        run = BroadcastRun(broadcast_id=made.id or 0, village_id=1, due_at=T0, fired_at=T0)
        session.add(run)
        made.status = BroadcastStatus.SENDING
        session.flush()
        assert made.id is not None
        assert run.id is not None
        ids = (made.id, run.id)
    set_window(engine, SLAMET, hours_ago=None)
    set_window(engine, SRI, hours_ago=None)
    add_rows(
        engine,
        [
            make_row(
                Channel.WHATSAPP_CLOUD, contact_id=c, recipient=phone, sender="100000000000001", run_id=ids[1]
            )
            for c, phone in ((SLAMET, SLAMET_PHONE), (SRI, "+6281234500002"))
        ],
    )
    return ids


def test_cancelling_a_broadcast_in_flight_cancels_its_queued_sms_fallbacks(
    engine: Engine, demo: None, clock: Clock
) -> None:
    broadcast_id, _ = emergency_in_flight(engine)
    wa, sms = ScriptedAdapter(Channel.WHATSAPP_CLOUD), ScriptedAdapter(Channel.SMSGATE)
    d = dispatcher(engine, clock, wa, sms)
    asyncio.run(d.run_once())  # the WhatsApp rows fail outside the window; two SMS wait in their place
    queued = [
        r for r in rows_by_id(engine).values() if r.fallback_of_id and r.status == DeliveryStatus.QUEUED
    ]
    assert len(queued) == 2
    with transaction(engine) as session:
        broadcast = session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        assert service.cancel(session=session, broadcast=broadcast, actor="kader:1", now=T0) == 2
    drain(d)
    assert sms.sent == []
    assert {r.status for r in rows_by_id(engine).values() if r.fallback_of_id} == {DeliveryStatus.CANCELLED}


def test_no_sms_fallback_is_made_for_a_cancelled_broadcast(engine: Engine, demo: None, clock: Clock) -> None:
    # A WhatsApp message already with Meta is reported failed (131047) after the cadre cancelled.
    broadcast_id, _ = emergency_in_flight(engine)
    wa_row = min(rows_by_id(engine))
    with transaction(engine) as session:
        broadcast = session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        service.cancel(session=session, broadcast=broadcast, actor="kader:1", now=T0)
    with transaction(engine) as session:
        made = fallback.queue_sms_instead(
            session=session, outbox_id=wa_row, now=T0, channels={Channel.SMSGATE, Channel.TWILIO_SMS}
        )
    assert made is None


# 22.30 WIB on Wednesday 2 December: inside the demo village's quiet hours (21.00-06.00 WIB).
NIGHT = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)
MORNING = datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # 06.00 WIB


def test_bulk_rows_queued_before_quiet_hours_wait_for_their_end(
    engine: Engine, demo: None, clock: Clock
) -> None:
    # A broadcast paced out on a gateway phone is still queued at 22.30: its rows wait for 06.00, while
    # replies, notices and darurat go; one whose validity ends before 06.00 expires.
    clock.now = NIGHT
    bulk, urgent, notice, brief = add_rows(
        engine,
        [
            make_row(lane=Lane.BULK, source=OutboxSource.BROADCAST, body="Kerja bakti Minggu."),
            make_row(contact_id=SRI, lane=Lane.URGENT, source=OutboxSource.BROADCAST, body="Banjir!"),
            make_row(body="Aduan 123456: sedang diproses."),
            make_row(
                contact_id=SRI,
                lane=Lane.BULK,
                source=OutboxSource.BROADCAST,
                body="Posyandu.",
                validity_seconds=3600,
            ),
        ],
    )
    console = ScriptedAdapter(Channel.CONSOLE)
    drain(dispatcher(engine, clock, console))
    assert sorted(m.outbox_id for m in console.sent) == [urgent, notice]
    rows = rows_by_id(engine)
    assert (rows[bulk].status, rows[bulk].next_attempt_at) == (DeliveryStatus.QUEUED, MORNING)
    assert rows[bulk].attempts == 0  # waiting is not a failed attempt
    assert (rows[brief].status, rows[brief].failure_reason) == (DeliveryStatus.EXPIRED, "expired")
    clock.now = MORNING
    drain(dispatcher(engine, clock, console))
    assert [m.outbox_id for m in console.sent][-1] == bulk


def test_lifting_quiet_hours_lets_what_waits_go_at_once(engine: Engine, demo: None, clock: Clock) -> None:
    clock.now = NIGHT
    [bulk] = add_rows(engine, [make_row(lane=Lane.BULK, source=OutboxSource.BROADCAST, body="Kerja bakti.")])
    console = ScriptedAdapter(Channel.CONSOLE)
    drain(dispatcher(engine, clock, console))
    assert console.sent == []
    with transaction(engine) as session:  # an invitation due now, held for 06.00
        held = new_broadcast(session, BroadcastKind.MUSDES, "Undangan Musdes.", NIGHT)
        assert held.id is not None
        fired = runs.fire(session=session, broadcast_id=held.id, now=NIGHT, available={Channel.CONSOLE})
        assert (fired.outcome, held.next_run_at) == (runs.FireOutcome.HELD, MORNING)
    with transaction(engine) as session:  # the head lifts quiet hours to 23.00-05.00
        village = session.get(Village, 1)
        assert village is not None
        change = villages.update_settings(
            session=session,
            village=village,
            changes={"quiet_start": "23:00", "quiet_end": "05:00"},
            now=NIGHT,
        )
        assert [(b.id, b.next_run_at) for b in change.rescheduled] == [(held.id, NIGHT)]
    drain(dispatcher(engine, clock, console))
    assert [m.outbox_id for m in console.sent] == [bulk]


def test_the_report_counts_each_recipient_once_by_the_sms_that_replaced_whatsapp(
    engine: Engine, demo: None, clock: Clock
) -> None:
    broadcast_id, _ = emergency_in_flight(engine)
    wa, sms = ScriptedAdapter(Channel.WHATSAPP_CLOUD), ScriptedAdapter(Channel.SMSGATE)
    d = dispatcher(engine, clock, wa, sms)
    asyncio.run(d.run_once())  # WhatsApp refused outside the window, SMS queued in their place
    with Session(engine) as session:
        broadcast = session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        midway = service.report(session=session, broadcast=broadcast)
    assert (midway.recipients, midway.by_status, midway.sms_instead) == (2, {"queued": 2}, 2)
    assert midway.cost == 0  # nothing went out yet
    drain(d)
    fallbacks = [r for r in rows_by_id(engine).values() if r.fallback_of_id]
    with Session(engine) as session:
        broadcast = session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        final = service.report(session=session, broadcast=broadcast)
    assert (final.recipients, final.by_status, final.failed_by_reason) == (2, {"sent": 2}, {})
    assert final.cost == sum(r.estimated_cost for r in fallbacks) > 0
