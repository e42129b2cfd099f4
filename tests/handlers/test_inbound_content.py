"""What an inbound message may carry into the database, whatever its channel (issue 9, items 8, 9, 11):
ids whole, no NUL anywhere, texts cut to WhatsApp's own limit, media URLs that are https, locations."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from handlers.inbound import MAX_TEXT, InboundMessage, Location, Media
from models import Message, Ticket
from models.errors import BadRequest
from models.village import Channel
from tests.factories import Phone

WARGA = "+6281234500001"
CONSOLE = "/webhooks/console"


def console(client: TestClient, **body: object) -> list[str]:
    response = client.post(CONSOLE, json={"from": WARGA, "to": "+62800000001", **body})
    assert response.status_code == 200, response.text
    replies: list[str] = response.json()["replies"]
    return replies


def stored(engine: Engine) -> list[Message]:
    with Session(engine) as session:
        return list(session.exec(select(Message).where(Message.direction == "in").order_by(col(Message.id))))


def only_ticket(engine: Engine) -> Ticket:
    with Session(engine) as session:
        return session.exec(select(Ticket)).one()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://example.id/foto.jpg",  # http only on this machine
        "https://user:secret@example.id/foto.jpg",
        "data:image/png;base64,iVBORw0KGgo=",
        "//example.id/foto.jpg",
    ],
)
def test_the_console_keeps_only_https_media(client: TestClient, engine: Engine, url: str) -> None:
    [reply] = console(client, text="", media=[url])
    assert "kosong" in reply  # nothing left: an empty message
    [message] = stored(engine)
    assert message.media == []


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("https://example.id/foto.jpg", "Foto"),
        ("http://127.0.0.1:8099/rekaman.ogg", "Pesan suara"),
        ("http://localhost/surat.pdf", "Dokumen"),
        ("https://example.id/lampiran", "Lampiran"),
    ],
)
def test_the_console_keeps_https_and_local_media(
    client: TestClient, engine: Engine, url: str, named: str
) -> None:
    [reply] = console(client, text="", media=[url])
    assert reply.startswith(f"{named} diterima, kode aduan")
    assert only_ticket(engine).media == [{"url": url, "content_type": ""}]


def test_the_console_takes_ids_up_to_255_characters(client: TestClient, engine: Engine) -> None:
    console(client, text="MENU", id="c" * 255)
    assert (
        client.post(
            CONSOLE, json={"from": WARGA, "to": "+62800000001", "text": "MENU", "id": "c" * 256}
        ).status_code
        == 422
    )
    assert [m.provider_id for m in stored(engine)] == ["c" * 255]


def test_more_photos_keep_the_complaint_waiting_for_its_words(client: TestClient, engine: Engine) -> None:
    first = console(client, text="", media=["https://example.id/1.jpg"])[0]
    code = first.split("kode aduan ")[1][:6]
    second = console(client, text="", media=["https://example.id/2.jpg"])[0]
    assert first.startswith("Foto diterima")  # by the file name: the console gives no type
    assert second.startswith(f"Foto ditambahkan ke aduan {code}")
    assert "keterangan" in second
    third = Phone(client, WARGA).say("pohon tumbang menutup jalan di dusun Krajan")
    assert f"ditambahkan ke aduan {code}" in third
    ticket = only_ticket(engine)
    assert len(ticket.media) == 2
    assert ticket.text == "pohon tumbang menutup jalan di dusun Krajan"
    assert ticket.dusun == "Krajan"


def message(**fields: object) -> InboundMessage:
    values: dict[str, object] = {
        "channel": Channel.WHATSAPP_CLOUD,
        "provider_id": "wamid.1",
        "to": "100000000000001",
        "sender": WARGA,
        "text": "lampu mati",
        **fields,
    }
    return InboundMessage(**values)  # type: ignore[arg-type]


def test_nul_is_dropped_from_every_stored_string() -> None:
    cleaned = message(
        provider_id="wamid.\x001",
        to="1000\x0000000000001",
        media=(Media("https://example.id/\x00a.jpg", "image/jpeg\x00"),),
        location=Location(-6.9, 107.6, "Balai\x00 Desa", "RT\x00 2"),
        raw={"message": {"id": "wamid.\x001"}},
    )
    assert (cleaned.provider_id, cleaned.to) == ("wamid.1", "100000000000001")
    assert cleaned.media == (Media("https://example.id/a.jpg", "image/jpeg"),)
    assert cleaned.location == Location(-6.9, 107.6, "Balai Desa", "RT 2")
    assert cleaned.raw == {"message": {"id": "wamid.1"}}


def test_a_long_text_is_cut_and_its_length_kept() -> None:
    long = message(text="x" * 1_000_000, raw={"text": {"body": "x" * 1_000_000}, "short": "ok"})
    assert len(long.text) == MAX_TEXT
    assert long.cut_from == 1_000_000
    assert long.raw == {"text": {"body": "x" * MAX_TEXT}, "short": "ok"}
    assert message(text="x" * MAX_TEXT).cut_from is None


def test_a_provider_id_longer_than_its_column_is_refused() -> None:
    assert message(provider_id="w" * 255).provider_id == "w" * 255
    with pytest.raises(BadRequest, match="255"):
        message(provider_id="w" * 256)


@pytest.mark.parametrize(
    ("latitude", "longitude", "text"),
    [
        ("-6.9147", "107.6098", "Lokasi: -6.9147,107.6098"),
        (-6.9, 107.6, "Lokasi: -6.9,107.6"),
        (0.00001, -0.0, "Lokasi: 0,0"),
        ("37.4611978", "-122.2164385", "Lokasi: 37.4612,-122.2164"),  # pywa's "chosen_location"
        ("90", "-180", "Lokasi: 90,-180"),
    ],
)
def test_a_location_reads_as_people_write_it(latitude: object, longitude: object, text: str) -> None:
    place = Location.parse(latitude, longitude)
    assert place is not None
    assert place.text() == text


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [("abc", "1"), ("91", "0"), ("0", "181"), ("nan", "0"), ("inf", "0"), (None, "0")],
)
def test_a_location_off_the_globe_is_none(latitude: object, longitude: object) -> None:
    assert Location.parse(latitude, longitude) is None


def test_the_stored_text_holds_the_words_and_the_place() -> None:
    place = Location(-6.9147, 107.6098, "Jembatan Cibodas", "RT 02 RW 03")
    assert (
        message(text="", location=place).stored_text
        == "Lokasi: -6.9147,107.6098 (Jembatan Cibodas, RT 02 RW 03)"
    )
    assert message(text="di sini", location=place).stored_text.startswith("di sini\nLokasi: ")
    assert message(text="di sini").stored_text == "di sini"
