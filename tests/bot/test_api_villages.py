"""/api/v1/villages over real SQLite and PostgreSQL: the operator creates villages and assigns their
addresses, which route inbound messages at once; the kades sets their own village's settings."""

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Session, col, select

from models import (
    Area,
    AreaKind,
    AuditEntry,
    BroadcastEvent,
    Channel,
    Meeting,
    MeetingStatus,
    Village,
    VillageAddress,
)
from tests.apiclient import Api

PRINCIPALS = ["none", "bad", "kader", "kades", "bpd", "operator", "other", "operator@LAIN"]
_fresh = itertools.count(1)


def fresh() -> int:
    return next(_fresh)


def console(api: Api, to: str, text: str = "MENU", sender: str = "+6281234599999") -> Any:
    return api.client.post("/webhooks/console", json={"from": sender, "to": to, "text": text})


def audit_entries(api: Api, action: str) -> list[AuditEntry]:
    with Session(api.engine) as session:
        return list(
            session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id)))
        )


def demo_address(api: Api, number: int) -> int:
    """A fresh console address of DEMO; returns its id."""
    with Session(api.engine) as session:
        village = session.exec(select(Village).where(Village.code == "DEMO")).one()
        assert village.id is not None
        row = VillageAddress(
            village_id=village.id, channel=Channel.CONSOLE, address=f"+628000001{number:02d}"
        )
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


# --- who may do what -----------------------------------------------------------------------------

ALL_READERS = {"kader": 200, "kades": 200, "bpd": 200, "operator": 200, "other": 200, "operator@LAIN": 200}
UNAUTHENTICATED = {"none": 401, "bad": 401}


def only(allowed: dict[str, int]) -> dict[str, int]:
    """401 without a token, `allowed` for the callers named, 403 for every other role."""
    return {who: UNAUTHENTICATED.get(who, allowed.get(who, 403)) for who in PRINCIPALS}


def test_who_may_do_what(api: Api) -> None:
    cases: dict[str, tuple[str, Any, Any, dict[str, int]]] = {
        "list": ("GET", lambda: "/villages", lambda: None, only(ALL_READERS)),
        # The path names the village: LAIN's kader cannot see DEMO; the operator sees every village.
        "get": ("GET", lambda: "/villages/DEMO", lambda: None, only({**ALL_READERS, "other": 404})),
        "create": (
            "POST",
            lambda: "/villages",
            lambda: {"code": f"V{fresh()}", "name": "Desa Uji"},
            only({"operator": 201, "operator@LAIN": 201}),
        ),
        "settings": (
            "PATCH",
            lambda: "/villages/DEMO",
            lambda: {"digest_time": f"0{fresh() % 10}:15"},
            only({"kades": 200, "operator": 200, "operator@LAIN": 200}),
        ),
        "add address": (
            "POST",
            lambda: "/villages/DEMO/addresses",
            lambda: {"channel": "smsgate", "address": f"device-{fresh()}"},
            only({"operator": 201, "operator@LAIN": 201}),
        ),
        "remove address": (
            "DELETE",
            lambda: f"/villages/DEMO/addresses/{demo_address(api, fresh())}",
            lambda: None,
            only({"operator": 204, "operator@LAIN": 204}),
        ),
        "add area": (
            "POST",
            lambda: "/villages/DEMO/areas",
            lambda: {"kind": "dusun", "name": f"Dusun {fresh()}"},
            only({"kades": 201, "operator": 201, "operator@LAIN": 201}),
        ),
    }
    for name, (method, path, body, expected) in cases.items():
        answers = {}
        for who in PRINCIPALS:
            response = api.call(method, path(), who, body())
            answers[who] = response.status_code
            if response.status_code == 403:
                assert response.json()["detail"].startswith(f"role {who.replace('other', 'kader')} may not")
            if response.status_code == 404:
                assert response.json()["detail"] == "no village DEMO"
        assert answers == expected, name


