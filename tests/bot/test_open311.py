"""The Open311 GeoReport v2 read API: public complaints only, nothing that identifies a reporter.

Tickets are made as residents make them, through the console channel of the demo village.
"""

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.db import transaction
from bot.demo import RESIDENTS, STAFF
from bot.routes import open311
from models import Ticket, TicketEvent, TicketEventKind, TicketStatus, Village
from models.vocabulary import CATEGORY_LABELS, Category
from tests import factories
from tests.conftest import T0, Clock

BASE = "/open311/v2"
DEMO = {"jurisdiction_id": "DEMO"}
SLAMET, SRI, AGUS = (phone for _, phone, *_ in RESIDENTS[:3])


def say(client: TestClient, number: str, text: str) -> str:
    reply = factories.say(client, number, text)
    found = re.search(r"\b(\d{6})\b", reply)
    assert found, reply
    return found.group(1)


@pytest.fixture
def codes(client: TestClient) -> dict[str, str]:
    """Three public complaints (one anonymous) and one confidential one."""
    return {
        "lampu": say(client, SLAMET, "lampu jalan RT 3 mati sudah seminggu, gelap sekali"),
        "anonim": say(client, SRI, "anonim saja ya pak, sampah numpuk di kali dekat jembatan"),
        "rahasia": say(client, AGUS, "ADUAN RAHASIA bendahara desa minta uang untuk urus BLT"),
    }


def get(client: TestClient, path: str, **params: str) -> Any:
    response = client.get(BASE + path, params={**DEMO, **params})
    assert response.status_code == 200, response.text
    assert_no_personal_data(response.text)
    return response.json()


def assert_no_personal_data(text: str) -> None:
    for name, phone, *_ in RESIDENTS:
        assert name not in text
        assert phone not in text
        assert phone.removeprefix("+") not in text
        assert "0" + phone.removeprefix("+62") not in text
    for name, _, phone in STAFF:
        assert name not in text
        assert phone not in text


def ticket(engine: Engine, code: str) -> Ticket:
    with Session(engine) as session:
        return session.exec(select(Ticket).where(Ticket.code == code)).one()


def test_services_are_the_twelve_categories(client: TestClient) -> None:
    services = get(client, "/services.json")
    assert [s["service_code"] for s in services] == [c.value for c in Category]
    assert len(services) == 12
    for service in services:
        assert service["service_name"] == CATEGORY_LABELS[Category(service["service_code"])]
        assert service["metadata"] is False
        assert service["type"] == "realtime"
        assert service["description"]
        assert isinstance(service["keywords"], str)
        assert service["group"]


def test_requests_list_public_tickets_without_personal_data(
    client: TestClient, engine: Engine, codes: dict[str, str]
) -> None:
    requests = get(client, "/requests.json")
    by_code = {r["service_request_id"]: r for r in requests}
    assert set(by_code) == {codes["lampu"], codes["anonim"]}
    assert codes["rahasia"] not in str(requests)
    assert "bendahara" not in str(requests)
    lampu = by_code[codes["lampu"]]
    assert lampu["status"] == "open"
    assert "lampu jalan" in lampu["description"]
    assert lampu["service_code"] == "infrastruktur"
    assert lampu["service_name"] == "Infrastruktur"
    assert lampu["agency_responsible"] == "Pemerintah Desa Sukamaju"
    assert "RT 03" in lampu["address"]
    assert lampu["zipcode"] is None
    assert lampu["lat"] is None
    assert lampu["long"] is None
    assert lampu["media_url"] is None
    assert lampu["requested_datetime"].endswith("+07:00")
    assert lampu["updated_datetime"]
    assert by_code[codes["anonim"]]["status"] == "open"
    assert "sampah" in by_code[codes["anonim"]]["description"]
    assert ticket(engine, codes["anonim"]).anonymous
    for request in requests:
        assert set(request) >= {
            "service_request_id",
            "status",
            "status_notes",
            "expected_datetime",
            "address",
        }
        assert not {"phone", "name", "reporter", "reporter_id", "email"} & set(request)


def test_request_detail_is_a_one_element_list(client: TestClient, codes: dict[str, str]) -> None:
    detail = get(client, f"/requests/{codes['lampu']}.json")
    assert len(detail) == 1
    assert detail[0]["service_request_id"] == codes["lampu"]
    assert detail[0]["status"] == "open"


