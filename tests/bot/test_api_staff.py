"""/api/v1/staff over real SQLite and PostgreSQL: the operator creates staff, sets phones and PINs and
deactivates them; everyone reads their village's staff; PINs never come back out."""

from typing import Any

import pytest
from sqlmodel import Session, col, select

from handlers.staff import PIN, PinCheck, check_pin, hash_pin
from models import ApiToken, AuditEntry, ContactIdentity, Staff, Village
from models.errors import BadRequest
from tests.apiclient import Api
from tests.conftest import T0

PRINCIPALS = ["none", "bad", "kader", "kades", "bpd", "operator", "other", "operator@LAIN"]
JOKO = {"name": "Pak Joko (KPMD)", "role": "kader", "phone": "0813 0000 0009", "pin": "4821"}


def staff_row(api: Api, staff_id: int) -> Staff:
    with Session(api.engine) as session:
        staff = session.get(Staff, staff_id)
        assert staff is not None
        return staff


def staff_id(api: Api, name: str) -> int:
    with Session(api.engine) as session:
        found = session.exec(select(Staff.id).where(Staff.name == name)).first()
        assert found is not None
        return found


def audit_entries(api: Api, action: str) -> list[AuditEntry]:
    with Session(api.engine) as session:
        return list(
            session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(col(AuditEntry.id)))
        )


def contact_of(api: Api, village: str, phone: str) -> int | None:
    with Session(api.engine) as session:
        query = (
            select(ContactIdentity.contact_id)
            .join(Village, col(Village.id) == col(ContactIdentity.village_id))
            .where(Village.code == village, ContactIdentity.value == phone)
        )
        return session.exec(query).first()


def as_operator_without_village(api: Api, method: str, path: str, body: Any) -> Any:
    headers = {"Authorization": f"Bearer {api.tokens['operator']}"}
    return api.client.request(method, "/api/v1" + path, json=body, headers=headers)


# --- who may do what -----------------------------------------------------------------------------


def test_who_may_do_what(api: Api) -> None:
    siti = staff_id(api, "Siti Rahma (KPMD)")
    n = iter(range(10, 100))
    cases: dict[str, tuple[str, Any, Any, dict[str, int]]] = {
        "list": ("GET", lambda: "/staff", lambda: None, {"kader": 200, "kades": 200, "bpd": 200}),
        "get": ("GET", lambda: f"/staff/{siti}", lambda: None, {"kader": 200, "kades": 200, "bpd": 200}),
        "create": ("POST", lambda: "/staff", lambda: {"name": f"Kader {next(n)}", "role": "kader"}, {}),
        "update": ("PATCH", lambda: f"/staff/{siti}", lambda: {"preferred_channel": "smsgate"}, {}),
    }
    for name, (method, path, body, village_roles) in cases.items():
        expected = {
            "none": 401,
            "bad": 401,
            "kader": village_roles.get("kader", 403),
            "kades": village_roles.get("kades", 403),
            "bpd": village_roles.get("bpd", 403),
            "operator": 201 if method == "POST" else 200,
            # LAIN's kader reads LAIN's staff (not Siti); the operator acting on LAIN does not find her.
            "other": {"list": 200, "get": 404}.get(name, 403),
            "operator@LAIN": {"list": 200, "create": 201}.get(name, 404),
        }
        answers = {who: api.call(method, path(), who, body()).status_code for who in PRINCIPALS}
        assert answers == expected, name
    assert {s["village"] for s in api.ok("GET", "/staff", "other")} == {"LAIN"}
    assert {s["village"] for s in api.ok("GET", "/staff", "operator@LAIN")} == {"LAIN"}


