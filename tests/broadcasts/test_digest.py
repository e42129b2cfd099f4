"""Digests for the head and the BPD: complaints about the head go only to the BPD."""

import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from bot.app import create_app
from bot.db import transaction
from bot.scheduling import SchedulingService
from broadcasts import fallback, runs, service
from broadcasts.digest import compose, deliver, due_slots, send_due, sms_form
from broadcasts.fanout import VillageRoutes
from broadcasts.sms import Encoding, analyse
from handlers import lifecycle, staff
from models import (
    BroadcastKind,
    Channel,
    Contact,
    DeliveryStatus,
    DigestPeriod,
    DigestRun,
    FailureReason,
    Outbox,
    OutboxSource,
    Role,
    Staff,
    Ticket,
    Village,
    utcnow,
)
from tests import factories
from tests.conftest import Clock, make_settings, serve
from tests.fakes import FakeMeta, FakeSmsGate, adapters
from tests.fakes.adapters import GATE_KEY, GATE_PASSWORD, GATE_USER, META_SECRET, META_TOKEN

say = factories.say


def digest(engine: Engine, role: Role, clock: Clock, everything: bool = False):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        village = session.exec(select(Village).where(Village.code == "DEMO")).one()
        return compose(
            session=session,
            village=village,
            role=role,
            since=clock.now - timedelta(days=1),
            now=clock.now,
            everything=everything,
        )


def test_head_and_bpd_digests_split_complaints_about_the_head(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    say(client, "+6281234500001", "lampu jalan RT 2 dusun Krajan mati")
    say(client, "+6281234500002", "got mampet di dusun Cibodas, banjir kalau hujan")
    say(client, "+6281234500003", "pak kades tidak pernah ada di kantor, surat terbengkalai")
    clock.advance(hours=1)
    head = digest(engine, Role.KADES, clock)
    bpd = digest(engine, Role.BPD, clock)
    assert (head.new, head.open) == (2, 2)
    assert (bpd.new, bpd.open) == (1, 1)
    assert head.sms == "Ringkasan Kades Desa Sukamaju: 2 aduan baru, 2 terbuka, 0 lewat batas, 0 selesai."
    assert "Infrastruktur" in head.whatsapp
    assert "Krajan" in head.whatsapp
    assert "Musdes RKPDes" in head.whatsapp  # the meeting ahead
    assert "Tata kelola" in bpd.whatsapp
    assert "Tata kelola" not in head.whatsapp
    assert digest(engine, Role.BPD, clock, everything=True).open == 3


def test_a_quiet_period_says_so_in_one_line(engine: Engine, demo: None, clock: Clock) -> None:
    clock.advance(days=60)  # after the demo's meetings
    quiet = digest(engine, Role.KADES, clock)
    assert (
        quiet.sms
        == quiet.whatsapp
        == "Ringkasan Kades Desa Sukamaju: tidak ada aduan, rapat, atau pengumuman baru. Terima kasih."
    )


# --- sending at each village's time -----------------------------------------------------------------

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"


@pytest.mark.parametrize(
    ("zone", "at_utc", "daily", "weekday", "expected"),
    [
        # 2026-12-02 is a Wednesday (weekday 2). 07:00 WIB = 00:00 UTC, WITA 23:00 the day before, WIT 22:00.
        (WIB, "2026-12-02T03:00", True, None, [("daily", "2026-12-02T00:00")]),
        (WIB, "2026-12-01T23:59", True, None, [("daily", "2026-12-01T00:00")]),  # before today's 07:00
        (WITA, "2026-12-01T23:30", True, None, [("daily", "2026-12-01T23:00")]),
        (WIT, "2026-12-01T22:00", True, None, [("daily", "2026-12-01T22:00")]),  # exactly on time
        (WIB, "2026-12-02T03:00", True, 2, [("weekly", "2026-12-02T00:00")]),  # weekly replaces daily
        (WIB, "2026-12-02T03:00", False, 2, [("weekly", "2026-12-02T00:00")]),
        (WIB, "2026-12-02T03:00", False, 0, []),  # weekly on Mondays only, no daily
        (WIB, "2026-12-02T03:00", True, 0, [("daily", "2026-12-02T00:00")]),
    ],
)
def test_due_slots_follow_the_village_zone(
    zone: str, at_utc: str, daily: bool, weekday: int | None, expected: list[tuple[str, str]]
) -> None:
    village = Village(code="X", name="Desa X", timezone=zone, digest_daily=daily, digest_weekday=weekday)
    now = datetime.fromisoformat(at_utc).replace(tzinfo=UTC)
    got = [(period.value, due.strftime("%Y-%m-%dT%H:%M")) for period, due in due_slots(village, now)]
    assert got == expected


def send(engine: Engine, now: datetime) -> int:
    with transaction(engine) as session:
        return send_due(
            session=session,
            now=now,
            available=[Channel.CONSOLE, Channel.SMSGATE, Channel.TWILIO_SMS, Channel.TWILIO_WHATSAPP],
            contact_of=lambda s, person, at: staff.ensure_contact(session=s, staff=person, now=at),
        )


def digest_rows(engine: Engine) -> list[Outbox]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(Outbox).where(Outbox.source == OutboxSource.DIGEST).order_by(col(Outbox.id))
            ).all()
        )


