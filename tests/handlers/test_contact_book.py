"""handlers/contact_book/: numbers as spreadsheets leave them, CSV files as cadres save them, and the
contact list's writes over real SQLite and PostgreSQL."""

import csv
import io
from typing import Any

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from bot.db import transaction
from handlers.contact_book import csv_export, csv_import, edits, fields, records
from handlers.contact_book.csv_import import RejectReason
from handlers.contact_book.edits import ContactChanges, ContactDraft
from handlers.contact_book.records import Filters
from handlers.contact_book.sheet import MAX_IMPORT_BYTES, TooLarge, column_of, read_sheet
from models import ConsentEvent, Contact, ContactIdentity, ContactTopic, SubscriptionState
from models.errors import BadRequest, Conflict, NotFound
from tests.conftest import T0

DEMO = 1  # the demo village's id: seeded first
EVIDENCE = "daftar hadir Musdes 2026"


# --- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "081234567890",
        "0812-3456-7890",
        "0812 3456 7890",
        "(0812) 3456-7890",
        "0812.3456.7890",
        "6281234567890",
        "+62 812 3456 7890",
        "+62 (0)812 3456 7890",
        "+620812 3456 7890",
        "81234567890",  # Excel dropped the leading 0
        "8.1234567890E+10",  # Excel's scientific notation, every digit still there
        "8,1234567890E+10",  # the same with an Indonesian decimal comma
        "8.1234567890e10",
        "81234567890.0",  # a number column read as floats
        "081234567890,00",
        "'081234567890",  # Excel's marker for text
        "'+6281234567890",  # our own export's escape
        " 0812\u00a03456\u00a07890 ",  # non-breaking spaces from a web page
    ],
)
def test_numbers_in_every_indonesian_form(raw: str) -> None:
    assert fields.parse_phone(raw) == "+6281234567890"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("8.12346E+11", "lost its last digits"),  # Excel rounded 812345678901: the tail is gone
        ("8,12346E+11", "lost its last digits"),
        ("8.1234567890123E+10", "lost its last digits"),
        ("0812ABC4567", "not a phone number"),  # would be read as a keypad word
        ("0812-3456-7890 / 0857-1111-2222", "not a phone number"),
        ("0812-345", "not a valid phone number"),
        ("12345", "not a valid phone number"),
        ("9" * 30, "not a phone number"),
        ("+", "not a phone number"),
        ("   ", "missing phone number"),
        ("٠٨١٢٣٤٥٦٧٨٩٠", "not a phone number"),
    ],
)
def test_numbers_that_are_refused_say_why(raw: str, expected: str) -> None:
    with pytest.raises(BadRequest, match=expected):
        fields.parse_phone(raw)


def test_whatsapp_user_ids() -> None:
    assert fields.parse_whatsapp_id(" ID.13491208655302741918 ") == "ID.13491208655302741918"
    for raw in ("13491208655302741918", "id.1", "ID.", "ID." + "1" * 62, "ID.1 2"):
        with pytest.raises(BadRequest, match="not a WhatsApp user id"):
            fields.parse_whatsapp_id(raw)


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+6281234567890", "'+6281234567890"),
        ("-Pak Min", "'-Pak Min"),
        ("@ronda", "'@ronda"),
        ("\tx", "'\tx"),
        ("\uff1dcmd", "'\uff1dcmd"),
        ("Pak Slamet", "Pak Slamet"),
        ("", ""),
        ("0812", "0812"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_escaped_and_read_back(value: str, escaped: str) -> None:
    assert fields.escape_cell(value) == escaped
    assert fields.unescape_cell(escaped) == value


# --- files ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Nama", "name"),
        ("Nama Lengkap", "name"),
        ("No. HP", "phone"),
        ("no_hp", "phone"),
        ("Nomor HP/WA", "phone"),
        ("nomor", "phone"),
        ("Telepon", "phone"),
        ("TELP.", "phone"),
        ("WhatsApp", "phone"),
        ("phone", "phone"),
        ("whatsapp_id", "whatsapp_id"),
        ("Nama Dusun", "dusun"),
        ("Dsn", "dusun"),
        ("RT", "rt"),
        ("RW", "rw"),
        ("RT/RW", "rt_rw"),
        ("Topik", "topics"),
        ("topics", "topics"),
        ("Tags", "tags"),
        ("Kelompok", "tags"),
        ("Bersedia", "consent"),
        ("consent", "consent"),
        ("Keterangan", "note"),
        ("No", None),
        ("Nomor Urut", None),
        ("NIK", None),
        ("Alamat", None),
    ],
)
def test_column_headers_cadres_write(header: str, field: str | None) -> None:
    assert column_of(header) == field