def test_only_the_operator_sees_phones_in_full_and_nobody_sees_a_pin(api: Api) -> None:
    created = api.ok("POST", "/staff", "operator", JOKO)
    assert created["phone"] == "+6281300000009"
    assert "pin" not in created
    assert "pin_hash" not in created
    assert created["has_pin"] is True
    by_kader = {s["name"]: s for s in api.ok("GET", "/staff", "kades")}
    assert by_kader["Pak Joko (KPMD)"]["phone"] == "+62813****0009"
    assert by_kader["Siti Rahma (KPMD)"]["phone"] == "+62813****0002"
    assert by_kader["Siti Rahma (KPMD)"]["has_pin"] is False
    by_operator = {s["name"]: s for s in api.ok("GET", "/staff", "operator", active=True)}
    assert by_operator["Pak Joko (KPMD)"]["phone"] == "+6281300000009"
    assert all("pin_hash" not in s for s in by_operator.values())


# --- creating ------------------------------------------------------------------------------------


def test_a_new_kader_has_a_pin_and_their_contact(api: Api) -> None:
    created = api.ok("POST", "/staff", "operator", {**JOKO, "preferred_channel": "twilio_whatsapp"})
    assert (created["village"], created["role"], created["active"]) == ("DEMO", "kader", True)
    assert created["preferred_channel"] == "twilio_whatsapp"
    assert created["pin_locked_until"] is None
    contact = contact_of(api, "DEMO", "+6281300000009")
    assert contact is not None
    assert created["contact_id"] == contact
    with Session(api.engine) as session:
        staff = session.get(Staff, created["id"])
        assert staff is not None
        assert staff.pin_hash is not None
        assert "4821" not in staff.pin_hash
        assert check_pin(session=session, staff=staff, pin="4821", now=T0, channel="console") == PinCheck.OK
        assert (
            check_pin(session=session, staff=staff, pin="1111", now=T0, channel="console") == PinCheck.WRONG
        )
    [entry] = audit_entries(api, "staff.create")
    assert (entry.target, entry.actor[:9]) == (f"staff:{created['id']}", "operator:")
    assert entry.detail == {"role": "kader", "phone_set": True, "pin_set": True}
    assert "4821" not in str(entry.detail)
    assert "0009" not in str(entry.detail)


def test_a_resident_who_becomes_staff_keeps_their_contact(api: Api) -> None:
    slamet = contact_of(api, "DEMO", "+6281234500001")
    created = api.ok(
        "POST", "/staff", "operator", {"name": "Pak Slamet", "role": "bpd", "phone": "6281234500001"}
    )
    assert created["contact_id"] == slamet


def test_an_operator_belongs_to_no_village(api: Api) -> None:
    response = as_operator_without_village(
        api, "POST", "/staff", {"name": "Operator Dua", "role": "operator"}
    )
    assert response.status_code == 201, response.text
    assert (response.json()["village"], response.json()["contact_id"]) == (None, None)
    [entry] = audit_entries(api, "staff.create")
    assert entry.village_id is None
    # With ?village= it is refused; a village role without one is the operator's usual 400.
    response = api.call("POST", "/staff", "operator", {"name": "Operator Tiga", "role": "operator"})
    assert response.status_code == 422
    response = as_operator_without_village(api, "POST", "/staff", {"name": "Kader", "role": "kader"})
    assert response.status_code == 400
    # An operator is changed without ?village=.
    second = as_operator_without_village(
        api, "PATCH", f"/staff/{staff_id(api, 'Operator Dua')}", {"phone": "081300000077"}
    )
    assert (second.status_code, second.json()["phone"]) == (200, "+6281300000077")


def test_a_phone_is_used_once_among_a_villages_active_staff(api: Api) -> None:
    siti_phone = "+6281300000002"
    response = api.call(
        "POST", "/staff", "operator", {"name": "Siti Kedua", "role": "kader", "phone": "081300000002"}
    )
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "phone is already used by another active staff member"},
    )
    # Another village may have the same person; an inactive one frees the number.
    api.ok("POST", "/staff", "operator@LAIN", {"name": "Siti di Lain", "role": "kader", "phone": siti_phone})
    siti = staff_id(api, "Siti Rahma (KPMD)")
    joko = api.ok("POST", "/staff", "operator", JOKO)["id"]
    response = api.call("PATCH", f"/staff/{joko}", "operator", {"phone": siti_phone})
    assert response.status_code == 409
    api.ok("PATCH", f"/staff/{siti}", "operator", {"active": False})
    assert api.ok("PATCH", f"/staff/{joko}", "operator", {"phone": siti_phone})["phone"] == siti_phone
    # Siti cannot come back with the number Joko now has.
    assert api.call("PATCH", f"/staff/{siti}", "operator", {"active": True}).status_code == 409
    assert api.ok("PATCH", f"/staff/{siti}", "operator", {"active": True, "phone": None})["active"] is True


