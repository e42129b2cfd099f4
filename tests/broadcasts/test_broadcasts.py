"""Broadcasts over real SQLite and PostgreSQL: audiences, fan-out, firing, cancelling, reports."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert, update
from sqlmodel import Session, col, select

from bot.db import transaction
from broadcasts import runs, service
from broadcasts.audience import Audience, count
from broadcasts.fanout import Message, VillageRoutes, fan_out
from broadcasts.runs import FireOutcome
from models import (
    Broadcast,
    BroadcastEvent,
    BroadcastKind,
    BroadcastRun,
    BroadcastStatus,
    Channel,
    Contact,
    ContactIdentity,
    DeliveryStatus,
    Lane,
    Outbox,
    RunStatus,
    Village,
)
from models.errors import BadRequest, Conflict, NotFound
from models.tables import CONTACT, GROUP, MEMBER, TOPIC
from tests.conftest import T0

ALL_CHANNELS = set(Channel)
# The demo residents (bot/demo.py): 1-3, 7 in Krajan RW 1; 3-4 Sukamulya RW 2; 5, 6, 8 Cibodas RW 3.


def demo_village(engine: Engine) -> Village:
    with Session(engine) as session:
        return session.exec(select(Village).where(Village.code == "DEMO")).one()


def chosen(engine: Engine, audience: Audience) -> int:
    with Session(engine) as session:
        return count(session=session, village_id=1, audience=audience)


def test_only_subscribers_are_ever_chosen(engine: Engine, demo: None) -> None:
    assert chosen(engine, Audience()) == 8
    with transaction(engine) as session:
        session.execute(update(Contact).where(col(Contact.id) == 2).values(subscription="unsubscribed"))
    assert chosen(engine, Audience()) == 7
    assert chosen(engine, Audience(contacts=(2,))) == 0  # naming someone does not override their wish


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (Audience(dusun=("krajan",)), 3),
        (Audience(dusun=("Krajan", "Cibodas")), 6),
        (Audience(rw=(2,)), 2),
        (Audience(dusun=("Cibodas",), rt=(1, 3)), 2),
        (Audience(contacts=(1, 5)), 2),
        (Audience(dusun=("Sukamulya",), contacts=(1,)), 3),
        (Audience(exclude=(1, 2)), 6),
        (Audience(dusun=("Nowhere",)), 0),
    ],
)
def test_audience_by_place_names_and_exclusions(
    engine: Engine, demo: None, audience: Audience, expected: int
) -> None:
    assert chosen(engine, audience) == expected


def test_audience_by_topic_tag_and_group(engine: Engine, demo: None) -> None:
    with transaction(engine) as session:
        connection = session.connection()
        connection.execute(
            insert(TOPIC),
            [{"contact_id": 1, "topic": "jadwal"}, {"contact_id": 2, "topic": "dana_desa"}],
        )
        connection.execute(update(CONTACT).where(CONTACT.c.id.in_([3, 4])).values(tags="ketua_rt,posyandu"))
        group = connection.execute(insert(GROUP).values(village_id=1, name="Kader")).inserted_primary_key[0]
        connection.execute(insert(MEMBER), [{"group_id": group, "contact_id": 6}])
    # Topics: contacts who chose none get everything; contact 2 chose only dana_desa.
    assert chosen(engine, Audience(topics=("jadwal",))) == 7
    assert chosen(engine, Audience(tags=("posyandu",))) == 2
    assert chosen(engine, Audience(groups=(group,))) == 1


def routes(engine: Engine) -> VillageRoutes:
    with Session(engine) as session:
        return runs.village_routes(session=session, village=demo_village(engine), available=ALL_CHANNELS)


def test_fan_out_personalises_routes_and_is_idempotent(engine: Engine, demo: None) -> None:
    with transaction(engine) as session:
        session.execute(
            update(Contact).where(col(Contact.id) == 4).values(name=None, preferred_channel="smsgate")
        )
    message = Message(
        kind=BroadcastKind.MUSDES,
        sms_text="Yth. {nama} ({dusun}): Musdes {tanggal} di {tempat}.",
        whatsapp_text="Yth. {nama}, Musdes *{tanggal}* di {tempat}.",
        template_name="HX0123456789abcdef0123456789abcdef",
        template_variables=("{nama}", "{tanggal}"),
        values={"tanggal": "Sabtu 12 Des", "tempat": "Balai Desa"},
    )
    for _ in range(2):
        with transaction(engine) as session:
            result = fan_out(
                session=session,
                run_id=99,
                message=message,
                audience=Audience(),
                village=routes(engine),
                now=T0,
            )
    assert result.recipients == 8
    assert result.queued == 0  # the second fan-out of the same run adds nothing
    with Session(engine) as session:
        rows = {r.contact_id: r for r in session.exec(select(Outbox).where(Outbox.run_id == 99)).all()}
    assert len(rows) == 8
    assert rows[4].channel == Channel.SMSGATE
    assert rows[4].body == "Yth. Bapak/Ibu (Sukamulya): Musdes Sabtu 12 Des di Balai Desa."
    assert rows[4].template_name is None  # templates are for WhatsApp
    whatsapp = rows[1]  # the demo's first resident prefers Twilio WhatsApp
    assert whatsapp.channel == Channel.TWILIO_WHATSAPP
    assert whatsapp.body == "Yth. Pak Slamet, Musdes *Sabtu 12 Des* di Balai Desa."
    assert whatsapp.template_variables == ["Pak Slamet", "Sabtu 12 Des"]
    assert {r.lane for r in rows.values()} == {Lane.BULK}
    assert rows[4].segments == 1
    assert rows[4].estimated_cost == 350


def test_emergencies_take_the_urgent_lane_and_unreachable_are_counted(engine: Engine, demo: None) -> None:
    with transaction(engine) as session:
        session.execute(
            update(ContactIdentity).where(col(ContactIdentity.contact_id) == 8).values(kind="whatsapp_user")
        )
    village = VillageRoutes(
        village_id=1, addresses={Channel.SMSGATE: "demo-phone"}, available={Channel.SMSGATE}
    )
    message = Message(
        kind=BroadcastKind.DARURAT, sms_text="BANJIR: warga bantaran kali segera mengungsi ke balai desa."
    )
    with transaction(engine) as session:
        result = fan_out(
            session=session, run_id=7, message=message, audience=Audience(), village=village, now=T0
        )
    assert (result.recipients, result.queued, result.unreachable) == (8, 7, 1)
    with Session(engine) as session:
        lanes = set(session.exec(select(Outbox.lane).where(Outbox.run_id == 7)).all())
    assert lanes == {Lane.URGENT}


def draft(**overrides: object) -> service.Draft:
    values: dict[str, object] = {
        "kind": BroadcastKind.UMUM,
        "title": "Kerja bakti",
        "sms_text": "Kerja bakti Minggu {tanggal} pukul 07.00 di balai desa. Terima kasih.",
        "send_at": T0 + timedelta(hours=1),
        **overrides,
    }
    return service.Draft(**values)  # type: ignore[arg-type]


def create(engine: Engine, **overrides: object) -> int:
    with transaction(engine) as session:
        broadcast = service.create(
            session=session, village=demo_village(engine), draft=draft(**overrides), actor="kader:1", now=T0
        )
        assert broadcast.id is not None
        return broadcast.id


def fire(engine: Engine, broadcast_id: int, now: datetime) -> runs.FireResult:
    with transaction(engine) as session:
        return runs.fire(session=session, broadcast_id=broadcast_id, now=now, available=ALL_CHANNELS)


def test_a_broadcast_fires_once_when_due(engine: Engine, demo: None) -> None:
    broadcast_id = create(engine)
    assert fire(engine, broadcast_id, T0).outcome == FireOutcome.SKIPPED  # not yet due
    result = fire(engine, broadcast_id, T0 + timedelta(hours=1, seconds=2))
    assert (result.outcome, result.queued, result.next_run_at) == (FireOutcome.SENT, 8, None)
    assert fire(engine, broadcast_id, T0 + timedelta(hours=2)).outcome == FireOutcome.SKIPPED
    with Session(engine) as session:
        broadcast = session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        assert broadcast.status == BroadcastStatus.SENT
        [run] = session.exec(select(BroadcastRun)).all()
        bodies = set(session.exec(select(Outbox.body).where(Outbox.run_id == run.id)).all())
    assert run.status == RunStatus.DONE
    assert bodies == {"Kerja bakti Minggu 2 Des 2026 pukul 07.00 di balai desa. Terima kasih."}


def test_quiet_hours_hold_and_emergencies_do_not_wait(engine: Engine, demo: None) -> None:
    night = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)  # 22:00 WIB
    quiet = create(engine, send_at=night)
    urgent = create(
        engine, kind=BroadcastKind.DARURAT, send_at=night, sms_text="Banjir! Mengungsi ke balai desa."
    )
    held = fire(engine, quiet, night)
    assert held.outcome == FireOutcome.HELD
    assert held.next_run_at == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # 06:00 WIB
    assert fire(engine, urgent, night).outcome == FireOutcome.SENT
    assert fire(engine, quiet, datetime(2026, 12, 2, 23, 0, 5, tzinfo=UTC)).outcome == FireOutcome.SENT


def test_a_run_past_the_grace_is_missed_not_sent_late(engine: Engine, demo: None) -> None:
    broadcast_id = create(engine)
    result = fire(engine, broadcast_id, T0 + timedelta(hours=3))
    assert result.outcome == FireOutcome.MISSED
    with Session(engine) as session:
        assert session.exec(select(Outbox)).all() == []
        broadcast = session.get(Broadcast, broadcast_id)
        assert broadcast is not None
        assert broadcast.status == BroadcastStatus.MISSED


def test_recurring_broadcasts_plan_their_next_run(engine: Engine, demo: None) -> None:
    first_monday = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 7 December 08:00 WIB
    broadcast_id = create(engine, send_at=first_monday, rrule="FREQ=MONTHLY;BYDAY=1MO;COUNT=3")
    result = fire(engine, broadcast_id, first_monday + timedelta(seconds=1))
    assert result.next_run_at == datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
    result = fire(engine, broadcast_id, datetime(2027, 1, 4, 1, 0, 1, tzinfo=UTC))
    assert result.next_run_at == datetime(2027, 2, 1, 1, 0, tzinfo=UTC)
    assert fire(engine, broadcast_id, datetime(2027, 2, 1, 1, 0, 1, tzinfo=UTC)).next_run_at is None


def test_validation_says_what_is_wrong(engine: Engine, demo: None) -> None:
    with pytest.raises(BadRequest, match="in the past"):
        create(engine, send_at=T0 - timedelta(minutes=1))
    with pytest.raises(BadRequest, match="kosong"):
        create(engine, sms_text="   ")
    with pytest.raises(BadRequest, match="nam"):
        create(engine, sms_text="Yth. {nam}, rapat besok.")
    with pytest.raises(BadRequest):
        create(engine, rrule="FREQ=WEEKLY")  # no end


def test_approval_and_cancel_and_stop_in_flight(engine: Engine, demo: None) -> None:
    with transaction(engine) as session:
        broadcast = service.create(
            session=session,
            village=demo_village(engine),
            draft=draft(kind=BroadcastKind.KEPUTUSAN),
            actor="kader:1",
            now=T0,
            needs_approval={BroadcastKind.KEPUTUSAN},
        )
        assert broadcast.status == BroadcastStatus.PENDING_APPROVAL
        with pytest.raises(Conflict, match="someone other"):
            service.approve(session=session, broadcast=broadcast, actor="kader:1", now=T0)
        service.approve(session=session, broadcast=broadcast, actor="kades:2", now=T0)
        broadcast_id = broadcast.id
    assert broadcast_id is not None
    fire(engine, broadcast_id, T0 + timedelta(hours=1))
    with transaction(engine) as session:  # two went out before the stop
        session.execute(
            update(Outbox).where(col(Outbox.contact_id).in_([1, 2])).values(status="sent", status_rank=2)
        )
    with transaction(engine) as session:
        stored = service.get(session=session, village_id=1, broadcast_id=broadcast_id)
        assert service.cancel(session=session, broadcast=stored, actor="kader:1", now=T0) == 6
        with pytest.raises(NotFound):
            service.get(session=session, village_id=2, broadcast_id=broadcast_id)
    with Session(engine) as session:
        stored = session.get(Broadcast, broadcast_id)
        assert stored is not None
        report = service.report(session=session, broadcast=stored)
        actions = session.exec(
            select(BroadcastEvent.action).where(BroadcastEvent.broadcast_id == broadcast_id)
        ).all()
    assert report.by_status == {DeliveryStatus.SENT: 2, DeliveryStatus.CANCELLED: 6}
    assert report.failed_by_reason == {"cancelled": 6}
    assert report.cost == 0  # both went by WhatsApp inside the window: free (an SMS would be Rp350)
    assert list(actions) == ["created", "approved", "fired", "cancelled"]


def test_preview_counts_channels_window_cost_and_fix(engine: Engine, demo: None) -> None:
    from broadcasts.dispatcher import DEFAULT_RATES
    from broadcasts.preview import preview

    text = "“Kerja bakti” Minggu pagi di balai desa."  # curly quotes force UCS-2 until fixed
    with Session(engine) as session:
        # Nobody has written on WhatsApp lately: the five WhatsApp residents are outside the window.
        with_template = preview(
            session=session,
            village=routes(engine),
            audience=Audience(),
            sms_text=text,
            whatsapp_text=None,
            template_name="HX0123456789abcdef0123456789abcdef",
            rates=DEFAULT_RATES,
            now=T0,
        )
        without = preview(
            session=session,
            village=routes(engine),
            audience=Audience(),
            sms_text=text,
            whatsapp_text=None,
            template_name=None,
            rates=DEFAULT_RATES,
            now=T0,
        )
    assert dict(with_template.counts.recipients) == {Channel.TWILIO_WHATSAPP: 5, Channel.SMSGATE: 3}
    assert with_template.counts.outside_window_template == 5
    assert with_template.estimate.cost == 5 * 400 + 3 * 350  # templates, and one GSM-7 segment each
    assert dict(without.counts.recipients) == {Channel.SMSGATE: 8}
    assert without.counts.outside_window_sms == 5
    assert without.estimate.cost == 8 * 350
    assert without.sms.unicode_chars == ("“", "”")
    assert without.sms.fixed_text == '"Kerja bakti" Minggu pagi di balai desa.'
    assert without.sms.fixed_segments == 1
    assert "8 penerima" in without.summary


@pytest.mark.parametrize(
    ("zone", "fired_utc", "expect"),
    [
        # 21:30 local is quiet everywhere; the run waits for 06:00 local.
        ("Asia/Jakarta", datetime(2026, 12, 2, 14, 30, tzinfo=UTC), datetime(2026, 12, 2, 23, 0, tzinfo=UTC)),
        (
            "Asia/Makassar",
            datetime(2026, 12, 2, 13, 30, tzinfo=UTC),
            datetime(2026, 12, 2, 22, 0, tzinfo=UTC),
        ),
        (
            "Asia/Jayapura",
            datetime(2026, 12, 2, 12, 30, tzinfo=UTC),
            datetime(2026, 12, 2, 21, 0, tzinfo=UTC),
        ),
        # 20:59 local still goes.
        ("Asia/Makassar", datetime(2026, 12, 2, 12, 59, tzinfo=UTC), None),
        # Friday 12:00 local is the midday prayer: it waits until 13:00 local.
        ("Asia/Jayapura", datetime(2026, 12, 4, 3, 0, tzinfo=UTC), datetime(2026, 12, 4, 4, 0, tzinfo=UTC)),
    ],
)
def test_quiet_hours_and_prayer_in_each_zone(
    engine: Engine, demo: None, zone: str, fired_utc: datetime, expect: datetime | None
) -> None:
    with transaction(engine) as session:
        session.execute(update(Village).where(col(Village.code) == "DEMO").values(timezone=zone))
    broadcast_id = create(engine, send_at=fired_utc)
    result = fire(engine, broadcast_id, fired_utc)
    if expect is None:
        assert result.outcome == FireOutcome.SENT
    else:
        assert (result.outcome, result.next_run_at) == (FireOutcome.HELD, expect)


def test_a_zone_correction_waits_for_a_firing_in_flight_and_keeps_its_advance(
    engine: Engine, demo: None, db_url: str
) -> None:
    """PostgreSQL: the scheduler is firing today's run of a daily series (row locked, advanced to
    tomorrow, not yet committed) when the operator corrects the zone. The correction waits for it and
    moves tomorrow's run; it must not re-arm today's, which would send it twice."""
    import threading
    import time

    from handlers import villages

    if not db_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's; SQLite has one writer at a time")
    now = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 08.00 WIB
    with transaction(engine) as session:
        village = session.exec(select(Village).where(Village.code == "DEMO")).one()
        draft = service.Draft(
            kind=BroadcastKind.UMUM,
            title="Harian",
            sms_text="Harian.",
            send_at=datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
            rrule="FREQ=DAILY;COUNT=30",
        )
        broadcast_id = service.create(
            session=session, village=village, draft=draft, actor="kader:1", now=now - timedelta(minutes=1)
        ).id
    firing = Session(engine)
    row = firing.get(Broadcast, broadcast_id, with_for_update=True)
    assert row is not None
    row.planned_at = row.next_run_at = now + timedelta(days=1)
    firing.flush()

    def correct_zone() -> None:
        with transaction(engine) as session:
            village = session.exec(select(Village).where(Village.code == "DEMO")).one()
            villages.update_settings(
                session=session, village=village, changes={"timezone": "Asia/Makassar"}, now=now
            )

    correction = threading.Thread(target=correct_zone)
    correction.start()
    time.sleep(0.5)  # the correction now waits for the row
    firing.commit()
    firing.close()
    correction.join(10)
    with Session(engine) as session:
        after = session.get(Broadcast, broadcast_id)
        assert after is not None
        assert after.next_run_at == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # tomorrow 08.00 WITA
