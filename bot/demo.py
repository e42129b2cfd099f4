"""The demo village (docs/architecture.md): Desa Sukamaju, with real-looking data to show every answer."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot.auth import create_token
from handlers import staff as staff_people
from models import (
    Area,
    AreaKind,
    BudgetDirection,
    BudgetLine,
    Channel,
    ConsentEvent,
    Contact,
    ContactIdentity,
    Decision,
    DecisionKind,
    IdentityKind,
    Meeting,
    MeetingKind,
    Programme,
    Role,
    Service,
    Staff,
    SubscriptionState,
    Village,
    VillageAddress,
)

DEMO_CODE = "DEMO"
DEMO_NUMBER = "+62800000001"
DEMO_ZONE = "Asia/Jakarta"

DUSUN = {"Krajan": (1, [1, 2, 3]), "Sukamulya": (2, [1, 2]), "Cibodas": (3, [1, 2, 3])}

RESIDENTS = [
    ("Pak Slamet", "+6281234500001", "Krajan", 1, 2),
    ("Bu Sri Wahyuni", "+6281234500002", "Krajan", 1, 3),
    ("Mas Agus", "+6285712300003", "Sukamulya", 2, 1),
    ("Bu Yati", "+6287812300004", "Sukamulya", 2, 2),
    ("Kang Ujang", "+6281312300005", "Cibodas", 3, 1),
    ("Teh Euis", "+6282112300006", "Cibodas", 3, 3),
    ("Pak Wayan", "+6281912300007", "Krajan", 1, 1),
    ("Mbak Rina", "+6289512300008", "Cibodas", 3, 2),
]

DEMO_STAFF_PIN = "1234"  # printed by `kentongan demo`; a real village's staff get theirs from the operator
STAFF = [
    ("Siti Rahma (KPMD)", Role.KADER, "+6281300000002"),
    ("Bapak Darmawan (Kepala Desa)", Role.KADES, "+6281300000003"),
    ("Ibu Wulandari (Ketua BPD)", Role.BPD, "+6281300000004"),
]

ADDRESSES = [
    (Channel.CONSOLE, DEMO_NUMBER),
    (Channel.TWILIO_SMS, DEMO_NUMBER),
    (Channel.TWILIO_WHATSAPP, DEMO_NUMBER),
    (Channel.WHATSAPP_CLOUD, "100000000000001"),
    (Channel.SMSGATE, "demo-phone"),
]


@dataclass(frozen=True)
class DemoMeeting:
    """A meeting `days` from today (negative: past), at hour:minute in the village's zone."""

    kind: MeetingKind
    title: str
    days: int
    hour: int
    minute: int
    place: str
    agenda: str
    dusun: str | None = None


MEETINGS = [
    DemoMeeting(
        MeetingKind.MUSDES_RKPDES,
        "Musdes RKPDes",
        10,
        19,
        30,
        "Balai Desa Sukamaju",
        "Penyusunan RKPDes tahun depan dan usulan prioritas pembangunan",
    ),
    DemoMeeting(
        MeetingKind.MUSDUS,
        "Musdus Krajan",
        4,
        15,
        0,
        "Mushola Al-Ikhlas Krajan",
        "Usulan dusun Krajan untuk RKPDes",
        dusun="Krajan",
    ),
    DemoMeeting(
        MeetingKind.MUSDES,
        "Musdes Penetapan Sanksi Sampah",
        -40,
        19,
        0,
        "Balai Desa Sukamaju",
        "Aturan dan sanksi pembuangan sampah ke sungai",
    ),
]
PAST_MEETING = 2  # the index in MEETINGS of the one that agreed the first two decisions

