"""The staff command grammar as pure functions: what each text means, and what is left to residents."""

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from handlers.staff_commands.commands import (
    Aside,
    Broadcast,
    Cancel,
    Command,
    Confirm,
    Digest,
    ListTickets,
    Lookup,
    Menu,
    NewMeeting,
    TicketChange,
)
from handlers.staff_commands.dates import is_digits, parse_when
from handlers.staff_commands.grammar import code_and_pin, head, keyword, parse, place_and_title
from handlers.staff_commands.pin_mask import mask_pin, masked, pin_span
from handlers.staff_commands.wording import pages
from handlers.understand import KEYWORDS
from models import BroadcastKind, MeetingKind

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=WIB)  # Wednesday 2 December 2026, 10.00 WIB
DUSUN = ("Krajan", "Sukamulya", "Cibodas")


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("VERIF 482913 1234", "verif"),
        ("verifikasi 482913 1234", "verif"),
        ("*Selesai* 482913 1234", "selesai"),
        ("Tutup: 482913 1234", "selesai"),
        ("ditolak 482913 1234", "tolak"),
        ("  tiket", "list"),
        ("TELAT 2", "overdue"),
        ("terlambat", "overdue"),
        ("Ringkasan", "digest"),
        ("rekap", "digest"),
        ("STAF", "menu"),
        ("bantuan staf", "menu"),
        ("MENU STAF", "menu"),
        ("ya", "ya"),
        ("Iya.", "ya"),
        ("BATAL", "batal"),
        ("DARURAT 1234 banjir", "darurat"),
        ("LIHAT 482913", "lihat"),
        ("teruskan 482913 1234", "teruskan"),
        ("DITERUSKAN", "teruskan"),
        ("bukan 482913 1234", "bukan"),
        ("Bukan wewenang 482913", "bukan"),
        # One typo in a word of 4+ letters, and a word glued to the number after it.
        ("VERIFY 806317 1234 ok", "verif"),
        ("verfi 806317", "verif"),
        ("selesei", "selesai"),
        ("STAFF", "menu"),
        ("bantuan staff", "menu"),
        ("liat 482913", "lihat"),
        ("siarn 1234", "siaran"),
        ("ringkasn", "digest"),
        ("verif482913", "verif"),
        ("verif806317 1234 ok", "verif"),
        ("tiket2", "list"),
        # Not a staff keyword: no staff lookup at all.
        ("lampu jalan mati", None),
        ("MENU", None),
        ("bantuan blt blm cair", None),
        ("ya1234", None),  # YA and BATAL are never glued nor slipped
        ("yaa", "ya"),  # a natural answer: read only while something waits
        ("ok", "ya"),
        ("tidak jadi", "batal"),
        ("ya tapi besok saja", "ya"),
        ("oke tapi besok saja", "aside"),
        ("Sdh selesai 482913 1234", "unclear"),  # a code and another number: perhaps a command
        ("482913 selesai", None),
        ("btal", None),
        ("staf1234", None),
        ("rt03 lampu mati", None),
        ("telah terjadi banjir", None),  # everyday words are no slips
        ("dapat bantuan", None),
        ("saran saya", None),
        ("lapr jalan rusak", None),  # a resident keyword's slip stays the resident's
        ("CEK 482913", None),
        ("", None),
        ("482913", None),
        ("yang di RT 3 gimana", None),
    ],
)
def test_keyword_is_the_first_word_only(text: str, word: str | None) -> None:
    assert keyword(text) == word


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [
        ([], (None, None)),
        (["482913"], ("482913", None)),
        (["1234"], (None, "1234")),
        (["482913", "1234"], ("482913", "1234")),
        (["1234", "482913"], ("482913", "1234")),
        (["12345", "482913"], ("482913", "12345")),
        (["482913", "123456"], ("482913", "123456")),  # both six digits: the code comes first
        (["1234", "5678"], (None, "1234")),  # no six-digit code
    ],
)
def test_code_and_pin_in_either_order(numbers: list[str], expected: tuple[str | None, str | None]) -> None:
    assert code_and_pin(numbers) == expected


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("VERIF 482913 1234 sudah dicek", TicketChange("verif", "482913", "1234", "sudah dicek")),
        ("VERIF 1234 482913 sudah dicek", TicketChange("verif", "482913", "1234", "sudah dicek")),
        (
            "PROSES 482913 1234 tukang datang Senin",
            TicketChange("proses", "482913", "1234", "tukang datang Senin"),
        ),
        (
            "SELESAI 482913 1234 lampu sudah diganti",
            TicketChange("selesai", "482913", "1234", "lampu sudah diganti"),
        ),
        (
            "TOLAK 482913 1234 bukan wilayah desa",
            TicketChange("tolak", "482913", "1234", "bukan wilayah desa"),
        ),
        ("tolak#482913#1234#bukan wilayah", TicketChange("tolak", "482913", "1234", "bukan wilayah")),
        ("verif kode 482913 pin 1234: sdh dicek", TicketChange("verif", "482913", "1234", "sdh dicek")),
        ("VERIF 482913/1234", TicketChange("verif", "482913", "1234", "")),
        ("SELESAI 482913 1234 3 lampu diganti", TicketChange("selesai", "482913", "1234", "3 lampu diganti")),
        # Missing parts are kept for a reply that says what is missing.
        ("VERIF 482913 sudah dicek", TicketChange("verif", "482913", None, "sudah dicek")),
        ("SELESAI 1234 lampu diganti", TicketChange("selesai", None, "1234", "lampu diganti")),
        ("VERIF", Menu("ticket")),
        ("VERIF sudah", None),  # a command only when a number follows
        ("verifikasi data bansos gimana", None),
        # Words residents use too are commands only when a number follows.
        ("proses KTP lama sekali", None),
        ("selesai rapatnya jam berapa?", None),
        ("tolak tambang pasir di kali", None),
        ("TIKET", ListTickets(overdue=False)),
        ("tiket 3", ListTickets(overdue=False, page=3)),
        ("TIKET hal 2", ListTickets(overdue=False, page=2)),
        ("TELAT", ListTickets(overdue=True)),
        ("telat 2.", ListTickets(overdue=True, page=2)),
        ("tiket pesawat ke Jakarta", None),
        ("telat bayar listrik", None),
        ("RINGKASAN", Digest()),
        ("ringkasan hari ini", Digest()),
        ("ringkasan rapat kemarin apa?", None),
        ("STAF", Menu()),
        ("bantuan staf", Menu()),
        ("STAF RAPAT", Menu("meeting")),
        ("STAF selesai", Menu("ticket")),
        ("STAF TELAT", Menu("list")),
        ("STAF siaran", Menu("broadcast")),
        ("STAF apa ya", None),  # STAF alone, or before a command word
        ("staf desa tidak ada di kantor", None),
        ("SIARAN 1234 Kerja bakti Minggu 07.00", Broadcast("1234", "Kerja bakti Minggu 07.00")),
        ("siaran pin 1234: Posyandu besok", Broadcast("1234", "Posyandu besok")),
        ("SIARAN Kerja bakti", Menu("broadcast", broadcasters=True)),  # the example, if they may send
        ("SIARAN 1234", Broadcast("1234", "")),
        ("DARURAT 1234 Banjir di Krajan", Broadcast("1234", "Banjir di Krajan", BroadcastKind.DARURAT)),
        ("darurat banjir di RT 3", Menu("emergency", broadcasters=True)),
        ("YA", Confirm()),
        ("ya.", Confirm()),
        ("Iya kirim", Confirm()),
        ("ya sudah beres", Aside()),  # a resident's, unless something waits
        ("ya pak", Confirm()),
        ("Ya betul", Confirm()),
        ("ya silakan", Confirm()),
        ("ya kirim sekarang", Confirm()),
        ("Yaa", Confirm()),
        ("ok", Confirm()),
        ("oke kirim", Confirm()),
        ("jangan", Cancel()),
        ("tidak jadi", Cancel()),
        ("BATAL", Cancel()),
        ("batal lapor tadi", Aside()),
        ("rapat musdes kapan?", Menu("meeting", broadcasters=True)),  # a question from the head
        ("Siaran radio desa kapan?", Menu("broadcast", broadcasters=True)),
        ("Rapat besok jam 19 di balai desa", Menu("meeting", broadcasters=True)),
        # Glued fillers, "_" between numbers, quotes before, a PIN at the end of the note
        ("selesai 482913 pin1234", TicketChange("selesai", "482913", "1234", "")),
        ("selesai kode482913 1234", TicketChange("selesai", "482913", "1234", "")),
        ("selesai 482913_1234", TicketChange("selesai", "482913", "1234", "")),
        ("‘selesai 482913 1234", TicketChange("selesai", "482913", "1234", "")),
        ("selesai 482913 sudah beres pin 1234", TicketChange("selesai", "482913", "1234", "sudah beres")),
        # LIHAT, and TIKET with a code
        ("LIHAT 482913", Lookup("482913")),
        ("lihat kode 482913", Lookup("482913")),
        ("LIHAT 482913 1234", Lookup("482913", "1234")),  # a PIN out of habit: masked, not checked
        ("lihat 1234 482913 dong", Lookup("482913", "1234")),
        ("TIKET 482913", Lookup("482913")),
        ("tiket#482913", Lookup("482913")),
        ("TIKET 123456", Lookup("123456")),  # six digits are a code
        ("TIKET 12345", ListTickets(overdue=False, page=12345)),  # a shorter number is a page
        ("tiket 1234 482913", Lookup("482913", "1234")),
        ("TELAT 482913", ListTickets(overdue=True, page=482913)),
        ("lihat jalan di RT 3 rusak", None),
        ("LIHAT", None),
        # TERUSKAN and BUKAN: like TOLAK
        (
            "TERUSKAN 482913 1234 ke Dinas PU",
            TicketChange("teruskan", "482913", "1234", "ke Dinas PU"),
        ),
        ("diteruskan 1234 482913 puskesmas", TicketChange("teruskan", "482913", "1234", "puskesmas")),
        ("BUKAN 482913 1234 jalan provinsi", TicketChange("bukan", "482913", "1234", "jalan provinsi")),
        ("bukan wewenang 482913 1234 jalan", TicketChange("bukan", "482913", "1234", "jalan")),
        ("BUKAN 482913 1234", TicketChange("bukan", "482913", "1234", "")),
        ("bukan saya yg lapor", None),
        ("teruskan ke pak kades ya", None),
        ("bukan wewenang desa ya?", None),
        # Slips and glued words: a command only when a number follows
        ("VERIFY 806317 1234 ok", TicketChange("verif", "806317", "1234", "ok")),
        ("verif806317 1234 ok", TicketChange("verif", "806317", "1234", "ok")),
        ("VERIF806317#1234", TicketChange("verif", "806317", "1234", "")),
        ("Selesei 806317 1234 beres", TicketChange("selesai", "806317", "1234", "beres")),
        ("verify", None),
        ("verify dulu ya", None),
        ("siarn 1234 Kerja bakti", Broadcast("1234", "Kerja bakti")),
        ("siarn Kerja bakti", None),
        ("siaran1234 Kerja bakti", Broadcast("1234", "Kerja bakti")),
        ("STAFF", Menu()),
        ("bantuan staff", Menu()),
        ("STAFF rapat", Menu("meeting")),
        ("staff desa tidak ada di kantor", None),
        ("tikt", ListTickets(overdue=False)),
        ("tiket2", ListTickets(overdue=False, page=2)),
        ("rapat2 desa kapan", None),
        # A number of 4 to 6 digits after a command word: never a resident's message; the example
        ("RINGKASAN 1234", Menu("digest", "1234")),
        ("ringkasan 123456", Menu("digest", "123456")),
        ("TIKET 1234 5678", Menu("list", "1234")),
        ("TELAT 482913 1234", Menu("list", "1234")),
        ("LIHAT 1234", Menu("lookup", "1234")),
        ("STAF 1234", Menu(None, "1234")),
        ("staff pin 1234", Menu(None, "1234")),
        ("YA 1234", Confirm("1234")),
        ("ya 482913", Confirm("482913")),
        ("batal pin 1234", Cancel("1234")),
        ("tiket 12 orang", None),  # not a PIN: too short
        # A page number after a command with no pages: the command all the same
        ("ringkasan 2", Digest()),
        ("RINGKASAN hal 2", Digest()),
        ("rekap 3.", Digest()),
        ("ringkasan2", Digest()),
        ("STAF 2", Menu()),
        ("staf hal 2", Menu()),
        ("ringkasan 2 hari", None),  # words after the number: not a page
        ("ringkasan 1234567", None),  # too long for a page, not a PIN
        ("TIKET 2", ListTickets(overdue=False, page=2)),  # lists keep their pages
        ("TELAT 2", ListTickets(overdue=True, page=2)),
    ],
)
def test_parse(text: str, command: Command | None) -> None:
    assert parse(text, now_local=NOW, dusun_names=DUSUN) == command


