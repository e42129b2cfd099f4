"""A meeting announced, moved and cancelled, end to end through the console channel."""

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.db import transaction
from broadcasts import meetings, runs
from broadcasts.sms import analyse
from models import (
    Broadcast,
    BroadcastStatus,
    Channel,
    DeliveryStatus,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Outbox,
    Village,
)
from tests.conftest import T0
from tests.fakes import adapters

KRAJAN = {1, 2, 7}  # the demo residents living in Dusun Krajan


def village(session: Session) -> Village:
    return session.exec(select(Village).where(Village.code == "DEMO")).one()


def musdus(starts_at: datetime) -> Meeting:
    return Meeting(
        village_id=1,
        kind=MeetingKind.MUSDUS,
        title="Musdus Krajan",
        starts_at=starts_at,
        place="Mushola Al-Ikhlas",
        agenda="Usulan RKPDes",
        dusun="Krajan",
    )


def fire_due(engine: Engine, now: datetime) -> None:
    """What the scheduler does at `now`: fire every broadcast due by then."""
    with Session(engine) as session:
        due = session.exec(
            select(Broadcast.id).where(
                Broadcast.status == BroadcastStatus.SCHEDULED, col(Broadcast.next_run_at) <= now
            )
        ).all()
    for broadcast_id in due:
        assert broadcast_id is not None
        with transaction(engine) as session:
            runs.fire(session=session, broadcast_id=broadcast_id, now=now, available={Channel.CONSOLE})


def deliver(engine: Engine, now: datetime = T0, at_most: int | None = None) -> None:
    adapters.deliver(engine, now, at_most)


def received(engine: Engine) -> dict[int, list[str]]:
    """What each resident has been handed, in order (withdrawn and queued messages are not)."""
    inbox: dict[int, list[str]] = defaultdict(list)
    with Session(engine) as session:
        for row in session.exec(select(Outbox).order_by(col(Outbox.sent_at), col(Outbox.id))).all():
            if row.status not in (DeliveryStatus.QUEUED, DeliveryStatus.CANCELLED):
                inbox[row.contact_id].append(row.body)
    return dict(inbox)


def withdrawn(engine: Engine) -> dict[int, list[str]]:
    inbox: dict[int, list[str]] = defaultdict(list)
    with Session(engine) as session:
        for row in session.exec(select(Outbox).where(Outbox.status == DeliveryStatus.CANCELLED)).all():
            inbox[row.contact_id].append(row.body)
    return dict(inbox)