def test_confidential_ticket_is_not_found(client: TestClient, engine: Engine, codes: dict[str, str]) -> None:
    assert ticket(engine, codes["rahasia"]).confidential
    secret = client.get(f"{BASE}/requests/{codes['rahasia']}.json", params=DEMO)
    unknown = client.get(f"{BASE}/requests/000000.json", params=DEMO)
    assert secret.status_code == unknown.status_code == 404
    assert secret.json()[0]["code"] == 404
    assert set(secret.json()[0]) == set(unknown.json()[0]) == {"code", "description"}
    assert get(client, "/requests.json", service_request_id=codes["rahasia"]) == []
    both = get(client, "/requests.json", service_request_id=f"{codes['rahasia']},{codes['lampu']}")
    assert [r["service_request_id"] for r in both] == [codes["lampu"]]


def test_names_and_numbers_typed_in_the_text_are_hidden(client: TestClient) -> None:
    code = say(client, SLAMET, "saya Pak Slamet, jalan di RT 2 rusak parah, hubungi 081234500001 ya")
    description = get(client, f"/requests/{code}.json")[0]["description"]
    assert "jalan" in description
    assert "Slamet" not in description
    assert "081234500001" not in description


def test_identity_numbers_are_hidden_and_money_and_dates_kept(client: TestClient) -> None:
    """An NIK or KK number (16 digits, grouped or not) names a person as surely as a phone does."""
    code = say(
        client,
        SRI,
        "BLT sy dipotong 100rb dr Rp 1.200.000 sejak 12-10-2026, NIK 3204123456780001 KK 3204 1234 5678 0002",
    )
    description = get(client, f"/requests/{code}.json")[0]["description"]
    assert description.endswith(
        "BLT sy dipotong 100rb dr Rp 1.200.000 sejak 12-10-2026, NIK [disembunyikan] KK [disembunyikan]"
    )


def test_status_and_notes_follow_the_lifecycle(
    client: TestClient, engine: Engine, codes: dict[str, str]
) -> None:
    with transaction(engine) as session:
        done = session.exec(select(Ticket).where(Ticket.code == codes["lampu"])).one()
        assert done.id is not None
        done.status = TicketStatus.SELESAI
        session.add(done)
        session.add_all(
            [
                TicketEvent(
                    ticket_id=done.id,
                    kind=TicketEventKind.PUBLIC_NOTE,
                    note="Lampu sudah diganti oleh perangkat desa",
                    public=True,
                    created_at=T0 + timedelta(minutes=1),
                ),
                TicketEvent(
                    ticket_id=done.id,
                    kind=TicketEventKind.INTERNAL_NOTE,
                    note="catatan internal: pelapor kerabat kadus",
                    created_at=T0 + timedelta(minutes=2),
                ),
            ]
        )
    closed = get(client, "/requests.json", status="closed")
    assert [r["service_request_id"] for r in closed] == [codes["lampu"]]
    assert closed[0]["status"] == "closed"
    assert closed[0]["status_notes"] == "Lampu sudah diganti oleh perangkat desa"
    assert "internal" not in str(closed)
    opened = get(client, "/requests.json", status="open")
    assert [r["service_request_id"] for r in opened] == [codes["anonim"]]
    assert opened[0]["status_notes"] is None
    assert len(get(client, "/requests.json", status="open,closed")) == 2


def test_filter_by_service_code(client: TestClient, engine: Engine, codes: dict[str, str]) -> None:
    lampu, anonim = ticket(engine, codes["lampu"]), ticket(engine, codes["anonim"])
    assert lampu.category != anonim.category
    only = get(client, "/requests.json", service_code=lampu.category.value)
    assert [r["service_request_id"] for r in only] == [codes["lampu"]]
    both = get(client, "/requests.json", service_code=f"{lampu.category.value},{anonim.category.value}")
    assert len(both) == 2
    assert get(client, "/requests.json", service_code="bansos") == []