@pytest.mark.parametrize(
    "body",
    [
        {**JOKO, "pin": "123"},
        {**JOKO, "pin": "1234567"},
        {**JOKO, "pin": "12a4"},
        {**JOKO, "pin": 4821},
        {**JOKO, "pin": "٤٨٢١"},  # Arabic-Indic digits: a keypad PIN is 0-9
        {**JOKO, "pin": "४८२१"},  # Devanagari
        {**JOKO, "pin": "⁴⁸²¹"},  # superscripts
        {**JOKO, "pin": "４８２１"},  # fullwidth
        {**JOKO, "pin": "4821\n"},
        {**JOKO, "phone": "bukan nomor"},
        {**JOKO, "phone": "12345"},
        {**JOKO, "phone": "tel:081300000009"},
        {**JOKO, "phone": "0" * 100},
        {**JOKO, "role": "admin"},
        {**JOKO, "role": None},
        {**JOKO, "name": ""},
        {**JOKO, "name": "x" * 121},
        {**JOKO, "preferred_channel": "telegram"},
        {**JOKO, "pin_hash": "scrypt$..."},
        {**JOKO, "village_id": 2},
        {"role": "kader"},
        [JOKO],
    ],
)
def test_staff_that_cannot_be_created_is_422(api: Api, body: Any) -> None:
    response = api.call("POST", "/staff", "operator", body)
    assert response.status_code == 422, response.text
    assert "4821" not in response.text  # a refused PIN is not echoed


def test_a_staff_name_with_a_nul_character_is_400(api: Api) -> None:
    response = api.call("POST", "/staff", "operator", {**JOKO, "name": "Joko\x00"})
    assert response.status_code == 400, response.text
    assert "4821" not in response.text


# --- changing ------------------------------------------------------------------------------------


def test_a_new_phone_links_its_own_contact(api: Api) -> None:
    joko = api.ok("POST", "/staff", "operator", JOKO)
    moved = api.ok("PATCH", f"/staff/{joko['id']}", "operator", {"phone": "+62 813-0000-0010"})
    assert moved["phone"] == "+6281300000010"
    assert moved["contact_id"] == contact_of(api, "DEMO", "+6281300000010") != joko["contact_id"]
    cleared = api.ok("PATCH", f"/staff/{joko['id']}", "operator", {"phone": None})
    assert (cleared["phone"], cleared["contact_id"]) == (None, None)
    assert [e.detail for e in audit_entries(api, "staff.update")] == [{"changed": ["phone"]}] * 2


def test_a_new_pin_lifts_the_lock(api: Api) -> None:
    joko = api.ok("POST", "/staff", "operator", JOKO)["id"]
    with Session(api.engine) as session:
        staff = session.get(Staff, joko)
        assert staff is not None
        for _ in range(5):
            check_pin(session=session, staff=staff, pin="0000", now=T0, channel="console")
        session.commit()
    locked = api.ok("GET", f"/staff/{joko}", "kader")
    assert locked["pin_locked_until"] is not None
    unlocked = api.ok("PATCH", f"/staff/{joko}", "operator", {"pin": "135790"})
    assert (unlocked["pin_locked_until"], unlocked["has_pin"]) == (None, True)
    staff = staff_row(api, joko)
    assert staff.pin_failures == 0
    with Session(api.engine) as session:
        staff = session.get(Staff, joko)
        assert staff is not None
        assert check_pin(session=session, staff=staff, pin="135790", now=T0, channel="console") == PinCheck.OK
    assert api.ok("PATCH", f"/staff/{joko}", "operator", {"pin": None})["has_pin"] is False
    assert all("135790" not in str(e.detail) for e in audit_entries(api, "staff.update"))