@pytest.mark.parametrize(
    ("words", "expected", "used"),
    [
        ("12/12 19.30", at(12, 12, 19, 30), 2),
        ("19.30 12/12", at(12, 12, 19, 30), 2),
        ("12-12-2026 19:30", at(12, 12, 19, 30), 2),
        ("12.12.2026 jam 19.30", at(12, 12, 19, 30), 3),
        ("12/12/27 08.00", at(12, 12, 8, year=2027), 2),
        ("tgl 12 des jam 19.30", at(12, 12, 19, 30), 5),
        ("12 Desember 2026 pukul 9 pagi", at(12, 12, 9), 6),
        ("besok jam 7 malam", at(12, 3, 19), 4),
        ("bsk 19.00 wib", at(12, 3, 19), 3),
        ("lusa 3 sore", at(12, 4, 15), 3),
        ("hari ini jam 20.00", at(12, 2, 20), 4),
        ("nanti malam jam 8", at(12, 2, 20), 4),
        ("jam 1 siang besok", at(12, 3, 13), 4),
        ("senin 09.00", at(12, 7, 9), 2),
        ("Sabtu jam 19.30", at(12, 5, 19, 30), 3),
        ("rabu 19.00", at(12, 2, 19), 2),  # today, the hour still ahead
        ("rabu 08.00", at(12, 9, 8), 2),  # today's hour has passed: next week
        ("senin depan 09.00", at(12, 7, 9), 3),
        ("1/1 08.00", at(1, 1, 8, year=2027), 2),  # January written in December: next year
        ("12/12 19.30 Balai Desa", at(12, 12, 19, 30), 2),
    ],
)
def test_meeting_dates_and_times(words: str, expected: datetime, used: int) -> None:
    assert parse_when(words.lower().split(), NOW) == (expected, used)