def test_digests_go_once_at_the_village_time_to_the_head_and_the_bpd(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    say(client, "+6281234500001", "lampu jalan RT 2 dusun Krajan mati")
    say(client, "+6281234500003", "pak kades tidak pernah ada di kantor, surat terbengkalai")
    seven_tomorrow = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)  # 07:00 WIB
    assert send(engine, clock.now) == 2  # today's 07:00 digest, 3 hours late (the service was down)
    assert send(engine, clock.now) == 0  # once
    assert send(engine, seven_tomorrow - timedelta(minutes=1)) == 0
    digest_rows_today = digest_rows(engine)
    assert len(digest_rows_today) == 2
    assert send(engine, seven_tomorrow) == 2
    assert send(engine, seven_tomorrow + timedelta(minutes=59)) == 0
    rows = digest_rows(engine)[2:]
    with Session(engine) as session:
        head_phone = session.exec(select(Staff.phone).where(Staff.role == Role.KADES)).one()
        bpd_phone = session.exec(select(Staff.phone).where(Staff.role == Role.BPD)).one()
        runs = session.exec(select(DigestRun).order_by(col(DigestRun.id))).all()
    by_recipient = {row.recipient.removeprefix("whatsapp:"): row.body for row in rows}
    assert "1 aduan baru" in by_recipient[head_phone]  # the lamp; not the complaint about him
    assert "1 aduan baru" in by_recipient[bpd_phone]  # only the complaint about the head
    assert [run.period for run in runs] == [DigestPeriod.DAILY] * 4
    assert all(run.channel for run in runs)


def test_one_digest_a_day_when_its_hour_moves_after_it_went(engine: Engine, demo: None) -> None:
    """A later digest_time, or a corrected zone, after today's digest went: not a second one today."""
    seven = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)  # 07:00 WIB
    assert send(engine, seven) == 2
    with transaction(engine) as session:
        session.execute(update(Village).values(digest_time="09:00"))
    assert send(engine, seven + timedelta(hours=2)) == 0
    with transaction(engine) as session:
        session.execute(update(Village).values(digest_time="07:00", timezone="Asia/Makassar"))
    assert send(engine, seven + timedelta(hours=3)) == 0  # 07:00 WITA was 23:00 UTC, an hour before
    assert send(engine, seven + timedelta(hours=23)) == 2  # tomorrow's, at 07:00 WITA
    assert len(digest_rows(engine)) == 4