def test_the_delimiter_is_sniffed() -> None:
    comma = read_sheet(b"nama,hp\nA,0812\n")
    semicolon = read_sheet(b'"nama, lengkap";hp;dusun\nA;0812;X\n')
    tab = read_sheet(b"nama\thp\nA\t0812\n")
    excel = read_sheet(b"sep=|\r\nnama|hp\r\nA|0812\r\n")
    assert [s.delimiter for s in (comma, semicolon, tab, excel)] == [",", ";", "\t", "|"]
    assert semicolon.columns == {"name": "nama, lengkap", "phone": "hp", "dusun": "dusun"}
    assert excel.rows == [(3, {"name": "A", "phone": "0812"})]  # the sep= line is row 1


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("nama;hp\nPak José;0812\n".encode(), "utf-8"),
        ("\ufeffnama;hp\nPak José;0812\n".encode(), "utf-8"),
        ("nama;hp\nPak José;0812\n".encode("cp1252"), "windows-1252"),
        ("nama\thp\nPak José\t0812\n".encode("utf-16"), "utf-16"),
    ],
)
def test_encodings_excel_saves(data: bytes, encoding: str) -> None:
    sheet = read_sheet(data)
    assert sheet.encoding == encoding
    assert sheet.rows == [(2, {"name": "Pak José", "phone": "0812"})]


def test_latin1_is_the_last_resort() -> None:
    sheet = read_sheet(b"nama,hp\nPak \x81X,0812\n")  # 0x81 means nothing in Windows-1252
    assert sheet.encoding == "latin-1"
    assert sheet.rows[0][1]["name"] == "Pak \x81X"


def test_rows_are_numbered_as_the_spreadsheet_shows_them() -> None:
    data = b'\n\nnama,hp,alamat,hp\n"Pak\nSlamet",0812,"Jl. 1",0813\n,,\n-,-,-\nBu Sri,0814,,,extra\nX\n'
    sheet = read_sheet(data)
    assert sheet.ignored_columns == ("alamat", "hp")  # a second phone column is not read
    assert sheet.skipped_empty == 2
    assert sheet.rows == [
        (4, {"name": "Pak\nSlamet", "phone": "0812"}),
        (7, {"name": "Bu Sri", "phone": "0814"}),
        (8, {"name": "X"}),
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty"),
        (b"\n ,, \n", "the file is empty"),
        (b"Pak Slamet,081234500001\n", "no header row"),
        (b"nama,alamat\nA,B\n", "no phone column: name one hp"),
        (b"PK\x03\x04rest", "Excel workbook"),
        (b"\xd0\xcf\x11\xe0rest", "Excel workbook"),
        (b"nama,hp\n\x00\n", "NUL"),
        (b"\xff\xfe\x00", "UTF-16"),
        (b'hp\n"' + b"1" * 140_000 + b'"\n', "row 2 is not valid CSV"),
    ],
)
def test_files_that_cannot_be_read(data: bytes, expected: str) -> None:
    with pytest.raises(BadRequest, match=expected):
        read_sheet(data)


def test_limits() -> None:
    assert len(read_sheet(b"hp\n" + b"0812\n" * 3, max_rows=3).rows) == 3
    with pytest.raises(TooLarge, match="more than 3 rows"):
        read_sheet(b"hp\n" + b"0812\n" * 4, max_rows=3)
    with pytest.raises(TooLarge, match="over 2 MB"):
        read_sheet(b"hp\n" + b"0" * MAX_IMPORT_BYTES)


def test_filters_used_name_no_values() -> None:
    filters = Filters(q="0812", dusun="Krajan", rw=0, topic=None, tag="")
    assert filters.used() == ["q", "dusun", "rw"]


# --- the contact list over a database ------------------------------------------------------------


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode()


def import_(engine: Engine, data: bytes, **kwargs: Any) -> csv_import.ImportReport:
    with transaction(engine) as session:
        return csv_import.import_csv(
            session=session,
            village_id=kwargs.pop("village_id", DEMO),
            data=data,
            consent_evidence=kwargs.pop("consent_evidence", EVIDENCE),
            now=T0,
            actor="kader:1",
            **kwargs,
        )


def table_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Contact, ContactIdentity, ContactTopic, ConsentEvent)
        }


