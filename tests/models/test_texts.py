"""The catalogue: every template fits one GSM-7 SMS with realistic values; Rupiah and dates read right."""

from datetime import UTC, date, datetime

import pytest

from broadcasts.sms import Encoding, analyse
from models import texts as t

VALUES = {
    "desa": "Desa Sukamaju Kidul",
    "code": "482913",
    "n": 5,
    "category": "Air bersih & sanitasi",
    "status": "digabung dengan laporan lain",
    "note": "",
    "items": "482913 (sedang diproses), 120456 (diterima)",
    "what": "info jadwal rapat & info keputusan & sanksi",
    "keyword": "PROGRAM",
    "page": 12,
    "pages": 12,
    "number": "081234500001",  # a phone number typed after CEK
    "digits": 12,
    "acara": "Musdes RKPDes",
    "who": "Kades",
    "new": 12,
    "open": 30,
    "overdue": 4,
    "resolved": 9,
    "old": "120456",
    "where": "Krajan RT 12 RW 10",
    "stage": "penanganan",
    "kapan": "Selasa 8 Des 19.30 WITA",
    "tempat": "Balai Desa Sukamaju",
    "agenda": "Penyusunan RKPDes 2027",
}

TEMPLATES = {
    name: value
    for name, value in vars(t).items()
    if name.isupper() and isinstance(value, str) and not name.endswith(("_HEADER", "_ITEM"))
}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_template_fits_one_gsm7_sms(name: str) -> None:
    text = TEMPLATES[name].format(**VALUES)
    info = analyse(text)
    assert info.encoding == Encoding.GSM7, info.unicode_chars
    assert info.segments == 1, (len(text), text)


def test_private_suffix_still_fits() -> None:
    reply = t.COMPLAINT_CREATED_BPD.format(code="482913") + t.COMPLAINT_PRIVATE_SUFFIX
    assert analyse(reply).segments == 1


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1_250_000_000, "Rp1,25 miliar"),
        (1_000_000_000, "Rp1 miliar"),
        (2_105_000_000, "Rp2,11 miliar"),  # half up, not binary-float rounding
        (1_595_000_000, "Rp1,6 miliar"),
        (250_000_000, "Rp250 juta"),
        (151_200_000, "Rp151,2 juta"),
        (12_500_000, "Rp12.500.000"),
        (50_000, "Rp50.000"),
        (0, "Rp0"),
        (-5_000, "-Rp5.000"),
    ],
)
def test_rupiah(amount: int, text: str) -> None:
    assert t.format_rupiah(amount) == text


@pytest.mark.parametrize(
    ("amounts", "texts"),
    [
        # QA: one DANA list said "Rp250 juta" and "Rp75.000.000" side by side.
        (
            [560_000_000, 151_200_000, 75_000_000, 12_500_000],
            ["Rp560 juta", "Rp151,2 juta", "Rp75 juta", "Rp12,5 juta"],
        ),
        ([1_250_000_000, 48_000_000], ["Rp1,25 miliar", "Rp48 juta"]),
        ([47_850_000, 2_000_000], ["Rp47,85 juta", "Rp2 juta"]),
        # Words would round one of them, or one is under a million: all in digits, never mixed.
        ([250_000_000, 12_345_678], ["Rp250.000.000", "Rp12.345.678"]),
        ([250_000_000, 500_000], ["Rp250.000.000", "Rp500.000"]),
        ([1_234_567_000, 5_000_000], ["Rp1.234.567.000", "Rp5.000.000"]),
        ([], []),
    ],
)
def test_rupiah_in_one_list_share_one_style(amounts: list[int], texts: list[str]) -> None:
    assert t.format_rupiah_list(amounts) == texts


@pytest.mark.parametrize(
    ("zone", "text"),
    [
        ("Asia/Jakarta", "Sabtu 12 Des 19.30 WIB"),
        ("Asia/Pontianak", "Sabtu 12 Des 19.30 WIB"),
        ("Asia/Makassar", "Sabtu 12 Des 20.30 WITA"),
        ("Asia/Jayapura", "Sabtu 12 Des 21.30 WIT"),
    ],
)
def test_meeting_time_in_the_village_zone(zone: str, text: str) -> None:
    assert t.format_when(datetime(2026, 12, 12, 12, 30, tzinfo=UTC), zone) == text


def test_date() -> None:
    assert t.format_date(date(2027, 1, 5)) == "5 Jan 2027"


@pytest.mark.parametrize("status", sorted(t.TICKET_NOTICES))
def test_ticket_notices_fit_one_sms_with_a_note(status: str) -> None:
    note = t.TICKET_NOTE.format(note="x" * 50)  # the longest note lifecycle keeps (NOTE_ROOM)
    text = t.TICKET_NOTICES[status].format(code="482913", note=note)
    assert analyse(text).encoding == Encoding.GSM7
    assert analyse(text).segments == 1