def test_an_earlier_hour_after_an_evening_digest_still_sends_the_next_days(
    engine: Engine, demo: None
) -> None:
    with transaction(engine) as session:
        session.execute(update(Village).values(digest_time="20:00"))
    assert send(engine, datetime(2026, 12, 3, 13, 0, tzinfo=UTC)) == 2  # 20:00 WIB, 3 Dec
    with transaction(engine) as session:
        session.execute(update(Village).values(digest_time="07:00"))
    assert send(engine, datetime(2026, 12, 4, 0, 0, tzinfo=UTC)) == 2  # 07:00 WIB, 4 Dec: a new day


def test_a_later_hour_or_a_weekly_day_set_after_todays_digest_sends_no_second(
    engine: Engine, demo: None
) -> None:
    seven = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)  # Thursday 07:00 WIB
    with transaction(engine) as session:
        session.execute(update(Village).values(digest_weekday=None, digest_daily=True))
    assert send(engine, seven) == 2
    with transaction(engine) as session:
        session.execute(update(Village).values(digest_time="20:00"))
    assert send(engine, seven + timedelta(hours=13)) == 0  # 20:00 the same day
    with transaction(engine) as session:
        session.execute(update(Village).values(digest_time="07:00", digest_weekday=3))  # Thursday
    assert send(engine, seven + timedelta(hours=1)) == 0  # the weekly on top of today's daily
    assert send(engine, seven + timedelta(days=1)) == 2  # Friday's daily


def test_a_digest_missed_for_longer_than_the_catch_up_is_not_sent_late(engine: Engine, demo: None) -> None:
    seven = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)
    assert send(engine, seven + timedelta(hours=6, minutes=1)) == 0
    assert digest_rows(engine) == []
    assert send(engine, seven + timedelta(days=1, minutes=5)) == 2


def test_a_head_without_a_phone_is_recorded_as_unreachable(engine: Engine, demo: None) -> None:
    with transaction(engine) as session:
        session.execute(update(Staff).where(col(Staff.role) == Role.KADES).values(phone=None))
    assert send(engine, datetime(2026, 12, 3, 0, 0, tzinfo=UTC)) == 2
    with Session(engine) as session:
        head = session.exec(select(DigestRun).join(Staff).where(Staff.role == Role.KADES)).one()
    assert head.channel is None
    assert len(digest_rows(engine)) == 1  # the BPD's


def test_the_scheduler_sends_due_digests_when_it_starts(engine: Engine, demo: None, db_url: str) -> None:
    clock = Clock(datetime(2026, 12, 3, 0, 30, tzinfo=UTC))
    settings = make_settings(db_url, scheduler_chores=True)
    service = SchedulingService(engine, settings, clock=clock)
    service.scheduler.start()
    try:
        for _ in range(100):
            if len(digest_rows(engine)) == 2:
                break
            threading.Event().wait(0.05)
    finally:
        service.scheduler.stop()
    assert len(digest_rows(engine)) == 2


