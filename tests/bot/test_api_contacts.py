"""/api/v1/contacts over real SQLite and PostgreSQL: who may see and change the contact list, what each
answer says, consent records, and the CSV lists cadres keep in spreadsheets.

Demo residents (bot/demo.py) are contacts 1-8, all subscribed; 1, 2 and 7 live in Krajan. Contact 9 is
Pak Made of the other village, LAIN.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import AuditEntry, ConsentEvent, Contact, ContactIdentity, SubscriptionState, Ticket
from tests import factories
from tests.apiclient import Api

DATA = Path(__file__).parent.parent / "data"
EVIDENCE = "daftar hadir Musdes 2026"
SLAMET, YATI, MADE = "+6281234500001", "+6287812300004", "+6281200000099"


def send(api: Api, method: str, path: str, who: str = "kader", **kwargs: Any) -> httpx.Response:
    """A request as `who` (as Api.call), with any body: files, content, headers."""
    who, _, village = who.partition("@")
    headers = {"Authorization": f"Bearer {api.tokens[who]}"} if who in api.tokens else {}
    params = dict(kwargs.pop("params", None) or {})
    if who == "operator":
        params = {"village": village or "DEMO", **params}
    headers.update(kwargs.pop("headers", None) or {})
    response: httpx.Response = api.client.request(
        method, "/api/v1" + path, params=params, headers=headers, **kwargs
    )
    return response


def upload(
    api: Api,
    data: bytes | str,
    who: str = "kader",
    evidence: str | None = EVIDENCE,
    dry_run: bool = False,
    filename: str = "warga.csv",
) -> httpx.Response:
    """POST /contacts/import as a multipart form, as a browser sends it."""
    content = data.encode("utf-8") if isinstance(data, str) else data
    fields = {"dry_run": "true" if dry_run else "false"}
    if evidence is not None:
        fields["consent_evidence"] = evidence
    files = {"file": (filename, content, "text/csv")}
    return send(api, "POST", "/contacts/import", who, data=fields, files=files)


def imported(api: Api, data: bytes | str, **kwargs: Any) -> dict[str, Any]:
    response = upload(api, data, **kwargs)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as session:
        return len(session.exec(select(model)).all())


def consent_events(engine: Engine, contact_id: int) -> list[ConsentEvent]:
    with Session(engine) as session:
        query = (
            select(ConsentEvent).where(ConsentEvent.contact_id == contact_id).order_by(col(ConsentEvent.id))
        )
        return list(session.exec(query).all())


def audit_entries(engine: Engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id))
        return list(session.exec(query).all())


def contact_by_phone(engine: Engine, phone: str) -> Contact:
    with Session(engine) as session:
        identity = session.exec(select(ContactIdentity).where(ContactIdentity.value == phone)).one()
        contact = session.get(Contact, identity.contact_id)
        assert contact is not None
        return contact


def rows_of(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


# --- who may do what -----------------------------------------------------------------------------

READ = frozenset({"kader", "kades", "operator"})
WRITE = frozenset({"kader", "operator"})


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    allowed: frozenset[str]
    status: int
    kwargs: dict[str, Any]

    @property
    def addresses_one(self) -> bool:
        return self.path.split("/")[-1].isdigit()


ENDPOINTS = {
    "list": Endpoint("GET", "/contacts", READ, 200, {}),
    "get": Endpoint("GET", "/contacts/1", READ, 200, {}),
    "create": Endpoint(
        "POST", "/contacts", WRITE, 201, {"json": {"name": "Bu Rini", "phone": "0812 9000 00{n}"}}
    ),
    "update": Endpoint("PATCH", "/contacts/1", WRITE, 200, {"json": {"rt": 3}}),
    "import": Endpoint(
        "POST",
        "/contacts/import",
        WRITE,
        200,
        {
            "content": "nama,hp\nBu Rini,0812 9000 00{n}\n",
            "headers": {"Content-Type": "text/csv"},
            "params": {"consent_evidence": EVIDENCE},
        },
    ),
    "export": Endpoint("GET", "/contacts/export", WRITE, 200, {}),
}
PRINCIPALS = ["none", "bad", "kader", "kades", "bpd", "operator", "other", "operator@LAIN"]


def fresh(value: Any, n: int) -> Any:
    """The request with its placeholder {n} filled: each caller adds a number nobody has."""
    if isinstance(value, str):
        return value.replace("{n}", str(n))
    if isinstance(value, dict):
        return {key: fresh(item, n) for key, item in value.items()}
    return value


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_authorization_matrix(api: Api, name: str) -> None:
    endpoint = ENDPOINTS[name]
    for n, who in enumerate(PRINCIPALS, start=10):
        role = who.partition("@")[0]
        response = send(api, endpoint.method, endpoint.path, who, **fresh(endpoint.kwargs, n))
        if role in ("none", "bad"):
            expected = 401
        elif role == "other":  # LAIN's kader: allowed as a kader, but DEMO's contact is not there
            expected = 404 if endpoint.addresses_one else endpoint.status
        elif role not in endpoint.allowed:
            expected = 403
        elif who == "operator@LAIN" and endpoint.addresses_one:
            expected = 404
        else:
            expected = endpoint.status
        assert response.status_code == expected, (name, who, response.text)
        if expected == 403:
            assert "contacts" in response.json()["detail"]


def test_other_villages_contacts_are_never_seen(api: Api) -> None:
    mine = api.ok("GET", "/contacts", "other")
    assert [c["phone"] for c in mine] == [MADE]
    assert send(api, "GET", "/contacts/9").status_code == 404
    assert send(api, "PATCH", "/contacts/9", json={"name": "X"}).status_code == 404
    assert send(api, "GET", "/contacts/1", "other").status_code == 404
    assert send(api, "GET", "/contacts/999999").status_code == 404
    exported = send(api, "GET", "/contacts/export", "other").text
    assert [row["phone"] for row in rows_of(exported)] == ["'" + MADE]
    # The same number may be a contact in each village.
    created = api.ok("POST", "/contacts", json={"name": "Pak Made", "phone": "081200000099"})
    assert created["phone"] == MADE
    assert created["id"] != 9


# --- create --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "0812-9000-0001",
        "081290000001",
        "6281290000001",
        "+62 812 9000 0001",
        "81290000001",
        "(0812) 9000 0001",
    ],
)
def test_any_indonesian_form_is_stored_as_e164(api: Api, raw: str) -> None:
    created = api.ok("POST", "/contacts", json={"phone": raw})
    assert created["phone"] == "+6281290000001"
    assert created["subscription"] == "never"
    assert created["consent"] == []


def test_create_with_consent_records_where_it_came_from(api: Api) -> None:
    body = {
        "name": "Bu Sumarni",
        "phone": "0812-3456-7890",
        "dusun": "krajan",
        "rw": 1,
        "rt": 2,
        "tags": ["kader PKK"],
        "topics": ["dana_desa", "jadwal"],
        "preferred_channel": "twilio_whatsapp",
        "subscribed": True,
        "consent_evidence": "formulir Posyandu 12/11",
    }
    created = api.ok("POST", "/contacts", json=body)
    assert created["dusun"] == "Krajan"  # the village's spelling
    assert created["topics"] == ["jadwal", "dana_desa"]
    assert created["tags"] == ["kader PKK"]
    assert created["subscription"] == "subscribed"
    [event] = created["consent"]
    assert event["source"] == "staff"
    assert event["state"] == "subscribed"
    assert event["evidence"].startswith("formulir Posyandu 12/11 (kader:")
    assert [e.source for e in consent_events(api.engine, created["id"])] == ["staff"]

    [entry] = audit_entries(api.engine, "contact.create")
    assert entry.target == f"contact:{created['id']}"
    assert entry.detail["subscribed"] is True
    assert "phone" in entry.detail["fields"]
    assert "name" in entry.detail["fields"]
    assert "Sumarni" not in str(entry.detail)
    assert "3456" not in str(entry.detail)
    assert api.ok("GET", f"/contacts/{created['id']}") == created


def test_a_whatsapp_user_without_a_phone(api: Api) -> None:
    created = api.ok("POST", "/contacts", json={"name": "Mas Bayu", "whatsapp_id": "ID.13491208655302741918"})
    assert created["phone"] is None
    assert created["whatsapp_id"] == "ID.13491208655302741918"
    again = send(api, "POST", "/contacts", json={"whatsapp_id": "ID.13491208655302741918"})
    assert again.status_code == 409
    assert f"contact {created['id']}" in again.json()["detail"]


def test_a_number_already_in_the_village_is_409_naming_its_contact(api: Api) -> None:
    response = send(api, "POST", "/contacts", json={"name": "Slamet lagi", "phone": "0812-3450-0001"})
    assert response.status_code == 409
    assert response.json()["detail"] == "this phone number already belongs to contact 1"
    assert count(api.engine, Contact) == 9


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"phone": "0812-345"}, "not a valid phone number"),
        ({"phone": "0812ABC4567"}, "not a phone number"),
        ({"phone": "8,12346E+11"}, "lost its last digits"),
        ({"phone": ""}, "at least 1 character"),
        ({"name": "Tanpa nomor"}, "give a phone number or a WhatsApp id"),
        ({"whatsapp_id": "6281234"}, "pattern"),
        ({"phone": "081290000001", "subscribed": True}, "consent_evidence"),
        ({"phone": "081290000001", "subscribed": True, "consent_evidence": "  "}, "at least 5"),
        ({"phone": "081290000001", "dusun": "Cibodas Hilir"}, "no dusun 'Cibodas Hilir'"),
        ({"phone": "081290000001", "rt": 1000}, "less than or equal to 999"),
        ({"phone": "081290000001", "topics": ["cuaca"]}, "jadwal"),
        ({"phone": "081290000001", "tags": ["a,b"]}, "pattern"),
        ({"phone": "081290000001", "tags": [f"{i}" + "x" * 39 for i in range(7)]}, "longer than 255"),
        ({"phone": "081290000001", "nama": "typo"}, "Extra inputs"),
        ({"phone": ["081290000001"]}, "string"),
    ],
)
def test_create_validation_says_what_is_wrong(api: Api, body: dict[str, Any], expected: str) -> None:
    response = send(api, "POST", "/contacts", json=body)
    assert response.status_code == 422, response.text
    assert expected in str(response.json()["detail"])
    assert count(api.engine, Contact) == 9


# --- list and search -----------------------------------------------------------------------------


def ids(api: Api, who: str = "kader", **params: Any) -> list[int]:
    return sorted(c["id"] for c in api.ok("GET", "/contacts", who, **params))


def test_search_by_name_number_place_topic_and_consent(api: Api) -> None:
    everyone = api.ok("GET", "/contacts")
    assert [c["name"] for c in everyone] == sorted(c["name"] for c in everyone)  # by name
    assert len(everyone) == 8
    assert ids(api, q="slamet") == [1]
    assert ids(api, q="BU ") == [2, 4]  # Bu Sri Wahyuni, Bu Yati
    assert ids(api, q="0812345") == [1, 2]  # 0812... is +62812...
    assert ids(api, q="+62 878") == [4]
    assert ids(api, q="00004") == [4]  # the end of a number
    assert ids(api, q="100%") == []  # LIKE wildcards are literal
    assert ids(api, dusun="krajan") == [1, 2, 7]
    assert ids(api, dusun="Cibodas", rw=3, rt=3) == [6]
    assert ids(api, dusun="Nowhere") == []

    api.ok("PATCH", "/contacts/3", json={"topics": ["dana_desa"], "tags": ["ronda"]})
    api.ok("PATCH", "/contacts/5", json={"topics": ["jadwal"]})
    api.ok("PATCH", "/contacts/8", json={"subscribed": False})
    assert 3 in ids(api, topic="dana_desa")
    assert 5 not in ids(api, topic="dana_desa")
    assert len(ids(api, topic="dana_desa")) == 7  # no topic chosen means every topic
    assert ids(api, tag="ronda") == [3]
    assert ids(api, subscription="unsubscribed") == [8]
    assert len(ids(api, subscription="subscribed")) == 7

    pages = [api.ok("GET", "/contacts", limit=3, offset=offset) for offset in (0, 3, 6)]
    assert [c["id"] for page in pages for c in page] == [c["id"] for c in everyone]
    assert ids(api, "operator", q="slamet") == [1]
    assert ids(api, "kades", q="slamet") == [1]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 501},
        {"offset": -1},
        {"rt": 1000},
        {"topic": "cuaca"},
        {"subscription": "maybe"},
        {"q": ""},
    ],
)
def test_search_parameters_are_checked(api: Api, params: dict[str, Any]) -> None:
    assert send(api, "GET", "/contacts", params=params).status_code == 422


def test_get_a_contact_with_its_consent_history(api: Api) -> None:
    contact = api.ok("GET", "/contacts/1")
    assert contact["name"] == "Pak Slamet"
    assert contact["phone"] == SLAMET
    assert contact["dusun"] == "Krajan"
    assert (contact["rw"], contact["rt"]) == (1, 2)
    assert [(e["source"], e["state"]) for e in contact["consent"]] == [("demo", "subscribed")]
    assert send(api, "GET", "/contacts/0").status_code == 422
    assert send(api, "GET", "/contacts/abc").status_code == 422


# --- edit ----------------------------------------------------------------------------------------


def test_edit_fields_and_audit_which_changed(api: Api) -> None:
    changed = api.ok(
        "PATCH",
        "/contacts/1",
        json={
            "name": "Pak Slamet Riyadi",
            "phone": "0813 1111 2222",
            "dusun": "sukamulya",
            "rw": 2,
            "rt": None,
        },
    )
    assert changed["name"] == "Pak Slamet Riyadi"
    assert changed["phone"] == "+6281311112222"
    assert (changed["dusun"], changed["rw"], changed["rt"]) == ("Sukamulya", 2, None)
    [entry] = audit_entries(api.engine, "contact.update")
    assert entry.target == "contact:1"
    assert entry.detail == {"fields": ["name", "phone", "dusun", "rw", "rt"]}
    # The old number is free again, the new one is taken.
    assert api.ok("POST", "/contacts", json={"phone": SLAMET})["phone"] == SLAMET
    taken = send(api, "PATCH", "/contacts/2", json={"phone": "081311112222"})
    assert taken.status_code == 409
    assert "contact 1" in taken.json()["detail"]

    # Nothing new: no audit entry.
    api.ok("PATCH", "/contacts/1", json={"name": "Pak Slamet Riyadi"})
    assert len(audit_entries(api.engine, "contact.update")) == 1


def test_a_contact_keeps_a_phone_or_a_whatsapp_id(api: Api) -> None:
    response = send(api, "PATCH", "/contacts/1", json={"phone": None})
    assert response.status_code == 422
    assert "phone number or a WhatsApp id" in response.json()["detail"]
    api.ok("PATCH", "/contacts/1", json={"whatsapp_id": "ID.1349120865"})
    cleared = api.ok("PATCH", "/contacts/1", json={"phone": None})
    assert cleared["phone"] is None
    assert cleared["whatsapp_id"] == "ID.1349120865"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, "nothing to change"),
        ({"consent_evidence": "formulir 12/11"}, "consent_evidence goes with subscribed"),
        ({"subscribed": None}, "true or false"),
        ({"phone": "12"}, "not a valid phone number"),
        ({"dusun": "Atlantis"}, "no dusun"),
        ({"id": 5}, "Extra inputs"),
    ],
)
def test_edit_validation(api: Api, body: dict[str, Any], expected: str) -> None:
    response = send(api, "PATCH", "/contacts/1", json=body)
    assert response.status_code == 422, response.text
    assert expected in str(response.json()["detail"])


def test_unsubscribed_contacts_come_back_only_with_evidence(api: Api) -> None:
    stopped = api.ok("PATCH", "/contacts/2", json={"subscribed": False, "consent_evidence": "minta berhenti"})
    assert stopped["subscription"] == "unsubscribed"
    refused = send(api, "PATCH", "/contacts/2", json={"subscribed": True})
    assert refused.status_code == 422
    assert "unsubscribed on 2026-12-02" in refused.json()["detail"]
    back = api.ok(
        "PATCH", "/contacts/2", json={"subscribed": True, "consent_evidence": "datang ke kantor desa 3/12"}
    )
    assert back["subscription"] == "subscribed"
    events = consent_events(api.engine, 2)
    assert [(e.source, e.state) for e in events] == [
        ("demo", SubscriptionState.SUBSCRIBED),
        ("staff", SubscriptionState.UNSUBSCRIBED),
        ("staff", SubscriptionState.SUBSCRIBED),
    ]
    assert events[1].evidence is not None
    assert events[1].evidence.startswith("minta berhenti (kader:")
    assert events[2].evidence is not None
    assert events[2].evidence.startswith("datang ke kantor desa 3/12")
    assert [e["source"] for e in back["consent"]] == ["staff", "staff", "demo"]  # latest first
    # Asking for what already holds records nothing.
    api.ok("PATCH", "/contacts/2", json={"subscribed": True, "consent_evidence": "formulir lagi"})
    assert len(consent_events(api.engine, 2)) == 3
    [entry, *_] = audit_entries(api.engine, "contact.update")
    assert entry.detail == {"fields": ["subscription"]}


def test_a_never_subscribed_contact_needs_evidence_too(api: Api) -> None:
    created = api.ok("POST", "/contacts", json={"phone": "081290000001"})
    response = send(api, "PATCH", f"/contacts/{created['id']}", json={"subscribed": True})
    assert response.status_code == 422
    assert "consent_evidence is required" in response.json()["detail"]
    # Declining someone who never subscribed changes nothing.
    api.ok("PATCH", f"/contacts/{created['id']}", json={"subscribed": False})
    assert consent_events(api.engine, created["id"]) == []


# --- import --------------------------------------------------------------------------------------


def test_an_excel_export_with_every_kind_of_problem(api: Api) -> None:
    data = (DATA / "contacts_excel_semicolon.csv").read_bytes()
    before = count(api.engine, Contact)
    result = imported(api, data)
    assert (result["encoding"], result["delimiter"]) == ("utf-8", ";")
    assert result["columns"] == {
        "name": "Nama",
        "phone": "No. HP",
        "dusun": "Dusun",
        "rt_rw": "RT/RW",
        "topics": "Topik",
        "note": "Keterangan",
    }
    assert result["ignored_columns"] == ["No", "Alamat"]
    counts = {
        key: result[key] for key in ("rows", "created", "updated", "unchanged", "rejected", "skipped_empty")
    }
    assert counts == {
        "rows": 13,
        "created": 5,
        "updated": 1,
        "unchanged": 1,
        "rejected": 6,
        "skipped_empty": 1,
    }
    assert result["subscribed"] == 4
    assert [(r["row"], r["reason"]) for r in result["rejections"]] == [
        (5, "bad_number"),
        (7, "duplicate_in_file"),
        (8, "missing_phone"),
        (9, "bad_number"),
        (13, "bad_value"),
        (14, "bad_value"),
    ]
    messages = {r["row"]: r["message"] for r in result["rejections"]}
    assert "lost its last digits" in messages[5]
    assert messages[7] == "the same phone number as row 2"
    assert "Cibodas Hilir" in messages[13]
    assert "cuaca" in messages[14]
    assert count(api.engine, Contact) == before + 5

    sumarni = api.ok("GET", "/contacts", q="Sumarni")[0]
    assert (sumarni["phone"], sumarni["dusun"], sumarni["rw"], sumarni["rt"]) == (
        "+6281234567801",
        "Krajan",
        1,
        2,
    )
    assert sumarni["topics"] == ["jadwal", "dana_desa"]
    assert sumarni["subscription"] == "subscribed"
    darto = api.ok("GET", "/contacts", q="Darto")[0]
    assert (darto["phone"], darto["dusun"], darto["rw"], darto["rt"]) == ("+6281234567802", "Krajan", 1, 3)
    assert api.ok("GET", "/contacts", q="Lestari")[0]["phone"] == "+62812345678031"
    tini = api.ok("GET", "/contacts", q="Tini")[0]
    assert tini["subscription"] == "never"
    udin = api.ok("GET", "/contacts", q="Haji")[0]
    assert udin["name"] == 'Pak "Haji" Udin; Jr'
    assert udin["dusun"] == "Cibodas"
    slamet = api.ok("GET", "/contacts/1")
    assert slamet["name"] == "Pak Slamet Riyadi"
    assert (slamet["rw"], slamet["rt"]) == (1, 2)  # empty cells keep what the contact had

    [event] = consent_events(api.engine, sumarni["id"])
    assert event.source == "csv_import"
    assert event.state == SubscriptionState.SUBSCRIBED
    assert event.evidence is not None
    assert event.evidence.startswith(EVIDENCE + " (kader:")
    assert event.evidence.endswith(", row 2")
    assert consent_events(api.engine, tini["id"]) == []

    [entry] = audit_entries(api.engine, "contact.import")
    assert entry.detail == {
        "rows": 13,
        "created": 5,
        "updated": 1,
        "unchanged": 1,
        "rejected": 6,
        "skipped_empty": 1,
        "subscribed": 4,
        "kept_unsubscribed": 0,
        "kept_subscribed": 0,
    }

    # The same file again: nothing new.
    again = imported(api, data)
    assert (again["created"], again["updated"], again["unchanged"], again["rejected"]) == (0, 0, 7, 6)
    assert count(api.engine, Contact) == before + 5
    assert len(consent_events(api.engine, sumarni["id"])) == 1


def test_a_latin1_comma_file_with_a_consent_column(api: Api) -> None:
    result = imported(api, (DATA / "contacts_latin1_comma.csv").read_bytes())
    assert (result["encoding"], result["delimiter"]) == ("windows-1252", ",")
    assert (result["created"], result["rejected"], result["subscribed"]) == (4, 1, 2)
    assert result["rejections"] == [
        {"row": 5, "reason": "bad_value", "message": "consent 'mungkin' is neither ya nor tidak"}
    ]
    jose = api.ok("GET", "/contacts", q="José")[0]
    assert jose["subscription"] == "subscribed"
    assert jose["topics"] == ["jadwal", "keputusan"]
    assert jose["tags"] == ["ronda"]
    assert api.ok("GET", "/contacts", q="Ratna")[0]["subscription"] == "never"
    ujang = contact_by_phone(api.engine, "+6281270000003")
    assert ujang.subscription == SubscriptionState.NEVER  # '-' answers the consent question: no
    wahyu = api.ok("GET", "/contacts", q="Wahyu")
    assert [(c["topics"], c["tags"]) for c in wahyu if c["name"] == "Pak Wahyu"] == [([], ["kader PKK"])]


def test_a_text_csv_body_works_too(api: Api) -> None:
    response = send(
        api,
        "POST",
        "/contacts/import",
        content=b"nama;no_hp\nBu Rini;0812 9000 0001\n",
        headers={"Content-Type": "text/csv; charset=utf-8"},
        params={"consent_evidence": EVIDENCE},
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 1


def test_dry_run_writes_nothing(api: Api) -> None:
    data = (DATA / "contacts_excel_semicolon.csv").read_bytes()
    tables = (Contact, ContactIdentity, ConsentEvent, AuditEntry)
    before = [count(api.engine, table) for table in tables]
    preview = imported(api, data, dry_run=True)
    assert preview["dry_run"] is True
    assert [count(api.engine, table) for table in tables] == before
    assert api.ok("GET", "/contacts/1")["name"] == "Pak Slamet"
    real = imported(api, data)
    assert real["dry_run"] is False
    assert {k: v for k, v in preview.items() if k != "dry_run"} == {
        k: v for k, v in real.items() if k != "dry_run"
    }
    # As a query parameter, too.
    response = send(
        api,
        "POST",
        "/contacts/import",
        content=b"nama,hp\nBu Rini,0812 9000 0001\n",
        headers={"Content-Type": "text/csv"},
        params={"consent_evidence": EVIDENCE, "dry_run": "true"},
    )
    assert response.json()["created"] == 1
    assert send(api, "GET", "/contacts", params={"q": "Rini"}).json() == []


def test_existing_contacts_are_updated_and_opt_outs_respected(api: Api) -> None:
    api.ok("PATCH", "/contacts/2", json={"subscribed": False})
    never = api.ok("POST", "/contacts", json={"name": "Pak Harto", "phone": "081290000001"})
    data = "\n".join(
        [
            "nama,hp,dusun,rt,topik",
            "Bu Sri,081234500002,,,keputusan",  # unsubscribed: kept so
            "Pak Harto,081290000001,Cibodas,2,",  # never: subscribes now
            "Bu Yati,087812300004,,,",  # nothing new
        ]
    )
    result = imported(api, data)
    assert (result["created"], result["updated"], result["unchanged"]) == (0, 2, 1)
    assert (result["subscribed"], result["kept_unsubscribed"]) == (1, 1)
    assert result["notes"] == [
        {
            "row": 2,
            "contact_id": 2,
            "message": "kept unsubscribed: they asked to stop; "
            "re-subscribe them one by one with fresh evidence",
        }
    ]
    sri = api.ok("GET", "/contacts/2")
    assert sri["subscription"] == "unsubscribed"
    assert sri["name"] == "Bu Sri"
    assert sri["topics"] == ["keputusan"]
    harto = api.ok("GET", f"/contacts/{never['id']}")
    assert harto["subscription"] == "subscribed"
    assert (harto["dusun"], harto["rt"]) == ("Cibodas", 2)
    assert [e["source"] for e in harto["consent"]] == ["csv_import"]


def test_a_row_whose_phone_and_whatsapp_id_are_two_contacts_is_rejected(api: Api) -> None:
    api.ok("POST", "/contacts", json={"whatsapp_id": "ID.555"})
    result = imported(api, "nama,hp,whatsapp_id\nX,081234500001,ID.555\nY,081290000001,ID.555\n")
    assert [(r["row"], r["reason"]) for r in result["rejections"]] == [
        (2, "conflict"),
        (3, "duplicate_in_file"),
    ]


@pytest.mark.parametrize(
    ("data", "status", "expected"),
    [
        (b"", 422, "the file is empty"),
        (b"\r\n\r\n ; \r\n", 422, "the file is empty"),
        (b"Pak Slamet;081234500001;Krajan\n", 422, "no header row"),
        (b"nama;alamat\nPak Slamet;Krajan\n", 422, "no phone column"),
        (b"PK\x03\x04\x14\x00\x06\x00", 422, "Excel workbook"),
        (b"nama,hp\nA,0812\x00\n", 422, "NUL"),
        (b"nama,hp\n" + b"A," + b"1" * 200_000 + b"\n", 422, "not valid CSV"),
        (b"x" * (2 * 1024 * 1024 + 1), 413, "over 2 MB"),
        (b"x" * (3 * 1024 * 1024), 413, "the upload is over 2 MB"),
        (b"hp\n" + b"081290000001\n" * 20_001, 413, "more than 20000 rows"),
        (b'sep="\nhp\n', 422, "impossible delimiter"),
    ],
)
def test_files_that_cannot_be_imported(api: Api, data: bytes, status: int, expected: str) -> None:
    response = upload(api, data)
    assert response.status_code == status, response.text
    assert expected in response.json()["detail"]
    assert count(api.engine, Contact) == 9
    assert audit_entries(api.engine, "contact.import") == []


def test_import_requests_that_cannot_be_acted_on(api: Api) -> None:
    data = b"nama,hp\nBu Rini,0812 9000 0001\n"
    no_evidence = upload(api, data, evidence=None)
    assert no_evidence.status_code == 422
    assert "consent_evidence is required" in no_evidence.json()["detail"]
    as_json = send(api, "POST", "/contacts/import", json={"file": "nama,hp"})
    assert as_json.status_code == 415
    no_file = send(
        api, "POST", "/contacts/import", data={"consent_evidence": EVIDENCE}, files={"x": ("", b"")}
    )
    assert no_file.status_code in (400, 422)
    bad_flag = send(
        api,
        "POST",
        "/contacts/import",
        data={"consent_evidence": EVIDENCE, "dry_run": "maybe"},
        files={"file": ("a.csv", data)},
    )
    assert bad_flag.status_code == 422
    broken = send(
        api,
        "POST",
        "/contacts/import",
        content=b'--xyz\r\nContent-Disposition: form-data; name="file"\r\n\r\nhp\r\n',
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert broken.status_code in (400, 422)
    assert count(api.engine, Contact) == 9


# --- export --------------------------------------------------------------------------------------


def test_export_is_a_csv_download_with_formulas_escaped(api: Api) -> None:
    api.ok(
        "POST",
        "/contacts",
        json={"name": '=HYPERLINK("http://x")', "phone": "081290000001", "tags": ["@ronda"]},
    )
    response = send(api, "GET", "/contacts/export", params={"dusun": "krajan"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="kontak-DEMO-2026-12-02.csv"'
    assert response.headers["cache-control"] == "no-store"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = rows_of(response.text)
    assert list(rows[0]) == ["name", "phone", "whatsapp_id", "dusun", "rw", "rt", "topics", "tags", "consent"]
    assert [row["phone"] for row in rows] == ["'+6281234500001", "'+6281234500002", "'+6281912300007"]
    assert rows[0] == {
        "name": "Pak Slamet",
        "phone": "'+6281234500001",
        "whatsapp_id": "",
        "dusun": "Krajan",
        "rw": "1",
        "rt": "2",
        "topics": "",
        "tags": "",
        "consent": "ya",
    }
    everyone = rows_of(send(api, "GET", "/contacts/export", params={"delimiter": "semicolon"}).text, ";")
    hostile = next(row for row in everyone if row["phone"] == "'+6281290000001")
    assert hostile["name"] == '\'=HYPERLINK("http://x")'
    assert hostile["tags"] == "'@ronda"
    assert hostile["consent"] == "tidak"

    entries = audit_entries(api.engine, "contact.export")
    assert [entry.detail for entry in entries] == [
        {"rows": 3, "filters": ["dusun"]},
        {"rows": 9, "filters": []},
    ]
    searched = send(api, "GET", "/contacts/export", params={"q": "0812345"})
    assert len(rows_of(searched.text)) == 2
    assert audit_entries(api.engine, "contact.export")[-1].detail == {
        "rows": 2,
        "filters": ["q"],
    }  # not the number


def test_export_and_import_round_trip(api: Api) -> None:
    api.ok("PATCH", "/contacts/3", json={"topics": ["dana_desa", "program"], "tags": ["ronda", "kader PKK"]})
    api.ok("PATCH", "/contacts/8", json={"subscribed": False})
    api.ok("POST", "/contacts", json={"name": "-Pak Min", "whatsapp_id": "ID.42", "dusun": "Cibodas"})
    exported = send(api, "GET", "/contacts/export").content
    # Back into DEMO: nothing changes.
    again = imported(api, exported)
    assert (again["created"], again["updated"], again["unchanged"], again["rejected"]) == (0, 0, 9, 0)
    assert (again["subscribed"], again["kept_unsubscribed"]) == (0, 0)
    # Into LAIN (no dusun listed there): the same list.
    moved = imported(api, exported, who="operator@LAIN")
    assert (moved["created"], moved["rejected"]) == (9, 0)
    lain = rows_of(send(api, "GET", "/contacts/export", "operator@LAIN").text)
    demo = rows_of(exported.decode("utf-8"))
    key = "phone"
    assert sorted((r for r in lain if r[key] != "'" + MADE), key=str) == sorted(demo, key=str)


def test_bad_input_is_never_a_500(api: Api) -> None:
    garbage = [
        bytes(range(256)) * 4,
        b'"unterminated,hp\n"0812',
        b"hp\n" + "٠٨١٢٣٤٥٦٧٨٩٠".encode() + b"\n",
        "nama,hp\n\u202eevil,0812 9000 0001\n".encode(),
        b"\xff\xfe" + "hp\n0812\n".encode("utf-16-le"),
        b"\xff\xfeh\x00p",
        b"hp,hp,hp\n1,2,3\n",
        b"hp\n" + b"9" * 30 + b"\n",
        b"hp\n1e99\n",
        b"hp;rt\n081290000001;99999999999999999999\n",
        b"hp,whatsapp_id\n,ID." + b"x" * 80 + b"\n",
        b"hp,topics,tags\n081290000001," + b";" * 500 + b"," + b"t;" * 500 + b"\n",
        b"sep=;\nhp;nama\n081290000001;" + b"n" * 500 + b"\n",
    ]
    for data in garbage:
        response = upload(api, data)
        assert response.status_code in (200, 413, 422), (data[:40], response.text)
    for body in (
        {"phone": "9" * 40},
        {"phone": "+"},
        {"phone": "1e5"},
        {"dusun": "x" * 80, "phone": "081290000002"},
    ):
        assert send(api, "POST", "/contacts", json=body).status_code in (201, 422)
    for params in ({"q": "%_\\"}, {"q": "'; DROP TABLE contact;--"}, {"tag": "%"}, {"dusun": "\u0000"}):
        assert send(api, "GET", "/contacts", params=params).status_code in (200, 400, 422)


def test_a_contact_shows_the_day_it_became_known_not_the_time(api: Api) -> None:
    # The time of day would match the time of an anonymous complaint sent as a first message.
    contacts = api.ok("GET", "/contacts", "kader")
    assert contacts
    assert all(len(c["created_at"]) == len("2026-12-02") for c in contacts)
    # Nor the time of a consent change: a masked BERHENTI in the message log would match it.
    assert all(len(c["subscription_changed_at"] or "") in (0, len("2026-12-02")) for c in contacts)
    detail = api.ok("GET", f"/contacts/{contacts[0]['id']}", "kader")
    assert detail["consent"]
    assert all(len(event["created_at"]) == len("2026-12-02") for event in detail["consent"])


def test_a_search_with_a_nul_character_is_refused(api: Api) -> None:
    for path in ("/contacts", "/contacts/export"):
        response = api.call("GET", path, "kader", params={"q": "ab\x00c"})
        assert response.status_code == 400, response.text
    response = send(api, "POST", "/contacts", json={"phone": "081290000001", "name": "Nul\x00"})
    assert response.status_code == 400, response.text
    assert "NUL" in response.json()["detail"]
    assert count(api.engine, Contact) == 9


def test_too_short_evidence_says_what_is_wrong(api: Api) -> None:
    data = b"nama,hp\nBu Rini,0812 9000 0001\n"
    response = upload(api, data, evidence="abc")
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("consent_evidence must be at least 5 characters ('abc' is 3)")
    assert "daftar hadir Musdes 12/11" in detail
    assert "is required" not in detail
    as_query = send(
        api,
        "POST",
        "/contacts/import",
        content=data,
        headers={"Content-Type": "text/csv"},
        params={"consent_evidence": " ab  "},
    )
    assert as_query.status_code == 422, as_query.text
    assert as_query.json()["detail"].startswith("consent_evidence must be at least 5 characters ('ab' is 2)")
    blank = upload(api, data, evidence="   ")
    assert blank.status_code == 422, blank.text
    assert "consent_evidence is required" in blank.json()["detail"]
    assert count(api.engine, Contact) == 9


def test_a_list_that_says_no_keeps_subscribed_residents_subscribed_and_says_so(api: Api) -> None:
    data = "\n".join(
        [
            "nama,hp,persetujuan",
            "Pak Slamet,081234500001,tidak",  # subscribed (demo): stays so, noted
            "Bu Rini,081290000001,tidak",  # new: created, not subscribed, nothing to note
            "Mas Agus,085712300003,ya",  # subscribed already: unchanged
        ]
    )
    dry = imported(api, data, dry_run=True)
    result = imported(api, data)
    for answer in (dry, result):
        assert (answer["created"], answer["updated"], answer["unchanged"]) == (1, 0, 2)
        assert (answer["subscribed"], answer["kept_subscribed"], answer["kept_unsubscribed"]) == (0, 1, 0)
        assert answer["notes"] == [
            {
                "row": 2,
                "contact_id": 1,
                "message": "list says no consent; contact stays subscribed "
                "(unsubscribe with BERHENTI or PATCH /contacts/1 subscribed: false)",
            }
        ]
    slamet = api.ok("GET", "/contacts/1")
    assert slamet["subscription"] == "subscribed"
    assert [e["source"] for e in slamet["consent"]] == ["demo"]
    [entry] = audit_entries(api.engine, "contact.import")
    assert entry.detail is not None
    assert (entry.detail["kept_subscribed"], entry.detail["unchanged"]) == (1, 2)
    # A refusal in keterangan is a "no" too: noted the same way.
    again = imported(api, "nama,hp,keterangan\nPak Slamet,081234500001,tidak mau dapat SMS\n")
    assert again["kept_subscribed"] == 1
    assert [n["row"] for n in again["notes"]] == [2]


def test_a_number_known_only_from_a_complaint_about_the_head_is_hidden_from_him(api: Api) -> None:
    # Issue 11, item 9: the head must not find the reporter by the one contact who never did anything
    # but complain about him (or report anonymously). The operator sees it; a contact staff added,
    # or a subscriber, stays visible to everyone who may read contacts.
    whistle, added = "+6285700001111", "+6285700002222"
    factories.say(api.client, whistle, "pak kades korupsi dana desa, tolong diusut")
    made = api.ok("POST", "/contacts", "kader", {"phone": added, "name": "Bu Tini"})
    factories.say(api.client, added, "pak kades korupsi dana desa, tolong diusut")
    with Session(api.engine) as session:
        tickets = session.exec(select(Ticket).order_by(col(Ticket.id).desc()).limit(2)).all()
        hidden = session.exec(
            select(ContactIdentity.contact_id).where(ContactIdentity.value == whistle)
        ).one()
    assert all(t.about_head for t in tickets)
    for role in ("kades", "kader"):
        listed = {c["id"] for c in api.ok("GET", "/contacts", role, limit=200)}
        assert hidden not in listed, role
        assert made["id"] in listed, role
        assert api.call("GET", f"/contacts/{hidden}", role).status_code == 404
    exported = api.call("GET", "/contacts/export", "kader").text
    assert "85700001111" not in exported
    assert "85700002222" in exported
    assert hidden in {c["id"] for c in api.ok("GET", "/contacts", "operator", limit=200)}
    assert api.call("GET", f"/contacts/{hidden}", "operator").status_code == 200