def test_everyone_reads_their_own_village_the_operator_every_village(api: Api) -> None:
    assert [v["code"] for v in api.ok("GET", "/villages", "kader")] == ["DEMO"]
    assert [v["code"] for v in api.ok("GET", "/villages", "other")] == ["LAIN"]
    assert [v["code"] for v in api.ok("GET", "/villages", "operator")] == ["DEMO", "LAIN"]
    assert [v["code"] for v in api.ok("GET", "/villages", "operator", limit=1, offset=1)] == ["LAIN"]
    demo = api.ok("GET", "/villages/DEMO", "bpd")
    assert demo["zone"] == "WIB"
    assert {(a["channel"], a["address"]) for a in demo["addresses"]} == {
        ("console", "+62800000001"),
        ("twilio_sms", "+62800000001"),
        ("twilio_whatsapp", "+62800000001"),
        ("whatsapp_cloud", "100000000000001"),
        ("smsgate", "demo-phone"),
    }
    assert {a["name"] for a in demo["areas"] if a["kind"] == "dusun"} == {"Krajan", "Sukamulya", "Cibodas"}
    response = api.call("GET", "/villages/LAIN", "kader")
    assert (response.status_code, response.json()) == (404, {"detail": "no village LAIN"})
    assert api.call("GET", "/villages/NOPE", "kader").json() == {"detail": "no village NOPE"}
    assert api.ok("GET", "/villages/LAIN", "operator")["zone"] == "WITA"


# --- creating villages and routing to them -------------------------------------------------------


def test_a_new_village_answers_on_its_addresses_at_once(api: Api) -> None:
    assert console(api, "+62800000003").status_code == 404  # nobody answers there yet
    created = api.ok(
        "POST",
        "/villages",
        "operator",
        {
            "code": "BARU",
            "name": "Desa Baru",
            "timezone": "Asia/Jayapura",
            "dusun": ["Kampung Satu", "Kampung Dua"],
            "addresses": [
                {"channel": "console", "address": "0800000003"},
                {"channel": "twilio_whatsapp", "address": "whatsapp:+62800000003"},
            ],
        },
    )
    assert (created["code"], created["timezone"], created["zone"]) == ("BARU", "Asia/Jayapura", "WIT")
    assert {(a["channel"], a["address"]) for a in created["addresses"]} == {
        ("console", "+62800000003"),
        ("twilio_whatsapp", "+62800000003"),  # as the Twilio adapter names it: without 'whatsapp:'
    }
    assert sorted(a["name"] for a in created["areas"]) == ["Kampung Dua", "Kampung Satu"]
    more = [
        {"channel": "whatsapp_cloud", "address": " 100000000000003 "},
        {"channel": "smsgate", "address": "baru-phone"},
        {"channel": "twilio_sms", "address": "+62 800-000-003"},
    ]
    stored = [api.ok("POST", "/villages/BARU/addresses", "operator", body)["address"] for body in more]
    assert stored == ["100000000000003", "baru-phone", "+62800000003"]

    replies = console(api, "+62800000003").json()["replies"]
    assert replies[0].startswith("Desa Baru:")

    [entry] = audit_entries(api, "village.create")
    with Session(api.engine) as session:
        baru = session.exec(select(Village).where(Village.code == "BARU")).one()
    assert (entry.village_id, entry.target, entry.channel) == (baru.id, "village:BARU", "api")
    assert entry.actor.startswith("operator:")
    assert entry.detail == {
        "timezone": "Asia/Jayapura",
        "dusun": 2,
        "channels": ["console", "twilio_whatsapp"],
    }
    assert len(audit_entries(api, "village.address_add")) == 3
    assert "+628" not in str([e.detail for e in audit_entries(api, "village.address_add")])


def test_a_moved_address_is_routed_to_its_new_village_at_once(api: Api) -> None:
    # DEMO answers, and the app's Directory now remembers that (for 30 seconds).
    assert console(api, "+62800000001").json()["replies"][0].startswith("Desa Sukamaju:")
    demo = api.ok("GET", "/villages/DEMO", "operator")
    [address] = [a for a in demo["addresses"] if a["channel"] == "console"]
    response = api.call("DELETE", f"/villages/DEMO/addresses/{address['id']}", "operator")
    assert response.status_code == 204
    assert console(api, "+62800000001").status_code == 404
    api.ok(
        "POST", "/villages", "operator", {"code": "BARU", "name": "Desa Baru", "timezone": "Asia/Jayapura"}
    )
    api.ok("POST", "/villages/BARU/addresses", "operator", {"channel": "console", "address": "+62800000001"})
    assert console(api, "+62800000001").json()["replies"][0].startswith("Desa Baru:")
    # The other channels of that number stayed with DEMO.
    assert api.call("DELETE", f"/villages/BARU/addresses/{address['id']}", "operator").status_code == 404
    [removed] = audit_entries(api, "village.address_remove")
    assert removed.detail == {"address_id": address["id"], "channel": "console"}


def test_a_renamed_village_answers_with_its_new_name_at_once(api: Api) -> None:
    assert console(api, "+62800000001").json()["replies"][0].startswith("Desa Sukamaju:")
    api.ok("PATCH", "/villages/DEMO", "operator", {"name": "Desa Sukamaju Makmur"})
    assert console(api, "+62800000001").json()["replies"][0].startswith("Desa Sukamaju Makmur:")