@pytest.mark.parametrize(
    "words",
    [
        "12/12 Balai Desa",  # no hour
        "jam 19.30 Balai Desa",  # no date
        "31/2 19.30",  # no such day
        "12/12 25.00",
        "12/12 19.75",
        "minggu depan 19.30",  # next week, no day
        "12/12 jam 12 malam",  # midnight
        "Balai Desa 12/12 19.30",  # the date comes first
    ],
)
def test_unreadable_meeting_times(words: str) -> None:
    assert parse_when(words.lower().split(), NOW)[0] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Balai Desa Musdes RKPDes", ("Balai Desa", "Musdes RKPDes", "")),
        ("di Balai Desa, Musdes RKPDes", ("Balai Desa", "Musdes RKPDes", "")),
        ("Musdus Krajan di Mushola Al-Ikhlas", ("Mushola Al-Ikhlas", "Musdus Krajan", "")),
        ("Kerja bakti di balai dusun", ("balai dusun", "Kerja bakti", "")),
        (
            "Balai Desa Musdesus BLT-DD agenda: penetapan penerima BLT",
            ("Balai Desa", "Musdesus BLT-DD", "penetapan penerima BLT"),
        ),
        ("Musdes RKPDes", ("", "Musdes RKPDes", "")),  # no place
        ("Balai Desa", ("Balai Desa", "", "")),  # no title
        ("", ("", "", "")),
    ],
)
def test_place_and_title(text: str, expected: tuple[str, str, str]) -> None:
    assert place_and_title(text) == expected