# (kind, title, text, agreed in the past meeting, days ago it took effect)
DECISIONS = [
    (
        DecisionKind.SANKSI,
        "Denda Rp50.000 buang sampah ke sungai",
        "Warga yang membuang sampah ke Sungai Cibodas didenda Rp50.000 dan wajib kerja bakti.",
        True,
        30,
    ),
    (
        DecisionKind.KEPUTUSAN,
        "Iuran air PAMSIMAS Rp5.000/bulan",
        "Iuran pemeliharaan air bersih PAMSIMAS Rp5.000 per KK per bulan, dibayar ke BUMDes.",
        True,
        30,
    ),
    (
        DecisionKind.KEPUTUSAN,
        "Penetapan 42 KK penerima BLT-DD",
        "Daftar 42 KK penerima BLT Dana Desa ditetapkan dalam Musdesus.",
        False,
        90,
    ),
]

# (source, name, amount)
INCOME = [
    ("DD", "Dana Desa", 1_050_000_000),
    ("ADD", "Alokasi Dana Desa", 450_000_000),
    ("PADes", "Pendapatan Asli Desa", 35_000_000),
    ("BHPR", "Bagi hasil pajak & retribusi", 60_000_000),
]
# (bidang, activity, location, amount, realised)
SPENDING = [
    (2, "Rabat beton jalan", "Dusun Krajan RT 02", 250_000_000, 180_000_000),
    (2, "Drainase", "Dusun Cibodas RW 03", 120_000_000, 0),
    (2, "Lampu jalan tenaga surya", "Dusun Sukamulya", 75_000_000, 75_000_000),
    (2, "Perpipaan air bersih", "Dusun Cibodas", 95_000_000, 40_000_000),
    (3, "Posyandu & PMT balita", "Desa", 48_000_000, 30_000_000),
    (4, "Pelatihan BUMDes", "Balai Desa", 25_000_000, 0),
    (5, "BLT-DD 42 KK", "Desa", 151_200_000, 100_800_000),
    (1, "Penghasilan tetap & tunjangan perangkat", "Kantor Desa", 560_000_000, 420_000_000),
    (1, "Operasional kantor desa", "Kantor Desa", 85_000_000, 50_000_000),
    (3, "Honor guru PAUD", "PAUD Melati", 36_000_000, 27_000_000),
]

# (name, summary), running this year
PROGRAMMES = [
    ("BLT-DD", "Rp300.000/bulan utk 42 KK, cair tiap awal bulan di kantor desa"),
    ("Padat Karya Tunai", "Rabat beton Krajan, upah Rp100.000/hari, daftar ke Kadus"),
    ("Posyandu", "Tiap Selasa minggu ke-2 di tiap dusun"),
    ("PAMSIMAS", "Sambungan air bersih Cibodas, iuran Rp5.000/bulan"),
]

# (name, requirements, hours); every one free of charge
SERVICES = [
    ("Surat pengantar KTP/KK", "KK asli & fotokopi", "Senin-Jumat 08.00-14.00"),
    ("Surat keterangan domisili", "KTP & KK", "Senin-Jumat 08.00-14.00"),
    ("SKTM", "KTP, KK & surat pengantar RT", "Senin-Jumat 08.00-14.00"),
    ("Pengantar nikah (N1-N4)", "KTP, KK, akta lahir, pas foto", "Senin-Kamis 08.00-12.00"),
]


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(DEMO_ZONE))


def seed(*, session: Session, now: datetime, staff_pin: str | None = None) -> str | None:
    """Create the demo village once; returns a new kader token, or None when the village already exists.

    With `staff_pin`, the demo staff can use text commands at once (the CLI sets DEMO_STAFF_PIN; tests
    leave PINs unset, since hashing one costs tens of milliseconds on purpose).
    """
    if session.exec(select(Village).where(Village.code == DEMO_CODE)).first() is not None:
        return None
    village = Village(code=DEMO_CODE, name="Desa Sukamaju", timezone=DEMO_ZONE)
    session.add(village)
    session.flush()
    vid = village.id
    assert vid is not None
    session.add_all(VillageAddress(village_id=vid, channel=channel, address=a) for channel, a in ADDRESSES)
    _seed_areas(session, vid)
    _seed_residents(session, vid, now)
    pin_hash = staff_people.hash_pin(staff_pin) if staff_pin else None
    for name, role, phone in STAFF:
        session.add(Staff(village_id=vid, name=name, role=role, phone=phone, pin_hash=pin_hash))
    today = now.astimezone(ZoneInfo(DEMO_ZONE)).date()
    _seed_meetings_and_decisions(session, vid, today)
    _seed_budget(session, vid, today.year)
    session.add_all(
        Programme(village_id=vid, name=name, summary=summary, period=str(today.year))
        for name, summary in PROGRAMMES
    )
    session.add_all(
        Service(village_id=vid, name=name, requirements=needs, hours=hours, fee="gratis")
        for name, needs, hours in SERVICES
    )
    return create_token(session=session, village_code=DEMO_CODE, role=Role.KADER, name="Siti Rahma (KPMD)")