def test_a_large_list_lands_each_number_with_its_own_row(engine: Engine, demo: None) -> None:
    rows = [["nama", "hp", "dusun", "rt", "topik", "consent"]]
    rows += [
        [
            f"Warga {i}",
            f"0813{i:08d}",
            "Cibodas",
            str(i % 9 + 1),
            "jadwal" if i % 2 else "",
            "tidak" if i % 5 == 0 else "ya",
        ]
        for i in range(1200)
    ]
    report = import_(engine, csv_bytes(rows))
    assert (report.created, report.rejected, report.subscribed) == (1200, 0, 960)
    with Session(engine) as session:
        pairs = session.exec(
            select(ContactIdentity.value, Contact.name, Contact.rt, Contact.subscription)
            .join(Contact, col(Contact.id) == col(ContactIdentity.contact_id))
            .where(col(Contact.name).startswith("Warga "))
        ).all()
        assert len(pairs) == 1200
        for phone, name, rt, subscription in pairs:
            i = int(phone.removeprefix("+62813"))
            assert (name, rt) == (f"Warga {i}", i % 9 + 1)
            expected = SubscriptionState.NEVER if i % 5 == 0 else SubscriptionState.SUBSCRIBED
            assert subscription == expected
        topics = session.exec(select(func.count()).select_from(ContactTopic)).one()
        assert topics == 600
        events = session.exec(
            select(ConsentEvent.source, func.count()).group_by(col(ConsentEvent.source))
        ).all()
        assert dict(events) == {"demo": 8, "csv_import": 960}

    # The same list with new names: every one updated, nothing created.
    renamed = [rows[0]] + [[f"Ibu {row[0]}", *row[1:]] for row in rows[1:]]
    again = import_(engine, csv_bytes(renamed, ";"))
    assert (again.created, again.updated, again.unchanged, again.subscribed) == (0, 1200, 0, 0)
    with transaction(engine) as session:
        found = records.search(session=session, village_id=DEMO, filters=Filters(q="0813 0000 0042"))
        assert [(c.name, c.topics) for c in found] == [("Ibu Warga 42", ())]
        text, count = csv_export.export_csv(
            session=session, village_id=DEMO, filters=Filters(dusun="cibodas")
        )
    assert count == 1203  # three demo residents live in Cibodas
    exported = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert exported[-1] == {
        "name": "Ibu Warga 1199",
        "phone": "'+6281300001199",
        "whatsapp_id": "",
        "dusun": "Cibodas",
        "rw": "",
        "rt": "3",
        "topics": "jadwal",
        "tags": "",
        "consent": "ya",
    }
    before = table_counts(engine)
    assert import_(engine, text.encode()).unchanged == 1203
    assert table_counts(engine) == before


def test_dry_run_computes_everything_and_writes_nothing(engine: Engine, demo: None) -> None:
    data = csv_bytes([["nama", "hp"], ["Pak Slamet Riyadi", "081234500001"], ["Baru", "081390000001"]])
    before = table_counts(engine)
    preview = import_(engine, data, dry_run=True)
    assert (preview.created, preview.updated, preview.subscribed) == (1, 1, 1)
    assert table_counts(engine) == before
    real = import_(engine, data)
    assert (real.created, real.updated, real.subscribed) == (1, 1, 1)
    assert table_counts(engine) != before


def test_rejections_carry_a_reason_code(engine: Engine, demo: None) -> None:
    data = csv_bytes(
        [
            ["nama", "hp", "rt", "tags", "consent"],
            ["A", "081390000001", "RT 03", "ronda;PKK", "Ya"],
            ["B", "", "", "", ""],
            ["C", "081390000002", "tiga", "", ""],
            ["D", "081390000003", "", "x" * 41, ""],
            ["E", "081390000004", "", "", "entah"],
            ["F", "081390000001", "", "", ""],
            ["G", "0813900", "", "", ""],
        ]
    )
    report = import_(engine, data)
    assert [(r.row, r.reason) for r in report.rejections] == [
        (3, RejectReason.MISSING_PHONE),
        (4, RejectReason.BAD_VALUE),
        (5, RejectReason.BAD_VALUE),
        (6, RejectReason.BAD_VALUE),
        (7, RejectReason.DUPLICATE_IN_FILE),
        (8, RejectReason.BAD_NUMBER),
    ]
    assert report.created == 1
    with transaction(engine) as session:
        [a] = records.search(session=session, village_id=DEMO, filters=Filters(q="081390000001"))
        assert (a.rt, a.tags) == (3, ("ronda", "PKK"))