def test_meeting_parsed_whole() -> None:
    command = parse(
        "RAPAT 1234 besok jam 7 malam Musdus Krajan di Mushola Al-Ikhlas agenda usulan RKPDes",
        now_local=NOW,
        dusun_names=DUSUN,
    )
    assert command == NewMeeting(
        pin="1234",
        starts_at=at(12, 3, 19),
        title="Musdus Krajan",
        place="Mushola Al-Ikhlas",
        agenda="usulan RKPDes",
        kind=MeetingKind.MUSDUS,
        dusun="Krajan",
    )


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("RAPAT 1234 12/12 19.30 Balai Desa Musdes RKPDes", MeetingKind.MUSDES_RKPDES),
        ("RAPAT 1234 12/12 19.30 Balai Desa Musdes perencanaan", MeetingKind.MUSDES),
        ("RAPAT 1234 12/12 19.30 Balai Desa Musrenbangdes 2027", MeetingKind.MUSRENBANGDES),
        ("RAPAT 1234 12/12 19.30 Balai Desa Musdesus BLT", MeetingKind.MUSDESUS),
        ("RAPAT 1234 12/12 19.30 Balai Desa Rapat Posyandu", MeetingKind.LAINNYA),
    ],
)
def test_meeting_kind_from_the_title(text: str, kind: MeetingKind) -> None:
    command = parse(text, now_local=NOW, dusun_names=DUSUN)
    assert isinstance(command, NewMeeting)
    assert command.kind == kind
    assert command.dusun is None