def test_an_address_in_use_is_409_without_naming_its_village(api: Api) -> None:
    api.ok("POST", "/villages", "operator", {"code": "BARU", "name": "Desa Baru"})
    for body in (
        {"channel": "console", "address": "+62800000001"},
        {"channel": "twilio_whatsapp", "address": "whatsapp:0800000001"},
        {"channel": "whatsapp_cloud", "address": "100000000000001"},
        {"channel": "smsgate", "address": "demo-phone"},
        {"channel": "twilio_sms", "address": "+62800000002"},  # LAIN's
    ):
        response = api.call("POST", "/villages/BARU/addresses", "operator", body)
        assert response.status_code == 409, body
        detail = response.json()["detail"]
        assert detail.endswith("is already in use")
        assert not any(word in detail for word in ("DEMO", "LAIN", "Sukamaju", "Lain"))
    # In the body of a new village too; and nothing of that village is kept.
    response = api.call(
        "POST",
        "/villages",
        "operator",
        {"code": "DUA", "name": "Desa Dua", "addresses": [{"channel": "console", "address": "+62800000001"}]},
    )
    assert response.status_code == 409
    assert api.call("GET", "/villages/DUA", "operator").status_code == 404


def test_a_village_code_is_taken_in_any_letter_case(api: Api) -> None:
    for code in ("DEMO", "demo", "Lain"):
        response = api.call("POST", "/villages", "operator", {"code": code, "name": "Desa"})
        assert (response.status_code, response.json()) == (
            409,
            {"detail": f"village code {code} is already in use"},
        )
    assert (
        api.call("POST", "/villages", "operator", {"code": "32.04.12.2001", "name": "Desa"}).status_code
        == 201
    )
    assert api.ok("GET", "/villages/32.04.12.2001", "operator")["name"] == "Desa"


@pytest.mark.parametrize(
    "body",
    [
        {"code": "BARU", "name": "Desa Baru", "timezone": "Europe/Berlin"},
        {"code": "BARU", "name": "Desa Baru", "timezone": "Mars/Olympus"},
        {"code": "BARU", "name": "Desa Baru", "timezone": None},
        {"code": "BA RU", "name": "Desa Baru"},
        {"code": "-BARU", "name": "Desa Baru"},
        {"code": "B" * 33, "name": "Desa Baru"},
        {"code": "BARU", "name": ""},
        {"code": "BARU", "name": "   "},
        {"code": "BARU", "name": "x" * 10_000},
        {"code": 7, "name": "Desa Baru"},
        {"code": "BARU", "name": ["Desa"]},
        {"code": "BARU"},
        {"code": "BARU", "name": "Desa Baru", "sms_price": 1},
        {"code": "BARU", "name": "Desa Baru", "dusun": ["Satu", "satu"]},
        {"code": "BARU", "name": "Desa Baru", "dusun": "Satu"},
        {"code": "BARU", "name": "Desa Baru", "addresses": [{"channel": "telegram", "address": "x"}]},
        {"code": "BARU", "name": "Desa Baru", "addresses": [{"channel": "console", "address": "12345"}]},
    ],
)
def test_a_village_that_cannot_be_created_is_422(api: Api, body: dict[str, Any]) -> None:
    response = api.call("POST", "/villages", "operator", body)
    assert response.status_code == 422, response.text
    assert api.call("GET", "/villages/BARU", "operator").status_code == 404


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("/villages", b'{"code": "BARU", "name": "Desa \\ud800"}'),
        ("/villages", b'{"code": "BARU", "name": "Desa \xff"}'),
        ("/villages", b'{"code": "BARU", "name": '),
        ("/villages", b"code=BARU&name=Desa"),
        ("/villages/DEMO/areas", b'{"kind": "dusun", "name": "\\udfff"}'),
    ],
)
def test_bodies_that_are_not_json_text_are_refused(api: Api, path: str, content: bytes) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['operator']}", "Content-Type": "application/json"}
    response = api.client.post("/api/v1" + path, content=content, headers=headers)
    assert response.status_code in (400, 422), response.text  # 400: FastAPI cannot decode it at all


@pytest.mark.parametrize(
    ("channel", "address"),
    [
        ("console", "12345"),
        ("console", "not a number"),
        ("twilio_sms", "whatsapp:+62800000003"),
        ("twilio_whatsapp", "whatsapp:"),
        ("whatsapp_cloud", "+62800000003"),
        ("whatsapp_cloud", "1234"),
        ("smsgate", "has space"),
        ("smsgate", "x" * 65),
        ("smsgate", "   "),
        ("smsgate", "a" * 81),
        ("telegram", "123"),
        ("console", None),
        ("console", 62800000003),
    ],
)
def test_an_address_that_does_not_fit_its_channel_is_422(api: Api, channel: str, address: Any) -> None:
    response = api.call(
        "POST", "/villages/DEMO/addresses", "operator", {"channel": channel, "address": address}
    )
    assert response.status_code == 422, response.text