def test_deactivating_revokes_every_token_at_once(api: Api) -> None:
    siti = staff_id(api, "Siti Rahma (KPMD)")
    assert api.call("GET", "/staff", "kader").status_code == 200
    changed = api.ok("PATCH", f"/staff/{siti}", "operator", {"active": False})
    assert changed["active"] is False
    response = api.call("GET", "/staff", "kader")
    assert (response.status_code, response.json()) == (401, {"detail": "invalid or revoked token"})
    with Session(api.engine) as session:
        tokens = session.exec(select(ApiToken).where(ApiToken.staff_id == siti)).all()
    assert tokens
    assert all(t.revoked_at is not None for t in tokens)
    [entry] = audit_entries(api, "staff.update")
    assert entry.detail == {
        "changed": ["active"],
        "active": False,
        "tokens_revoked": 2,
    }  # the demo's and the test's
    # Coming back does not revive the tokens.
    api.ok("PATCH", f"/staff/{siti}", "operator", {"active": True})
    assert api.call("GET", "/staff", "kader").status_code == 401
    assert [s["name"] for s in api.ok("GET", "/staff", "kades", active=False)] == []


def test_the_operator_cannot_deactivate_themselves(api: Api) -> None:
    me = staff_id(api, "Operator")
    response = as_operator_without_village(api, "PATCH", f"/staff/{me}", {"active": False})
    assert response.status_code == 409
    assert api.call("GET", "/villages", "operator").status_code == 200


def test_unknown_and_foreign_staff_are_404(api: Api) -> None:
    lain = staff_id(api, "Kader Lain")
    assert api.call("GET", f"/staff/{lain}", "kader").json() == {"detail": f"no staff member {lain}"}
    assert api.call("PATCH", f"/staff/{lain}", "operator", {"name": "X"}).status_code == 404
    assert api.call("PATCH", f"/staff/{lain}", "operator@LAIN", {"name": "Kader Lain"}).status_code == 200
    assert api.call("PATCH", "/staff/999999", "operator", {"name": "X"}).status_code == 404
    assert api.call("PATCH", "/staff/0", "operator", {"name": "X"}).status_code == 422
    assert api.call("GET", "/staff/abc", "kader").status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": None},
        {"active": None},
        {"active": "maybe"},
        {"role": "operator"},
        {"pin": "12"},
        {"pin": "٤٨٢١"},
        {"pin": "１２３４"},
        {"phone": "bukan"},
        {"pin_failures": 0},
        {"village_id": 2},
    ],
)
def test_a_change_that_cannot_be_made_is_422(api: Api, body: dict[str, Any]) -> None:
    siti = staff_id(api, "Siti Rahma (KPMD)")
    response = api.call("PATCH", f"/staff/{siti}", "operator", body)
    assert response.status_code == 422, response.text


def test_a_stored_pin_is_scrypt_at_full_cost() -> None:
    """What production stores (tests elsewhere store a cheaper hash, tests.factories.quick_pin_hash)."""
    scheme, n, r, p, salt, digest = hash_pin("4821").split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**14), "8", "1")
    assert len(bytes.fromhex(salt)) == 16
    assert len(bytes.fromhex(digest)) == 32
    assert hash_pin("4821") != hash_pin("4821")  # salted


@pytest.mark.parametrize("pin", ["٤٨٢١", "४८२१", "⁴⁸²¹", "４８２１", "4821\n", "482", "1234567"])
def test_a_pin_is_ascii_digits_only(pin: str) -> None:
    assert PIN.fullmatch(pin) is None
    with pytest.raises(BadRequest):
        hash_pin(pin)


def test_a_pin_in_other_digits_never_matches_its_ascii_twin(api: Api) -> None:
    joko = api.ok("POST", "/staff", "operator", JOKO)["id"]
    with Session(api.engine) as session:
        staff = session.get(Staff, joko)
        assert staff is not None
        assert (
            check_pin(session=session, staff=staff, pin="٤٨٢١", now=T0, channel="console") == PinCheck.WRONG
        )
        assert check_pin(session=session, staff=staff, pin="4821", now=T0, channel="console") == PinCheck.OK