def test_meeting_with_missing_parts() -> None:
    unreadable = parse("RAPAT 1234 kapan2 di balai", now_local=NOW)
    assert isinstance(unreadable, NewMeeting)
    assert unreadable.starts_at is None
    no_place = parse("RAPAT 1234 12/12 19.30 Musdes", now_local=NOW)
    assert isinstance(no_place, NewMeeting)
    assert (no_place.title, no_place.place) == ("Musdes", "")


def test_pages_fit_one_sms_and_point_to_the_next() -> None:
    items = [f"{100000 + i} Infra proses" for i in range(20)]
    texts = pages(items, "Aduan terbuka (20)", "TIKET")
    assert len(texts) > 1
    assert all(len(text) <= 160 for text in texts)
    assert texts[0].startswith(f"Aduan terbuka (20) hal 1/{len(texts)}: 100000 Infra proses, ")
    assert texts[0].endswith(". Balas TIKET 2 utk lanjutannya.")
    assert texts[-1].endswith(".")
    assert "Balas" not in texts[-1]
    listed = [
        item for text in texts for item in text.split(": ", 1)[1].split(". Balas")[0].rstrip(".").split(", ")
    ]
    assert listed == items


def test_one_page_has_no_pointer() -> None:
    assert pages(["482913 Air baru"], "Aduan terbuka (1)", "TIKET") == [
        "Aduan terbuka (1) hal 1/1: 482913 Air baru."
    ]


# --- only ASCII digits are numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026", True),
        ("0", True),
        ("", False),
        ("²⁰²⁶", False),  # superscripts: str.isdigit() says yes, int() refuses them
        ("¹⁹", False),
        ("٤٨٢١", False),  # Arabic-Indic
        ("१२३४", False),  # Devanagari
        ("12a4", False),
    ],
)
def test_is_digits_is_ascii_only(text: str, expected: bool) -> None:
    assert is_digits(text) is expected


@pytest.mark.parametrize(
    ("text", "command"),
    [
        # Not numbers: no code, no PIN; what a staff number gets is the usage or "what is missing".
        ("VERIF ٤٨٢٩١٣ ١٢٣٤ sudah dicek", None),
        ("VERIF 482913 ١٢٣٤ ok", TicketChange("verif", "482913", None, "١٢٣٤ ok")),
        ("VERIF ⁴⁸²⁹¹³ ¹²³⁴", None),
        ("SIARAN ١٢٣٤ Kerja bakti", Menu("broadcast", broadcasters=True)),
        ("SIARAN ¹²³⁴ Kerja bakti", Menu("broadcast", broadcasters=True)),
        # Words residents use need a number: a superscript is none.
        ("PROSES ¹²³⁴ ⁴⁸²⁹¹³", None),
        ("RAPAT ١٢٣٤ besok jam 7 malam Balai Desa Musdes", Menu("meeting", broadcasters=True)),
        ("DARURAT ¹²³⁴ banjir", Menu("emergency", broadcasters=True)),
        ("tiket ²", None),
        ("TIKET ٣", None),
        ("telat hal ³", None),
    ],
)
def test_other_digits_are_not_numbers(text: str, command: Command | None) -> None:
    assert parse(text, now_local=NOW, dusun_names=DUSUN) == command