def test_filter_by_date(client: TestClient, clock: Clock) -> None:
    old = say(client, SLAMET, "jalan di RT 1 berlubang besar")
    clock.advance(days=100)
    new = say(client, SRI, "lampu jalan RT 3 mati lagi")

    def ids(**params: str) -> list[str]:
        return [r["service_request_id"] for r in get(client, "/requests.json", **params)]

    assert ids() == [new]  # the last 90 days by default
    t0 = T0.isoformat()
    assert ids(start_date=t0) == [new, old]
    assert ids(
        start_date=(T0 - timedelta(days=1)).isoformat(), end_date=(T0 + timedelta(days=1)).isoformat()
    ) == [old]
    assert ids(end_date=(T0 + timedelta(days=1)).date().isoformat()) == [old]
    assert ids(start_date=(clock.now - timedelta(hours=1)).isoformat().replace("+00:00", "Z")) == [new]
    assert ids(start_date=(clock.now + timedelta(hours=1)).isoformat()) == []


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/services.json", {}, 400),
        ("/requests.json", {}, 400),
        ("/requests/123456.json", {}, 400),
        ("/services.json", {"jurisdiction_id": "NOPE"}, 404),
        ("/requests.json", {"jurisdiction_id": "NOPE"}, 404),
        ("/requests/123456.json", {"jurisdiction_id": "NOPE"}, 404),
        ("/requests/123456.json", DEMO, 404),
        ("/requests.json", {**DEMO, "start_date": "kemarin"}, 400),
        ("/requests.json", {**DEMO, "end_date": "2026-13-45"}, 400),
        ("/requests.json", {**DEMO, "start_date": "2026-12-02", "end_date": "2026-11-01"}, 400),
        ("/requests.json", {**DEMO, "status": "selesai"}, 400),
        # Unknown service codes, alone or among valid ones (they are category values, lower case).
        ("/requests.json", {**DEMO, "service_code": "foo"}, 400),
        ("/requests.json", {**DEMO, "service_code": "Infrastruktur"}, 400),
        ("/requests.json", {**DEMO, "service_code": "infrastruktur,foo"}, 400),
        # Dates that would overflow (end of day, the default span, the conversion to UTC) or are absurd.
        ("/requests.json", {**DEMO, "end_date": "0001-01-01"}, 400),
        ("/requests.json", {**DEMO, "start_date": "0001-01-01"}, 400),
        ("/requests.json", {**DEMO, "start_date": "0001-01-01T00:00:00+14:00"}, 400),
        ("/requests.json", {**DEMO, "start_date": "9999-12-31T23:59:59-12:00"}, 400),
        ("/requests.json", {**DEMO, "end_date": "9999-12-31"}, 400),
        ("/requests.json", {**DEMO, "start_date": "1999-12-31"}, 400),
        ("/requests.json", {**DEMO, "end_date": "2101-01-01T00:00:00"}, 400),
        # NUL (PostgreSQL refuses it in text) in every string parameter.
        ("/services.json", {"jurisdiction_id": "\x00"}, 400),
        ("/requests.json", {"jurisdiction_id": "\x00"}, 400),
        ("/requests.json", {"jurisdiction_id": "DEMO\x00"}, 400),
        ("/requests/123456.json", {"jurisdiction_id": "\x00"}, 400),
        ("/requests.json", {**DEMO, "service_request_id": "\x00"}, 400),
        ("/requests.json", {**DEMO, "service_request_id": "123456,1\x002"}, 400),
        ("/requests.json", {**DEMO, "service_code": "bansos\x00"}, 400),
        ("/requests.json", {**DEMO, "status": "open\x00"}, 400),
        ("/requests.json", {**DEMO, "start_date": "2026-12-01\x00"}, 400),
        ("/requests.json", {**DEMO, "end_date": "\x00"}, 400),
        ("/requests.json", {**DEMO, "service_request_id": ",".join(["123456"] * 1001)}, 400),
        # A request code is six digits: anything else simply does not exist.
        ("/requests/1%002.json", DEMO, 404),
        ("/requests/%00.json", DEMO, 404),
        ("/requests/12345.json", DEMO, 404),
        ("/requests/1234567.json", DEMO, 404),
        ("/requests/%D9%A1%D9%A2%D9%A3%D9%A4%D9%A5%D9%A6.json", DEMO, 404),  # Arabic-Indic digits
        ("/requests/%ED%A0%80.json", DEMO, 404),  # an encoded lone surrogate
    ],
)
def test_errors_are_georeport_error_lists(
    client: TestClient, path: str, params: dict[str, str], status: int
) -> None:
    response = client.get(BASE + path, params=params)
    assert response.status_code == status, response.text
    errors = response.json()
    assert isinstance(errors, list)
    assert len(errors) == 1
    assert errors[0]["code"] == status
    assert isinstance(errors[0]["description"], str)
    assert errors[0]["description"]