def _seed_areas(session: Session, vid: int) -> None:
    """Each dusun with its RW and the RTs of that RW."""
    for name, (rw, rts) in DUSUN.items():
        dusun = Area(village_id=vid, kind=AreaKind.DUSUN, name=name)
        session.add(dusun)
        session.flush()
        rw_area = Area(village_id=vid, kind=AreaKind.RW, name=f"{rw:02d}", parent_id=dusun.id)
        session.add(rw_area)
        session.flush()
        session.add_all(
            Area(village_id=vid, kind=AreaKind.RT, name=f"{rt:02d}", parent_id=rw_area.id) for rt in rts
        )


def _seed_residents(session: Session, vid: int, now: datetime) -> None:
    """The residents, subscribed (with the consent they gave) on WhatsApp or SMS by their number."""
    for name, phone, dusun_name, rw, rt in RESIDENTS:
        contact = Contact(
            village_id=vid,
            name=name,
            dusun=dusun_name,
            rw=rw,
            rt=rt,
            preferred_channel=Channel.TWILIO_WHATSAPP if phone[4] in "12" else Channel.SMSGATE,
            fallback_channel=Channel.SMSGATE,
            subscription=SubscriptionState.SUBSCRIBED,
            subscription_changed_at=now,
        )
        session.add(contact)
        session.flush()
        assert contact.id is not None
        session.add(
            ContactIdentity(village_id=vid, contact_id=contact.id, kind=IdentityKind.PHONE, value=phone)
        )
        session.add(
            ConsentEvent(
                contact_id=contact.id,
                state=SubscriptionState.SUBSCRIBED,
                source="demo",
                evidence="Daftar di Posyandu (formulir kertas)",
                created_at=now,
            )
        )


def _seed_meetings_and_decisions(session: Session, vid: int, today: date) -> None:
    meetings = [
        Meeting(
            village_id=vid,
            kind=m.kind,
            title=m.title,
            starts_at=_local(today + timedelta(days=m.days), m.hour, m.minute),
            place=m.place,
            agenda=m.agenda,
            dusun=m.dusun,
        )
        for m in MEETINGS
    ]
    session.add_all(meetings)
    session.flush()
    past = meetings[PAST_MEETING]
    session.add_all(
        Decision(
            village_id=vid,
            kind=kind,
            title=title,
            text=text,
            meeting_id=past.id if in_past_meeting else None,
            effective_date=today - timedelta(days=days_ago),
        )
        for kind, title, text, in_past_meeting, days_ago in DECISIONS
    )


def _seed_budget(session: Session, vid: int, year: int) -> None:
    session.add_all(
        BudgetLine(
            village_id=vid,
            year=year,
            direction=BudgetDirection.INCOME,
            source=src,
            activity=name,
            amount=amount,
        )
        for src, name, amount in INCOME
    )
    session.add_all(
        BudgetLine(
            village_id=vid,
            year=year,
            direction=BudgetDirection.SPENDING,
            bidang=bidang,
            activity=activity,
            location=location,
            amount=amount,
            realised=realised,
        )
        for bidang, activity, location, amount, realised in SPENDING
    )