def test_unknown_villages_and_addresses_are_404(api: Api) -> None:
    body = {"channel": "smsgate", "address": "fresh-phone"}
    assert api.call("POST", "/villages/NOPE/addresses", "operator", body).status_code == 404
    assert api.call("DELETE", "/villages/DEMO/addresses/999999", "operator").status_code == 404
    lain = api.ok("GET", "/villages/LAIN", "operator")["addresses"][0]["id"]
    assert api.call("DELETE", f"/villages/DEMO/addresses/{lain}", "operator").status_code == 404
    assert api.call("DELETE", "/villages/DEMO/addresses/0", "operator").status_code == 422
    assert api.call("DELETE", f"/villages/DEMO/addresses/{2**40}", "operator").status_code == 422
    assert api.call("GET", "/villages/" + "X" * 33, "operator").status_code == 422
    assert api.call("GET", "/villages/%00", "operator").status_code == 400  # NUL: refused at the edge


# --- settings ------------------------------------------------------------------------------------


def test_the_kades_sets_their_own_village_but_not_another(api: Api) -> None:
    changed = api.ok(
        "PATCH", "/villages/DEMO", "kades", {"digest_time": "6.30", "quiet_start": "22:00", "sms_price": 300}
    )
    assert (changed["digest_time"], changed["quiet_start"], changed["sms_price"]) == ("06:30", "22:00", 300)
    assert changed["quiet_end"] == "06:00"  # untouched
    response = api.call("PATCH", "/villages/LAIN", "kades", {"digest_time": "06:30"})
    assert (response.status_code, response.json()) == (404, {"detail": "no village LAIN"})
    # The head cannot quiet his own oversight: no turning the BPD chair's digest off, no holidays that
    # stretch the deadlines escalations depend on, no dropping approvals; nor rename the village.
    for field, value in (
        ("name", "Desa Saya"),
        ("timezone", "Asia/Makassar"),
        ("digest_daily", False),
        ("digest_weekday", None),
        ("bpd_digest_everything", False),
        ("holidays", ["2026-12-25"]),
        ("approval_kinds", []),
    ):
        response = api.call("PATCH", "/villages/DEMO", "kades", {field: value})
        assert response.status_code == 403, field
        assert response.json()["detail"] == f"role kades may not change {field} (allowed: operator)"
    assert api.ok("PATCH", "/villages/DEMO", "operator", {"holidays": ["2026-12-25"]})["holidays"] == [
        "2026-12-25"
    ]
    entries = audit_entries(api, "village.update")
    assert [e.actor.split(":")[0] for e in entries] == ["kades", "operator"]
    assert entries[0].target == "village:DEMO"
    assert entries[0].detail == {
        "changed": {"digest_time": "06:30", "quiet_start": "22:00", "sms_price": 300}
    }
    with Session(api.engine) as session:
        demo = session.exec(select(Village).where(Village.code == "DEMO")).one()
    assert (demo.digest_time, demo.digest_weekday) == ("06:30", 0)