def test_evidence_is_required_and_kept_with_who_gave_it(engine: Engine, demo: None) -> None:
    with pytest.raises(BadRequest, match="consent_evidence is required"):
        import_(engine, b"hp\n081390000001\n", consent_evidence="   ")
    with pytest.raises(BadRequest, match="consent_evidence is required"):
        import_(engine, b"hp\n081390000001\n", consent_evidence=None)
    with pytest.raises(BadRequest, match=r"consent_evidence must be at least 5 characters \('ok' is 2\)"):
        import_(engine, b"hp\n081390000001\n", consent_evidence="  ok ")
    import_(engine, csv_bytes([["hp", "keterangan"], ["081390000001", "TTD di balai"]]))
    with Session(engine) as session:
        event = session.exec(select(ConsentEvent).where(ConsentEvent.source == "csv_import")).one()
    assert event.evidence == f"{EVIDENCE} (kader:1), row 2: TTD di balai"


def test_create_update_and_their_conflicts(engine: Engine, demo: None) -> None:
    with transaction(engine) as session:
        created = edits.create(
            session=session,
            village_id=DEMO,
            draft=ContactDraft(name="  Bu   Rini ", phone="0813 9000 0001", topics=("layanan", "jadwal")),
            now=T0,
            actor="kader:1",
        )
        assert (created.name, created.topics, created.subscription) == (
            "Bu Rini",
            ("jadwal", "layanan"),
            SubscriptionState.NEVER,
        )
        with pytest.raises(Conflict, match="already belongs to contact 1"):
            edits.create(
                session=session, village_id=DEMO, draft=ContactDraft(phone="081234500001"), now=T0, actor="k"
            )
        record, changed = edits.update(
            session=session,
            village_id=DEMO,
            contact_id=created.id,
            changes=ContactChanges(
                {"topics": [], "rt": 4}, subscribed=True, consent_evidence="formulir 1/12"
            ),
            now=T0,
            actor="kader:1",
        )
        assert changed == ["rt", "topics", "subscription"]
        assert (record.topics, record.rt, record.subscription) == ((), 4, SubscriptionState.SUBSCRIBED)
        with pytest.raises(BadRequest, match="cannot change village_id"):
            edits.update(
                session=session,
                village_id=DEMO,
                contact_id=created.id,
                changes=ContactChanges({"village_id": 2}),
                now=T0,
                actor="kader:1",
            )
        with pytest.raises(NotFound):
            records.get(session=session, village_id=DEMO + 1, contact_id=created.id)
        history = records.consent_history(session=session, contact_id=created.id)
        assert [(e.state, e.source) for e in history] == [(SubscriptionState.SUBSCRIBED, "staff")]


def test_a_number_taken_between_check_and_write_is_a_conflict(
    engine: Engine, demo: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As when a concurrent request wins the race: the check saw nothing, the unique constraint does.
    monkeypatch.setattr(edits, "owner_of", lambda *args: None)
    with pytest.raises(Conflict, match="just given to another contact"), transaction(engine) as session:
        edits.create(
            session=session, village_id=DEMO, draft=ContactDraft(phone="081234500001"), now=T0, actor="k"
        )
    with pytest.raises(Conflict, match="just given to another contact"), transaction(engine) as session:
        edits.update(
            session=session,
            village_id=DEMO,
            contact_id=2,
            changes=ContactChanges({"phone": "081234500001"}),
            now=T0,
            actor="k",
        )
    assert table_counts(engine)["Contact"] == 8


def test_a_list_never_unsubscribes_a_subscribed_contact(engine: Engine, demo: None) -> None:
    data = csv_bytes(
        [
            ["nama", "hp", "persetujuan"],
            ["Pak Slamet", "081234500001", "tidak"],
            ["Bu Sri", "081234500002", "ya"],
            ["Pak Baru", "081390000009", "tidak"],
        ]
    )
    report = import_(engine, data)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    assert (report.subscribed, report.kept_subscribed, report.kept_unsubscribed) == (0, 1, 0)
    assert [(n.row, n.contact_id) for n in report.notes] == [(2, 1)]
    assert report.notes[0].message.startswith("list says no consent; contact stays subscribed")
    assert report.counts()["kept_subscribed"] == 1
    with transaction(engine) as session:
        [slamet] = records.search(session=session, village_id=DEMO, filters=Filters(q="081234500001"))
        [baru] = records.search(session=session, village_id=DEMO, filters=Filters(q="081390000009"))
    assert slamet.subscription == SubscriptionState.SUBSCRIBED
    assert baru.subscription == SubscriptionState.NEVER