@pytest.mark.parametrize(
    "text",
    [
        "RAPAT 1234 12 des ²⁰²⁶ jam 19 balai desa musdes",
        "RAPAT 1234 12/12 jam ¹⁹ balai desa musdes",
        "RAPAT 1234 ¹²/¹² 19.30 balai desa musdes",
        "RAPAT 1234 ١٢/١٢ ١٩.٣٠ balai desa musdes",
        "RAPAT 1234 12.12.²⁰²⁶ 19.30 balai desa musdes",
        "RAPAT 1234 ²⁰ des 19.30 balai desa musdes",
        "RAPAT 1234 12/12 ¹⁹ malam balai desa musdes",
        "RAPAT 1234 besok jam ٧ malam balai desa musdes",
    ],
)
def test_meeting_times_in_other_digits_are_unreadable(text: str) -> None:
    """Read as no date or hour (the reply asks for them), never a crash in int()."""
    command = parse(text, now_local=NOW, dusun_names=DUSUN)
    assert isinstance(command, NewMeeting)
    assert command.starts_at is None


@pytest.mark.parametrize(
    "words",
    ["12 des ²⁰²⁶ jam 19", "12/12 jam ¹⁹", "١٢/١٢ 19.30", "12/12 ١٩.٣٠", "12 des jam ¹⁹", "²⁰ des 19.30"],
)
def test_parse_when_reads_ascii_digits_only(words: str) -> None:
    assert parse_when(words.lower().split(), NOW)[0] is None


# --- page numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("TIKET 999", ListTickets(overdue=False, page=999)),
        ("TIKET 1000", ListTickets(overdue=False, page=1000)),
        ("tiket 007", ListTickets(overdue=False, page=7)),
        ("tiket 0", ListTickets(overdue=False, page=1)),
        ("TIKET 99999999999999999999", ListTickets(overdue=False, page=99999999999999999999)),
        ("TELAT hal 123456", ListTickets(overdue=True, page=123456)),
        # Longer than any reply can repeat (and than int() takes): "no such page" all the same.
        ("TIKET 999999999999999999999", ListTickets(overdue=False, page=1000)),
        ("TIKET " + "9" * 5000, ListTickets(overdue=False, page=1000)),
        ("TELAT " + "0" * 30 + "5", ListTickets(overdue=True, page=5)),
    ],
)
def test_any_page_number_is_a_list_command(text: str, command: ListTickets) -> None:
    assert parse(text, now_local=NOW) == command