def test_every_setting_round_trips(api: Api) -> None:
    body = {
        "name": "Desa Sukamaju Baru",
        "timezone": "Asia/Makassar",
        "quiet_start": "21:30",
        "quiet_end": "05:00",
        "sms_price": 300,
        "whatsapp_template_price": 0,
        "blackouts": [{"weekday": 4, "start": "11.30", "end": "13:00", "label": "salat Jumat"}],
        "holidays": ["2027-01-01", "2026-12-25", "2027-01-01"],
        "approval_kinds": ["umum", "keputusan", "umum"],
        "digest_time": "07:15",
        "digest_daily": False,
        "digest_weekday": 6,
        "bpd_digest_everything": True,
    }
    village = api.ok("PATCH", "/villages/DEMO", "operator", body)
    assert village["zone"] == "WITA"
    assert village["blackouts"] == [
        {"weekday": "4", "start": "11:30", "end": "13:00", "label": "salat Jumat"}
    ]
    assert village["holidays"] == ["2026-12-25", "2027-01-01"]
    assert village["approval_kinds"] == ["keputusan", "umum"]  # in the vocabulary's order
    expected = {k: v for k, v in body.items() if k not in ("blackouts", "holidays", "approval_kinds")}
    assert {k: village[k] for k in expected} == expected
    # Nothing changed: nothing audited.
    before = len(audit_entries(api, "village.update"))
    api.ok("PATCH", "/villages/DEMO", "operator", {"sms_price": 300})
    assert len(audit_entries(api, "village.update")) == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"digest_time": "25:00"},
        {"digest_time": "7"},
        {"digest_time": None},
        {"quiet_start": "21:60"},
        {"quiet_end": 2100},
        {"digest_weekday": 7},
        {"digest_weekday": -1},
        {"digest_weekday": "Monday"},
        {"holidays": ["2026-02-30"]},
        {"holidays": ["25-12-2026"]},
        {"holidays": "2026-12-25"},
        {"approval_kinds": ["semua"]},
        {"sms_price": -1},
        {"sms_price": 2**40},
        {"sms_price": None},
        {"blackouts": [{"weekday": 4, "start": "11:30", "end": "11:30"}]},
        {"blackouts": [{"weekday": 9, "start": "11:30", "end": "13:00"}]},
        {"timezone": "UTC"},
        {"code": "BARU"},
        {"digest_daily": "sometimes"},
    ],
)
def test_a_setting_that_cannot_be_used_is_422(api: Api, body: dict[str, Any]) -> None:
    response = api.call("PATCH", "/villages/DEMO", "operator", body)
    assert response.status_code == 422, response.text


def test_a_village_name_with_a_nul_character_is_400(api: Api) -> None:
    created = api.call("POST", "/villages", "operator", {"code": "BARU", "name": "Desa\x00Baru"})
    assert created.status_code == 400, created.text
    assert api.call("GET", "/villages/BARU", "operator").status_code == 404
    patched = api.call("PATCH", "/villages/DEMO", "operator", {"name": "\x00"})
    assert patched.status_code == 400, patched.text


# --- areas ---------------------------------------------------------------------------------------


def test_areas_nest_dusun_rw_rt(api: Api) -> None:
    dusun = api.ok("POST", "/villages/DEMO/areas", "kades", {"kind": "dusun", "name": "  Sumber   Rejo "})
    assert dusun["name"] == "Sumber Rejo"
    rw = api.ok(
        "POST", "/villages/DEMO/areas", "kades", {"kind": "rw", "name": "4", "parent_id": dusun["id"]}
    )
    rt = api.ok(
        "POST", "/villages/DEMO/areas", "operator", {"kind": "rt", "name": "01", "parent_id": rw["id"]}
    )
    assert (rw["name"], rt["name"], rt["parent_id"]) == ("04", "01", rw["id"])
    for body in (
        {"kind": "dusun", "name": "sumber rejo"},
        {"kind": "dusun", "name": "Krajan"},
        {"kind": "rw", "name": "04", "parent_id": dusun["id"]},
        {"kind": "rt", "name": "1", "parent_id": rw["id"]},
    ):
        response = api.call("POST", "/villages/DEMO/areas", "operator", body)
        assert response.status_code == 409, body
    lain_area = insert_lain_dusun(api)
    for body in (
        {"kind": "rt", "name": "1"},  # an RT belongs to an RW
        {"kind": "rt", "name": "1", "parent_id": dusun["id"]},
        {"kind": "dusun", "name": "Anak", "parent_id": dusun["id"]},
        {"kind": "rw", "name": "1", "parent_id": lain_area},
        {"kind": "rw", "name": "1", "parent_id": 999_999},
        {"kind": "rw", "name": "satu"},
        {"kind": "rw", "name": "0"},
        {"kind": "rw", "name": "1000"},
        {"kind": "kampung", "name": "1"},
    ):
        response = api.call("POST", "/villages/DEMO/areas", "operator", body)
        assert response.status_code == 422, body
    with Session(api.engine) as session:
        names = session.exec(select(Area.name).where(Area.kind == AreaKind.DUSUN)).all()
    assert sorted(names) == ["Cibodas", "Krajan", "Lor", "Sukamulya", "Sumber Rejo"]
    assert [e.detail["name"] for e in audit_entries(api, "village.area_add")] == ["Sumber Rejo", "04", "01"]


def insert_lain_dusun(api: Api) -> int:
    with Session(api.engine) as session:
        lain = session.exec(select(Village).where(Village.code == "LAIN")).one()
        assert lain.id is not None
        area = Area(village_id=lain.id, kind=AreaKind.DUSUN, name="Lor")
        session.add(area)
        session.commit()
        assert area.id is not None
        return area.id