def test_announced_moved_and_cancelled(engine: Engine, demo: None) -> None:
    starts = datetime(2026, 12, 12, 8, 0, tzinfo=UTC)  # Saturday 12 December 15.00 WIB
    with transaction(engine) as session:
        made = meetings.create(
            session=session, village=village(session), meeting=musdus(starts), actor="kader:1", now=T0
        )
        meeting_id = made[0].meeting_id
    assert [b.meeting_key for b in made] == ["announce", "d-3", "d-1", "h-2"]
    assert [b.next_run_at for b in made[1:]] == [
        datetime(2026, 12, 9, 1, 0, tzinfo=UTC),  # 08.00 WIB three days before
        datetime(2026, 12, 11, 1, 0, tzinfo=UTC),  # 08.00 WIB the day before
        datetime(2026, 12, 12, 6, 0, tzinfo=UTC),  # two hours before
    ]
    fire_due(engine, T0)
    deliver(engine)
    inbox = received(engine)
    assert set(inbox) == KRAJAN  # a Musdus is for its dusun
    assert inbox[1] == [
        "Undangan Musdus Krajan: Sabtu 12 Des 15.00 WIB di Mushola Al-Ikhlas. "
        "Agenda: Usulan RKPDes. Mohon hadir."
    ]

    later = T0 + timedelta(days=1)
    new_start = datetime(2026, 12, 13, 8, 0, tzinfo=UTC)
    with transaction(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        correction = meetings.move(
            session=session,
            village=village(session),
            meeting=meeting,
            starts_at=new_start,
            actor="kader:1",
            now=later,
        )
        assert correction is not None
    fire_due(engine, later)
    deliver(engine, later)
    assert received(engine)[2][-1] == (
        "Perubahan jadwal: Musdus Krajan dipindah ke Minggu 13 Des 15.00 WIB di Mushola Al-Ikhlas. "
        "Mohon maaf atas perubahan ini."
    )
    with Session(engine) as session:
        plan = session.exec(
            select(Broadcast).where(
                Broadcast.meeting_id == meeting_id, Broadcast.status == BroadcastStatus.SCHEDULED
            )
        ).all()
    assert sorted((b.meeting_key, b.next_run_at) for b in plan) == [
        ("d-1", datetime(2026, 12, 12, 1, 0, tzinfo=UTC)),
        ("d-3", datetime(2026, 12, 10, 1, 0, tzinfo=UTC)),
        ("h-2", datetime(2026, 12, 13, 6, 0, tzinfo=UTC)),
    ]

    d3 = datetime(2026, 12, 10, 1, 0, 5, tzinfo=UTC)
    fire_due(engine, d3)
    deliver(engine, d3)
    assert received(engine)[7][-1].startswith("Pengingat Musdus Krajan: Minggu 13 Des 15.00 WIB")

    with transaction(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        meetings.cancel(session=session, village=village(session), meeting=meeting, actor="kader:1", now=d3)
        assert meeting.status == MeetingStatus.CANCELLED
    fire_due(engine, d3 + timedelta(seconds=5))
    fire_due(engine, datetime(2026, 12, 14, tzinfo=UTC))  # nothing else may go out, even much later
    deliver(engine, datetime(2026, 12, 14, tzinfo=UTC))
    inbox = received(engine)
    assert set(inbox) == KRAJAN
    for messages in inbox.values():
        assert len(messages) == 4  # invitation, correction, one reminder, cancellation
        assert messages[-1] == (
            "Musdus Krajan yg dijadwalkan Minggu 13 Des 15.00 WIB DIBATALKAN. "
            "Jadwal baru akan diumumkan. Mohon maaf."
        )


OLD_DATE, NEW_DATE = "Sabtu 12 Des 15.00 WIB", "Minggu 13 Des 15.00 WIB"


def announce_and_fire(engine: Engine) -> int:
    """A Musdus Krajan on Saturday 12 December, its invitation fired (queued, not yet handed over)."""
    starts = datetime(2026, 12, 12, 8, 0, tzinfo=UTC)
    with transaction(engine) as session:
        made = meetings.create(
            session=session, village=village(session), meeting=musdus(starts), actor="kader:1", now=T0
        )
    fire_due(engine, T0)
    meeting_id = made[0].meeting_id
    assert meeting_id is not None
    return meeting_id


def move_to_sunday(engine: Engine, meeting_id: int, now: datetime) -> None:
    with transaction(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        meetings.move(
            session=session,
            village=village(session),
            meeting=meeting,
            starts_at=datetime(2026, 12, 13, 8, 0, tzinfo=UTC),
            actor="kader:1",
            now=now,
        )


def test_a_move_withdraws_the_invitation_no_provider_has_yet(engine: Engine, demo: None) -> None:
    # The gateway phone paces the invitation out: one of three has gone when the cadre moves the
    # meeting. That one resident gets the correction; the other two only the invitation with the new
    # date; nobody ever gets the old date after the new one.
    meeting_id = announce_and_fire(engine)
    deliver(engine, at_most=1)
    (first,) = received(engine)
    move_to_sunday(engine, meeting_id, T0 + timedelta(minutes=5))
    fire_due(engine, T0 + timedelta(minutes=5))
    deliver(engine, T0 + timedelta(minutes=5))
    inbox = received(engine)
    assert set(inbox) == KRAJAN
    assert OLD_DATE in inbox[first][0]
    assert inbox[first][1].startswith(f"Perubahan jadwal: Musdus Krajan dipindah ke {NEW_DATE}")
    for contact in KRAJAN - {first}:
        assert inbox[contact] == [
            f"Undangan Musdus Krajan: {NEW_DATE} di Mushola Al-Ikhlas. Agenda: Usulan RKPDes. Mohon hadir."
        ]
        assert OLD_DATE in withdrawn(engine)[contact][0]  # the old one was withdrawn, not sent
    for messages in inbox.values():
        dates = [OLD_DATE if OLD_DATE in m else NEW_DATE for m in messages if OLD_DATE in m or NEW_DATE in m]
        assert dates == sorted(dates, key=[OLD_DATE, NEW_DATE].index), messages


def test_a_cancellation_withdraws_the_invitation_and_tells_only_those_it_reached(
    engine: Engine, demo: None
) -> None:
    meeting_id = announce_and_fire(engine)
    deliver(engine, at_most=1)
    (first,) = received(engine)
    now = T0 + timedelta(minutes=5)
    with transaction(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        meetings.cancel(session=session, village=village(session), meeting=meeting, actor="kader:1", now=now)
    fire_due(engine, now)
    fire_due(engine, datetime(2026, 12, 14, tzinfo=UTC))
    deliver(engine, datetime(2026, 12, 14, tzinfo=UTC))
    inbox = received(engine)
    assert set(inbox) == {first}  # the others hear nothing: they never heard of it
    assert len(inbox[first]) == 2
    assert "DIBATALKAN" in inbox[first][1]


def test_reminders_already_past_are_skipped_not_sent_late(engine: Engine, demo: None) -> None:
    soon = T0 + timedelta(minutes=90)
    with transaction(engine) as session:
        made = meetings.create(
            session=session, village=village(session), meeting=musdus(soon), actor="kader:1", now=T0
        )
    assert [b.meeting_key for b in made] == ["announce"]


def test_nobody_told_yet_gets_no_correction_only_the_new_plan(engine: Engine, demo: None) -> None:
    starts = datetime(2026, 12, 20, 8, 0, tzinfo=UTC)
    with transaction(engine) as session:
        meeting = musdus(starts)
        meetings.create(session=session, village=village(session), meeting=meeting, actor="kader:1", now=T0)
        correction = meetings.move(
            session=session,
            village=village(session),
            meeting=meeting,
            starts_at=starts + timedelta(days=1),
            actor="kader:1",
            now=T0,
        )
    assert correction is None
    with Session(engine) as session:
        keys = session.exec(
            select(Broadcast.meeting_key).where(Broadcast.status == BroadcastStatus.SCHEDULED)
        ).all()
    assert sorted(k or "" for k in keys) == ["announce", "d-1", "d-3", "h-2"]


def announcement(engine: Engine, agenda: str, title: str = "Musdus Krajan") -> str:
    """The invitation's SMS text for a Musdus Krajan with this agenda."""
    meeting = musdus(datetime(2026, 12, 12, 8, 0, tzinfo=UTC))
    meeting.agenda, meeting.title = agenda, title
    with transaction(engine) as session:
        made = meetings.create(
            session=session, village=village(session), meeting=meeting, actor="kader:1", now=T0
        )
        return made[0].sms_text


def test_an_invitation_without_an_agenda_leaves_the_agenda_out(engine: Engine, demo: None) -> None:
    bare = "Undangan Musdus Krajan: Sabtu 12 Des 15.00 WIB di Mushola Al-Ikhlas. Mohon hadir."
    for agenda in ("", "  ", "-", " - "):
        assert announcement(engine, agenda) == bare, agenda
    assert announcement(engine, "Usulan RKPDes.") == (
        "Undangan Musdus Krajan: Sabtu 12 Des 15.00 WIB di Mushola Al-Ikhlas. Agenda: Usulan RKPDes. "
        "Mohon hadir."
    )


def test_a_long_agenda_is_cut_so_the_invitation_stays_one_sms(engine: Engine, demo: None) -> None:
    agenda = "usulan RKPDes 2027, penetapan prioritas pembangunan jalan desa, posyandu, irigasi dan lain-lain"
    text = announcement(engine, agenda)
    assert analyse(text).segments == 1, (len(text), text)
    assert text.startswith(
        "Undangan Musdus Krajan: Sabtu 12 Des 15.00 WIB di Mushola Al-Ikhlas. Agenda: usulan RKPDes"
    )
    assert text.endswith(" dll. Mohon hadir.")
    # An invitation already longer than one SMS without its agenda gets no more parts from it.
    title = "Musdus Krajan " + "tahap satu " * 12
    bare = analyse(announcement(engine, "", title)).segments
    assert analyse(announcement(engine, agenda, title)).segments == bare == 2