# --- roles ---------------------------------------------------------------------------------------


def test_the_operator_changes_a_role_and_the_old_tokens_stop_working(api: Api) -> None:
    siti = staff_id(api, "Siti Rahma (KPMD)")
    with Session(api.engine) as session:
        staff = session.get(Staff, siti)
        assert staff is not None
        staff.pending_command = {"command": "tutup", "code": "123456"}
        session.add(staff)
        session.commit()
    assert api.call("GET", "/contacts", "kader").status_code == 200
    changed = api.ok("PATCH", f"/staff/{siti}", "operator", {"role": "bpd"})
    assert (changed["role"], changed["active"]) == ("bpd", True)
    # A token was given for a role: the kader's token no longer opens anything.
    response = api.call("GET", "/staff", "kader")
    assert (response.status_code, response.json()) == (401, {"detail": "invalid or revoked token"})
    with Session(api.engine) as session:
        tokens = session.exec(select(ApiToken).where(ApiToken.staff_id == siti)).all()
        row = session.get(Staff, siti)
    assert tokens
    assert all(t.revoked_at is not None for t in tokens)
    assert row is not None
    assert (row.role.value, row.pending_command) == ("bpd", None)
    [entry] = audit_entries(api, "staff.update")
    assert entry.detail == {"changed": ["role"], "role": "bpd", "role_was": "kader", "tokens_revoked": 2}
    assert entry.actor.startswith("operator:")
    assert [s["role"] for s in api.ok("GET", "/staff", "kades") if s["id"] == siti] == ["bpd"]


def test_the_same_role_again_changes_nothing(api: Api) -> None:
    siti = staff_id(api, "Siti Rahma (KPMD)")
    assert api.ok("PATCH", f"/staff/{siti}", "operator", {"role": "kader"})["role"] == "kader"
    assert api.call("GET", "/staff", "kader").status_code == 200
    assert audit_entries(api, "staff.update") == []


def test_a_role_changes_with_other_fields_in_one_entry(api: Api) -> None:
    joko = api.ok("POST", "/staff", "operator", JOKO)["id"]
    changed = api.ok("PATCH", f"/staff/{joko}", "operator", {"role": "kades", "name": "Pak Joko (Kades)"})
    assert (changed["role"], changed["name"]) == ("kades", "Pak Joko (Kades)")
    [entry] = audit_entries(api, "staff.update")
    assert entry.detail == {
        "changed": ["name", "role"],
        "role": "kades",
        "role_was": "kader",
        "tokens_revoked": 0,
    }


@pytest.mark.parametrize("who", ["kader", "kades", "bpd", "other"])
def test_only_the_operator_changes_roles(api: Api, who: str) -> None:
    kades = staff_id(api, "Bapak Darmawan (Kepala Desa)")
    response = api.call("PATCH", f"/staff/{kades}", who, {"role": "kader"})
    assert response.status_code == 403, response.text
    assert staff_row(api, kades).role.value == "kades"


@pytest.mark.parametrize("role", ["operator", "admin", "KADER", "", None, 1])
def test_a_role_that_cannot_be_given_is_422(api: Api, role: Any) -> None:
    siti = staff_id(api, "Siti Rahma (KPMD)")
    response = api.call("PATCH", f"/staff/{siti}", "operator", {"role": role})
    assert response.status_code == 422, response.text
    if isinstance(role, str):
        assert "Input should be 'kader', 'kades' or 'bpd'" in response.text
    assert staff_row(api, siti).role.value == "kader"
    assert api.call("GET", "/staff", "kader").status_code == 200


def test_an_operator_does_not_become_village_staff(api: Api) -> None:
    me = staff_id(api, "Operator")
    response = as_operator_without_village(api, "PATCH", f"/staff/{me}", {"role": "kader"})
    assert response.status_code == 422, response.text
    assert "operator serves every village" in response.json()["detail"]
    assert api.call("GET", "/villages", "operator").status_code == 200