# --- quiet hours ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["kades", "operator"])
@pytest.mark.parametrize(
    ("body", "length"),
    [
        ({"quiet_start": "06:00", "quiet_end": "05:59"}, "23 hours 59 minutes"),
        ({"quiet_start": "18:00", "quiet_end": "07:00"}, "13 hours"),
        ({"quiet_start": "00:00", "quiet_end": "23:00"}, "23 hours"),
        ({"quiet_start": "08.00", "quiet_end": "20:01"}, "12 hours 1 minutes"),
    ],
)
def test_quiet_hours_cannot_swallow_the_day(api: Api, who: str, body: dict[str, str], length: str) -> None:
    response = api.call("PATCH", "/villages/DEMO", who, body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("quiet hours may last at most 12 hours: ")
    assert f"is {length}" in detail
    village = api.ok("GET", "/villages/DEMO", "kader")
    assert (village["quiet_start"], village["quiet_end"]) == ("21:00", "06:00")
    assert audit_entries(api, "village.update") == []


def test_one_end_of_the_quiet_hours_is_checked_with_the_other(api: Api) -> None:
    # Stored: 21:00 to 06:00. Moving only the start to 17:00 would make 13 hours.
    response = api.call("PATCH", "/villages/DEMO", "kades", {"quiet_start": "17:00"})
    assert response.status_code == 422, response.text
    assert "17:00 to 06:00 is 13 hours" in response.json()["detail"]
    response = api.call("PATCH", "/villages/DEMO", "kades", {"quiet_end": "09:01"})
    assert response.status_code == 422, response.text
    # Both moved together within the bound is fine, even when one alone would not be.
    changed = api.ok("PATCH", "/villages/DEMO", "kades", {"quiet_start": "17:00", "quiet_end": "05:00"})
    assert (changed["quiet_start"], changed["quiet_end"]) == ("17:00", "05:00")


@pytest.mark.parametrize(
    ("start", "end"),
    [("21:00", "09:00"), ("08:00", "20:00"), ("22:00", "04:30"), ("13:00", "14:00"), ("05:00", "05:00")],
)
def test_quiet_hours_of_up_to_twelve_hours_or_none(api: Api, start: str, end: str) -> None:
    changed = api.ok("PATCH", "/villages/DEMO", "kades", {"quiet_start": start, "quiet_end": end})
    assert (changed["quiet_start"], changed["quiet_end"]) == (start, end)


def test_a_new_village_has_bounded_quiet_hours(api: Api) -> None:
    code = f"SUNYI{fresh()}"
    body: dict[str, Any] = {"code": code, "name": "Desa Sunyi", "quiet_start": "19:00", "quiet_end": "18:00"}
    response = api.call("POST", "/villages", "operator", body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("quiet hours may last at most 12 hours: 19:00 to 18:00")
    assert api.call("GET", f"/villages/{code}", "operator").status_code == 404
    created = api.ok("POST", "/villages", "operator", {**body, "quiet_start": "20.30", "quiet_end": "05:30"})
    assert (created["quiet_start"], created["quiet_end"]) == ("20:30", "05:30")
    plain = api.ok("POST", "/villages", "operator", {"code": f"BIASA{fresh()}", "name": "Desa Biasa"})
    assert (plain["quiet_start"], plain["quiet_end"]) == ("21:00", "06:00")


def test_blackouts_must_leave_time_to_send(api: Api) -> None:
    """Quiet hours of 12 hours and a blackout over the rest of every day would hold every broadcast for
    ever (a scheduled one could never go): refused, and what the week keeps is said."""
    rest_of_each_day = [{"weekday": day, "start": "09:00", "end": "21:00"} for day in range(7)]
    response = api.call(
        "PATCH",
        "/villages/DEMO",
        "kades",
        {"quiet_start": "21:00", "quiet_end": "09:00", "blackouts": rest_of_each_day},
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == (
        "quiet hours and blackouts leave 0 hours a week to send broadcasts; they must leave at least 24"
        " hours (emergencies always go)"
    )
    # Checked against the quiet hours already stored (21:00-06:00) when only blackouts change.
    most_of_each_day = [{"weekday": day, "start": "06:00", "end": "20:00"} for day in range(7)]
    response = api.call("PATCH", "/villages/DEMO", "kades", {"blackouts": most_of_each_day})
    assert response.status_code == 422, response.text
    assert "leave 7 hours a week" in response.json()["detail"]
    village = api.ok("GET", "/villages/DEMO", "kader")
    assert (village["quiet_start"], village["quiet_end"]) == ("21:00", "06:00")
    assert audit_entries(api, "village.update") == []
    # A market morning held every day still leaves plenty.
    market = [{"weekday": day, "start": "06:00", "end": "09:00", "label": "pasar"} for day in range(7)]
    assert len(api.ok("PATCH", "/villages/DEMO", "kades", {"blackouts": market})["blackouts"]) == 7


# --- a corrected time zone ----------------------------------------------------------------------------

KERJA_BAKTI = {"kind": "umum", "title": "Kerja bakti", "sms_text": "Kerja bakti Minggu pagi di balai desa."}
MUSDUS = {
    "kind": "musdus",
    "title": "Musdus Krajan",
    "starts_at": "2026-12-12T15:00:00+07:00",
    "place": "Mushola Al-Ikhlas",
    "dusun": "krajan",
}


def test_a_corrected_zone_keeps_what_residents_were_told_on_the_village_clock(api: Api) -> None:
    """DEMO was set up as WIB but lies in WITA: every time still ahead keeps its hour on the village's
    clock (the invitations said "15.00"), reminders are planned again in WITA, the past is untouched."""
    meeting = api.ok("POST", "/meetings", json=MUSDUS)
    announce = meeting["broadcasts"][0]
    assert announce["meeting_key"] == "announce"
    api.fire(announce["id"], api.clock.now)  # the invitation is out: "Sabtu 12 Des 15.00 WIB"
    once = api.ok("POST", "/broadcasts", json={**KERJA_BAKTI, "send_at": "2026-12-05T08:00:00+07:00"})
    monthly = api.ok(
        "POST",
        "/broadcasts",
        json={
            **KERJA_BAKTI,
            "send_at": "2026-12-07T08:00:00+07:00",
            "rrule": "FREQ=MONTHLY;BYDAY=1MO;COUNT=3",
        },
    )
    soon = api.ok("POST", "/broadcasts", json={**KERJA_BAKTI, "send_at": "2026-12-02T10:30:00+07:00"})
    dropped = api.ok("POST", "/broadcasts", json={**KERJA_BAKTI, "send_at": "2026-12-06T08:00:00+07:00"})
    api.ok("POST", f"/broadcasts/{dropped['id']}/cancel")
    api.scheduler.calls.clear()

    village = api.ok("PATCH", "/villages/DEMO", "operator", {"timezone": "Asia/Makassar"})
    assert village["zone"] == "WITA"

    moved = api.ok("GET", f"/meetings/{meeting['id']}")
    assert (moved["when"], moved["starts_at"]) == ("Sabtu 12 Des 15.00 WITA", "2026-12-12T07:00:00Z")
    waiting = [b for b in api.ok("GET", "/broadcasts", limit=100) if b["status"] == "scheduled"]
    reminders = sorted((b["meeting_key"], b["next_run_at"]) for b in waiting if b["meeting_key"])
    assert reminders == [
        ("d-1", "2026-12-11T00:00:00Z"),  # 08.00 WITA, not 08.00 WIB
        ("d-3", "2026-12-09T00:00:00Z"),
        ("h-2", "2026-12-12T05:00:00Z"),
    ]
    assert all("15.00 WITA" in b["sms_text"] for b in waiting if b["meeting_key"])
    assert api.ok("GET", f"/broadcasts/{once['id']}")["next_run_at"] == "2026-12-05T00:00:00Z"
    assert api.ok("GET", f"/broadcasts/{monthly['id']}")["next_run_at"] == "2026-12-07T00:00:00Z"
    # 10.30 WITA has passed (it is 11.00 WITA): it goes now rather than being missed.
    assert api.ok("GET", f"/broadcasts/{soon['id']}")["next_run_at"] == "2026-12-02T03:00:00Z"
    assert api.ok("GET", f"/broadcasts/{dropped['id']}")["status"] == "cancelled"
    assert api.ok("GET", f"/broadcasts/{announce['id']}")["status"] == "sent"
    # LAIN (already WITA) is untouched.
    assert api.ok("GET", "/broadcasts", "other")[0]["next_run_at"] == "2026-12-02T03:00:00Z"

    # The scheduler is told every new time, and to forget the reminders planned again.
    told = {call[1]: call[0] for call in api.scheduler.calls}
    for broadcast in (once, monthly, soon):
        assert told[broadcast["id"]] == "schedule"
    assert sorted(told.values()).count("unschedule") == 3  # the WIB reminders
    assert sorted(told.values()).count("schedule") == 6  # three broadcasts, three WITA reminders

    # A series keeps its hour on the village's clock: the next first Monday, at 08.00 WITA.
    api.fire(monthly["id"], datetime(2026, 12, 7, 0, 0, tzinfo=UTC))
    assert api.ok("GET", f"/broadcasts/{monthly['id']}")["next_run_at"] == "2027-01-04T00:00:00Z"

    entry = audit_entries(api, "village.update")[-1]
    assert entry.detail == {
        "changed": {"timezone": "Asia/Makassar"},
        "kept_on_local_clock": {"broadcasts": 9, "meetings": 3},  # with the demo's two meetings ahead
    }
    # The same zone again changes nothing.
    api.scheduler.calls.clear()
    api.ok("PATCH", "/villages/DEMO", "operator", {"timezone": "Asia/Makassar"})
    assert api.scheduler.calls == []
    assert len(audit_entries(api, "village.update")) == 1


def test_a_reminder_the_correction_puts_in_the_past_goes_now_rather_than_never(api: Api) -> None:
    meeting = api.ok("POST", "/meetings", json=MUSDUS)
    for broadcast in meeting["broadcasts"]:
        if broadcast["meeting_key"] in ("announce", "d-3"):
            api.fire(broadcast["id"], datetime.fromisoformat(broadcast["next_run_at"]))
    api.clock.now = datetime(2026, 12, 11, 0, 30, tzinfo=UTC)  # 07.30 WIB: d-1 is due at 08.00 WIB
    api.ok("PATCH", "/villages/DEMO", "operator", {"timezone": "Asia/Jayapura"})  # 09.30 WIT
    waiting = {
        b["meeting_key"]: b["next_run_at"]
        for b in api.ok("GET", "/broadcasts", limit=100)
        if b["meeting_key"] and b["status"] == "scheduled"
    }
    assert waiting == {"d-1": "2026-12-11T00:30:00Z", "h-2": "2026-12-12T04:00:00Z"}  # now; 13.00 WIT


def test_a_zone_correction_with_nothing_ahead_moves_nothing(api: Api) -> None:
    with Session(api.engine) as session:
        for meeting in session.exec(select(Meeting)).all():
            meeting.status = MeetingStatus.HELD
            session.add(meeting)
        session.commit()
    api.ok("PATCH", "/villages/DEMO", "operator", {"timezone": "Asia/Jayapura"})
    assert audit_entries(api, "village.update")[-1].detail == {
        "changed": {"timezone": "Asia/Jayapura"},
        "kept_on_local_clock": {"broadcasts": 0, "meetings": 0},
    }
    assert api.scheduler.calls == []


def test_an_approved_reminder_stays_approved_when_the_zone_is_corrected(api: Api) -> None:
    api.ok("PATCH", "/villages/DEMO", "operator", {"approval_kinds": ["musdes"]})
    meeting = api.ok("POST", "/meetings", json=MUSDUS)
    d3 = next(b for b in meeting["broadcasts"] if b["meeting_key"] == "d-3")
    d1 = next(b for b in meeting["broadcasts"] if b["meeting_key"] == "d-1")
    assert d3["status"] == "pending_approval"
    api.ok("POST", f"/broadcasts/{d3['id']}/approve", "kades")
    api.ok("PATCH", "/villages/DEMO", "operator", {"timezone": "Asia/Jayapura"})
    planned = {
        b["meeting_key"]: b
        for b in api.ok("GET", "/broadcasts", limit=100)
        if b["meeting_key"] and b["status"] != "cancelled"
    }
    assert (planned["d-3"]["status"], planned["d-3"]["next_run_at"]) == ("scheduled", "2026-12-08T23:00:00Z")
    assert planned["d-3"]["id"] not in (d3["id"], d1["id"])
    assert planned["d-1"]["status"] == "pending_approval"  # never approved: still waits for it
    with Session(api.engine) as session:
        kept = session.exec(
            select(BroadcastEvent).where(
                BroadcastEvent.broadcast_id == planned["d-3"]["id"], BroadcastEvent.action == "approved"
            )
        ).one()
    assert kept.actor == next(e for e in audit_entries(api, "broadcast.approve")).actor


def test_lifting_quiet_hours_reschedules_a_held_broadcast_at_once(api: Api) -> None:
    # At 22.30 WIB an invitation due now is held for 06.00; the head shortens the quiet hours to start at
    # 23.00, and the scheduler is told at once that it is due now.
    night = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)
    api.clock.now = night
    made = api.ok(
        "POST", "/broadcasts", "kader", {"kind": "umum", "title": "Kerja bakti", "sms_text": "Kerja bakti."}
    )
    assert api.fire(made["id"], night).next_run_at == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    api.scheduler.calls.clear()
    api.ok("PATCH", "/villages/DEMO", "kades", {"quiet_start": "23:00", "quiet_end": "05:00"})
    assert ("schedule", made["id"], night) in api.scheduler.calls
    (entry,) = audit_entries(api, "village.update")
    assert entry.detail["replanned_for_quiet_hours"] == 1