def test_the_head_gets_the_fuller_digest_on_whatsapp_when_he_prefers_it(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    say(client, "+6281234500001", "lampu jalan RT 2 dusun Krajan mati")
    head_row = update(Staff).where(col(Staff.role) == Role.KADES)
    with transaction(engine) as session:
        session.execute(head_row.values(preferred_channel=Channel.TWILIO_WHATSAPP))
    assert send(engine, datetime(2026, 12, 3, 0, 0, tzinfo=UTC)) == 2
    with Session(engine) as session:
        head_phone = session.exec(select(Staff.phone).where(Staff.role == Role.KADES)).one()
    rows = {row.recipient: row for row in digest_rows(engine)}
    head = rows[head_phone]
    assert head.channel == Channel.TWILIO_WHATSAPP
    assert "Per dusun: Krajan 1" in head.body  # the fuller text
    with transaction(engine) as session:
        session.execute(head_row.values(preferred_channel=Channel.SMSGATE))
    assert send(engine, datetime(2026, 12, 4, 0, 0, tzinfo=UTC)) == 2
    sms = next(row for row in digest_rows(engine)[2:] if row.recipient == head_phone)
    assert sms.channel == Channel.SMSGATE
    assert sms.body.startswith("Ringkasan Kades Desa Sukamaju: 0 aduan baru, 1 terbuka")
    assert "\n" not in sms.body  # the short one


def test_the_digest_says_how_far_the_last_broadcasts_reached(
    engine: Engine, demo: None, clock: Clock
) -> None:
    with transaction(engine) as session:
        village = session.exec(select(Village).where(Village.code == "DEMO")).one()
        draft = service.Draft(kind=BroadcastKind.UMUM, title="Kerja bakti", sms_text="Kerja bakti Minggu.")
        broadcast = service.create(
            session=session, village=village, draft=draft, actor="kader:1", now=clock.now
        )
        assert broadcast.id is not None
        fired = runs.fire(
            session=session,
            broadcast_id=broadcast.id,
            now=clock.now,
            available=[Channel.CONSOLE, Channel.SMSGATE],
        )
    assert fired.queued == 8
    with transaction(engine) as session:
        rows = session.exec(
            select(Outbox).where(col(Outbox.run_id).is_not(None)).order_by(col(Outbox.id))
        ).all()
        for row, status in zip(
            rows, [DeliveryStatus.DELIVERED, DeliveryStatus.SENT, DeliveryStatus.READ], strict=False
        ):
            row.status = status
    clock.advance(hours=1)
    assert "Pengumuman terakhir: 3 dari 8 pesan terkirim." in digest(engine, Role.KADES, clock).whatsapp


def test_a_merged_duplicate_is_not_counted_again(client: TestClient, engine: Engine, clock: Clock) -> None:
    say(client, "+6281234500001", "lampu jalan RT 2 dusun Krajan mati")
    say(client, "+6281234500002", "lampu jln RT 2 Krajan mati, gelap")
    say(client, "+6285712300003", "got mampet di dusun Sukamulya")
    clock.advance(hours=1)
    assert digest(engine, Role.KADES, clock).new == 3
    with transaction(engine) as session:
        survivor, duplicate = session.exec(select(Ticket).order_by(col(Ticket.id)).limit(2)).all()
        lifecycle.merge(
            session=session,
            duplicate=duplicate,
            into=survivor,
            actor=lifecycle.Actor("staff:1", Role.KADER),
            now=clock.now,
            routes=VillageRoutes(village_id=survivor.village_id, addresses={}, available=set()),
        )
    head = digest(engine, Role.KADES, clock)
    assert (head.new, head.open) == (2, 2)
    assert head.sms.startswith("Ringkasan Kades Desa Sukamaju: 2 aduan baru, 2 terbuka")


def test_the_operators_digest_is_the_whole_village_under_its_own_name(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    say(client, "+6281234500001", "lampu jalan RT 2 dusun Krajan mati")
    say(client, "+6281234500003", "pak kades tidak pernah ada di kantor, surat terbengkalai")
    clock.advance(hours=1)
    operator = digest(engine, Role.OPERATOR, clock)
    assert (operator.new, operator.open) == (2, 2)  # the complaint about the head included
    assert operator.sms == "Ringkasan Desa Sukamaju: 2 aduan baru, 2 terbuka, 0 lewat batas, 0 selesai."
    assert "Kades" not in operator.whatsapp
    assert (analyse(operator.sms).encoding, analyse(operator.sms).segments) == (Encoding.GSM7, 1)
    # A village with nothing to tell: one line, under its own name too.
    quiet_village = Village(id=10**6, code="SEPI", name="Desa Sepi")
    with Session(engine) as session:
        quiet = compose(
            session=session,
            village=quiet_village,
            role=Role.OPERATOR,
            since=clock.now - timedelta(days=1),
            now=clock.now,
        )
    assert quiet.sms == "Ringkasan Desa Sepi: tidak ada aduan, rapat, atau pengumuman baru. Terima kasih."


# --- a WhatsApp digest that falls back to SMS ---------------------------------------------------------


def test_the_sms_form_of_every_digest_is_its_sms_line(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    quiet = digest(engine, Role.KADES, Clock(clock.now + timedelta(days=60)))  # after the meetings
    assert sms_form(quiet.whatsapp) == quiet.sms == quiet.whatsapp
    say(client, "+6281234500001", "lampu jalan RT 2 dusun Krajan mati")
    say(client, "+6281234500003", "pak kades tidak pernah ada di kantor, surat terbengkalai")
    clock.advance(hours=1)
    for role in (Role.KADES, Role.BPD, Role.OPERATOR):
        busy = digest(engine, role, clock)
        assert busy.whatsapp.count("\n") >= 2, busy.whatsapp  # the fuller text
        assert sms_form(busy.whatsapp) == busy.sms
        assert (analyse(busy.sms).encoding, analyse(busy.sms).segments) == (Encoding.GSM7, 1)


def head_on(engine: Engine, channel: Channel, bpd: Channel = Channel.SMSGATE) -> str:
    """The head prefers `channel`, the BPD chair `bpd`; returns the head's phone."""
    with transaction(engine) as session:
        session.execute(update(Staff).where(col(Staff.role) == Role.KADES).values(preferred_channel=channel))
        session.execute(update(Staff).where(col(Staff.role) == Role.BPD).values(preferred_channel=bpd))
        return session.exec(select(Staff.phone).where(Staff.role == Role.KADES)).one() or ""


def test_a_whatsapp_digest_replaced_by_an_sms_carries_its_sms_form(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    say(client, "+6281234500001", "lampu jalan RT 2 dusun Krajan mati")
    say(client, "+6281234500002", "got mampet di dusun Cibodas, banjir kalau hujan")
    head_phone = head_on(engine, Channel.TWILIO_WHATSAPP)
    assert send(engine, datetime(2026, 12, 3, 0, 0, tzinfo=UTC)) == 2
    [whatsapp] = [row for row in digest_rows(engine) if row.channel == Channel.TWILIO_WHATSAPP]
    assert whatsapp.recipient == head_phone
    assert "Per dusun:" in whatsapp.body
    with transaction(engine) as session:
        sms_id = fallback.queue_sms_instead(
            session=session, outbox_id=whatsapp.id or 0, now=clock.now, channels={Channel.SMSGATE}
        )
    with Session(engine) as session:
        sms = session.get(Outbox, sms_id)
    assert sms is not None
    assert (sms.channel, sms.recipient, sms.fallback_of_id) == (Channel.SMSGATE, head_phone, whatsapp.id)
    assert sms.body == "Ringkasan Kades Desa Sukamaju: 2 aduan baru, 2 terbuka, 0 lewat batas, 0 selesai."
    assert (sms.segments, sms.encoding) == (1, "GSM-7")
    assert "\n" not in sms.body


def test_other_whatsapp_messages_replaced_by_an_sms_keep_their_text() -> None:
    text = "Undangan Musdes: Kamis 19.30 di Balai Desa.\n\nAgenda: RKPDes."
    assert fallback.sms_body(OutboxSource.BROADCAST, text) == text
    assert fallback.sms_body(OutboxSource.TICKET_NOTICE, text) == text
    assert fallback.sms_body(OutboxSource.DIGEST, text) == "Undangan Musdes: Kamis 19.30 di Balai Desa."


PHONE_ID = "100000000000001"  # the demo village's WhatsApp Cloud number


def drain(engine: Engine, meta: FakeMeta, gate: FakeSmsGate, until: float = 30.0) -> None:
    """Run a dispatcher over the real WhatsApp Cloud and gateway adapters until no digest is due."""
    adapters.drain(
        engine,
        lambda http: {
            Channel.WHATSAPP_CLOUD: adapters.whatsapp_adapter(http, meta),
            Channel.SMSGATE: adapters.gateway_adapter(http, gate),
        },
        until=until,
        waiting=lambda e: any(row.status in adapters.WAITING for row in digest_rows(e)),
    )


def test_meta_131047_on_a_whatsapp_digest_brings_its_one_sms_form_end_to_end(
    db_url: str, engine: Engine, demo: None
) -> None:
    """The fake Meta server takes the head's WhatsApp digest (200), then reports it failed with 131047 on
    the signed status webhook; the app queues one SMS instead, and the gateway sends the SMS form."""
    settings = make_settings(
        db_url,
        whatsapp_app_secret=META_SECRET,
        whatsapp_access_token=META_TOKEN,
        smsgate_signing_key=GATE_KEY,
        smsgate_url="http://127.0.0.1:9/3rdparty/v1",  # configured: the app may fall back to it
    )
    app = create_app(settings, engine=engine)
    head_phone = head_on(engine, Channel.WHATSAPP_CLOUD)
    with (
        serve(app) as live,
        FakeMeta(
            META_TOKEN,
            app_secret=META_SECRET,
            phone_number_id=PHONE_ID,
            webhook_url=live + "/webhooks/whatsapp",
        ) as meta,
        FakeSmsGate(GATE_USER, GATE_PASSWORD, signing_key=GATE_KEY) as gate,
    ):
        for text in ("lampu jalan RT 2 dusun Krajan mati", "got mampet di dusun Cibodas"):
            sent = httpx.post(
                live + "/webhooks/console",
                json={"from": "+6281234500001", "to": "+62800000001", "text": text},
            )
            assert sent.status_code == 200
        now = utcnow()
        with transaction(engine) as session:
            village = session.exec(select(Village).where(Village.code == "DEMO")).one()
            head = session.exec(select(Staff).where(Staff.role == Role.KADES)).one()
            contact_id = staff.ensure_contact(session=session, staff=head, now=now)
            # He wrote on WhatsApp an hour ago: we think the window is open; WhatsApp says otherwise.
            session.execute(
                update(Contact)
                .where(col(Contact.id) == contact_id)
                .values(whatsapp_last_inbound_at=now - timedelta(hours=1))
            )
            routes = runs.village_routes(
                session=session, village=village, available=[Channel.WHATSAPP_CLOUD, Channel.SMSGATE]
            )
            run = deliver(
                session=session,
                village=village,
                staff=head,
                period=DigestPeriod.ON_DEMAND,
                due_at=now,
                now=now,
                contact_id=contact_id,
                routes=routes,
            )
            assert run is not None
            assert run.channel == Channel.WHATSAPP_CLOUD
        meta.fail_for(head_phone, 131047)
        drain(engine, meta, gate)
        [accepted] = meta.accepted
        assert "Per dusun:" in accepted.body  # the fuller text went to WhatsApp
        meta.emit_pending()  # sent, then failed 131047, signed, to the app's webhook
        drain(engine, meta, gate)
        [sms_sent] = gate.accepted
    [whatsapp, sms] = digest_rows(engine)
    assert (whatsapp.channel, whatsapp.status, whatsapp.error_code, whatsapp.failure_reason) == (
        Channel.WHATSAPP_CLOUD,
        DeliveryStatus.FAILED,
        "131047",
        FailureReason.OUTSIDE_WINDOW,
    )
    expected = "Ringkasan Kades Desa Sukamaju: 2 aduan baru, 2 terbuka, 0 lewat batas, 0 selesai."
    assert (sms.channel, sms.fallback_of_id, sms.status) == (
        Channel.SMSGATE,
        whatsapp.id,
        DeliveryStatus.SENT,
    )
    assert sms.body == expected
    assert sms.body == sms_form(whatsapp.body)
    assert (sms.segments, sms.encoding) == (1, "GSM-7")
    assert (sms_sent.to, sms_sent.body) == (head_phone, expected)