def test_other_villages_do_not_see_each_others_tickets(
    client: TestClient, engine: Engine, codes: dict[str, str]
) -> None:
    with transaction(engine) as session:
        session.add(Village(code="LAIN", name="Desa Lain"))
    lain = {"jurisdiction_id": "LAIN"}
    assert client.get(f"{BASE}/requests.json", params=lain).json() == []
    assert client.get(f"{BASE}/requests/{codes['lampu']}.json", params=lain).status_code == 404
    assert len(client.get(f"{BASE}/services.json", params=lain).json()) == 12


def test_no_authentication_needed_and_no_personal_data_in_the_schema(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith(BASE)]
    assert sorted(paths) == [
        f"{BASE}/requests.json",
        f"{BASE}/requests/{{code}}.json",
        f"{BASE}/services.json",
    ]
    fields = schema["components"]["schemas"]["RequestOut"]["properties"]
    assert not {"phone", "name", "reporter", "reporter_id"} & set(fields)


def test_complaints_about_the_head_never_appear(client: TestClient) -> None:
    response = client.post(
        "/webhooks/console",
        json={
            "from": "+6281234500005",
            "to": "+62800000001",
            "text": "pak kades pakai dana desa utk kepentingan pribadi",
        },
    )
    code = response.json()["ticket"]
    assert code
    listing = client.get("/open311/v2/requests.json", params={"jurisdiction_id": "DEMO"})
    assert code not in listing.text
    single = client.get(f"/open311/v2/requests/{code}.json", params={"jurisdiction_id": "DEMO"})
    assert single.status_code == 404


def test_unknown_service_code_names_the_valid_ones(client: TestClient) -> None:
    response = client.get(f"{BASE}/requests.json", params={**DEMO, "service_code": "Infrastruktur"})
    assert response.status_code == 400
    description = response.json()[0]["description"]
    assert "'Infrastruktur'" in description
    for category in Category:
        assert category.value in description


def test_valid_service_codes_still_combine(client: TestClient, codes: dict[str, str]) -> None:
    all_codes = ",".join(c.value for c in Category)
    assert len(get(client, "/requests.json", service_code=all_codes)) == 2
    assert len(get(client, "/requests.json", service_code=" infrastruktur , infrastruktur ,")) == 1


def test_dates_at_the_edges_of_the_allowed_years(client: TestClient, codes: dict[str, str]) -> None:
    assert len(get(client, "/requests.json", start_date="2000-01-01")) == 2
    assert len(get(client, "/requests.json", start_date="2000-01-01T00:00:00+14:00")) == 2
    assert len(get(client, "/requests.json", end_date="2100-12-31")) == 0  # the 90 days before it
    assert len(get(client, "/requests.json", start_date="2000-01-01", end_date="2100-12-31")) == 2
    response = client.get(f"{BASE}/requests.json", params={**DEMO, "end_date": "0001-01-01"})
    assert response.status_code == 400
    assert "2000" in response.json()[0]["description"]


def test_request_codes_that_cannot_exist_match_nothing(client: TestClient, codes: dict[str, str]) -> None:
    # service_request_id overrides every other filter: codes that cannot exist give nothing, not everything.
    assert get(client, "/requests.json", service_request_id="abc") == []
    assert get(client, "/requests.json", service_request_id="1234567,12345") == []
    found = get(client, "/requests.json", service_request_id=f"abc,{codes['lampu']},{codes['lampu']}")
    assert [r["service_request_id"] for r in found] == [codes["lampu"]]


def test_errors_never_echo_nul_or_surrogates(client: TestClient) -> None:
    response = client.get(f"{BASE}/requests/1%002.json", params=DEMO)
    assert response.status_code == 404
    assert "\x00" not in response.text
    assert response.json() == [{"code": 404, "description": "no request '1\\x002'"}]
    response = client.get(f"{BASE}/services.json", params={"jurisdiction_id": "X" * 5000})
    assert response.status_code == 404
    assert len(response.json()[0]["description"]) < 100


@pytest.mark.parametrize("bad", ["\x00", "DEMO\x00", "\ud800", "a\udfffb"])
def test_nul_and_lone_surrogates_are_refused_by_the_checks(bad: str) -> None:
    # Lone surrogates cannot arrive through HTTP (URL decoding replaces them), but the check refuses them.
    with pytest.raises(open311.GeoReportError) as raised:
        open311._checked("jurisdiction_id", bad)
    assert raised.value.status_code == 400
    assert open311._checked("jurisdiction_id", "DEMO") == "DEMO"