# --- the PIN in a stored message ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pin", "expected"),
    [
        ("VERIF 482913 1234 sudah dicek", "1234", "VERIF 482913 **** sudah dicek"),
        ("VERIF 1234 482913 sudah dicek", "1234", "VERIF **** 482913 sudah dicek"),
        ("  selesai#482913#-1234.#lampu ", "1234", "  selesai#482913#-****.#lampu "),
        ("verif kode 482913 pin 123456: ok", "123456", "verif kode 482913 pin ****: ok"),
        # A PIN with a ticket code's digits: only the token read as the PIN.
        ("VERIF 482913 482913 ok", "482913", "VERIF 482913 **** ok"),
        ("VERIF 4829 4829 ok", "4829", "VERIF **** 4829 ok"),
        ("TOLAK 482913 1234 bukan 1234", "1234", "TOLAK 482913 **** bukan 1234"),
        ("RAPAT 1234 12/12 19.30 Balai Desa Musdes", "1234", "RAPAT **** 12/12 19.30 Balai Desa Musdes"),
        ("siaran pin 98765 Posyandu 1/12", "98765", "siaran pin **** Posyandu 1/12"),
        ("DARURAT 1234 Banjir", "1234", "DARURAT **** Banjir"),
        # Slipped and glued words, and numbers after commands that take no PIN
        ("VERIFY 806317 1234 ok", "1234", "VERIFY 806317 **** ok"),
        ("verif806317 1234 ok", "1234", "verif806317 **** ok"),
        ("verif1234 482913 ok", "1234", "verif**** 482913 ok"),
        ("TERUSKAN 482913 482913 ke PU", "482913", "TERUSKAN 482913 **** ke PU"),
        ("LIHAT 482913 1234", "1234", "LIHAT 482913 ****"),
        ("tiket 1234 482913", "1234", "tiket **** 482913"),
        ("RINGKASAN 1234", "1234", "RINGKASAN ****"),
        ("YA 1234", "1234", "YA ****"),
        ("SIARAN 123456 1234 orang", "123456", "SIARAN **** 1234 orang"),
        # A text that does not read as the command (another form of it in a payload): every whole token.
        ("Re: VERIF 482913 1234 ok", "1234", "Re: VERIF 482913 **** ok"),
        ("VERIF%20482913%201234", "1234", "VERIF%20482913%201234"),  # no whole token of it
        ("VERIF+482913+1234+ok", "1234", "VERIF+482913+****+ok"),
        ("1234", "1234", "****"),
        ("x 1234, 41234 12345 1234a", "1234", "x ****, 41234 12345 1234a"),
        # What is not the PIN stays: phone numbers, ids, the ticket code.
        ("+6281234500001", "1234", "+6281234500001"),
        ("SM1234abcdef", "1234", "SM1234abcdef"),
        ("482913", "1234", "482913"),
        ("", "1234", ""),
    ],
)
def test_mask_pin(text: str, pin: str, expected: str) -> None:
    assert mask_pin(text, pin) == expected


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("VERIF 482913 1234", (13, 17)),
        ("  VERIF 1234 482913", (8, 12)),
        ("VERIF 482913", None),  # no PIN
        ("VERIF 482913 abc 1234", None),  # not where a PIN is read
        ("TIKET 1234", None),
        ("STAF", None),
        ("halo 1234", None),
        ("RAPAT 1234 besok", (6, 10)),
        ("SIARAN Kerja bakti 1234", None),
        ("verif806317 1234", (12, 16)),
        ("LIHAT 482913", None),  # no PIN
        ("TIKET 482913 1234", (13, 17)),
        ("bukan wewenang 482913 1234 x", (22, 26)),
        ("ya", None),
    ],
)
def test_pin_span(text: str, span: tuple[int, int] | None) -> None:
    assert pin_span(text) == span


def test_masked_walks_a_whole_payload() -> None:
    payload: dict[str, Any] = {
        "From": "whatsapp:+6281300001234",
        "Body": "VERIF 482913 1234 sudah dicek",
        "NumMedia": "0",
        "message": {
            "id": "wamid.1234",
            "text": {"body": "VERIF 482913 1234 sudah dicek"},
            "context": [{"quoted": "PIN saya 1234"}, 1234, None, True],
        },
        "1234": "key stays",
    }
    assert masked(payload, "1234") == {
        "From": "whatsapp:+6281300001234",
        "Body": "VERIF 482913 **** sudah dicek",
        "NumMedia": "0",
        "message": {
            "id": "wamid.****",  # a whole token of it, so masked too: better too much than the PIN
            "text": {"body": "VERIF 482913 **** sudah dicek"},
            "context": [{"quoted": "PIN saya ****"}, 1234, None, True],
        },
        "1234": "key stays",
    }
    assert payload["Body"] == "VERIF 482913 1234 sudah dicek"  # a copy; the input is left alone


# --- typing slips: only command words, never residents' words -------------------------------------------


def test_no_resident_message_reads_as_a_slipped_command() -> None:
    """Of the residents' messages the understanding is developed on, none starts with a slip of a command
    word that reads as a command: a staff number writing them is still a resident."""
    slipped = []
    for name in ("nlu_dev", "nlu_dev2", "nlu_holdout", "nlu_holdout2"):
        for line in (Path(__file__).parents[1] / "data" / f"{name}.jsonl").read_text().splitlines():
            text = json.loads(line)["text"]
            found = head(text)
            if found is not None and not found.exact and parse(text, now_local=NOW) is not None:
                slipped.append(text)
    assert slipped == []


@pytest.mark.parametrize("word", sorted(KEYWORDS))
def test_residents_keywords_are_never_staff_slips(word: str) -> None:
    assert keyword(word) is None
    assert head(f"{word} 482913 1234") is None  # a code and a PIN after it: "unclear", checked by handle
