"""The REST API (/api/v1) over real SQLite and PostgreSQL: who may do what, and what each answer says.

The deployment here sends on the console, Twilio (SMS and WhatsApp) and the village's Android SMS
gateway. Demo residents (bot/demo.py): 1, 2, 5, 6, 7 prefer WhatsApp, 3, 4, 8 the gateway; 1, 2, 7 live
in Krajan. Nobody has written on WhatsApp lately unless a test says so.
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, update
from sqlmodel import Session, col, select

from bot.db import transaction
from broadcasts import announcements
from models import (
    ApiToken,
    Broadcast,
    BudgetDirection,
    BudgetLine,
    Contact,
    ContactIdentity,
    ContactTopic,
    Decision,
    DecisionKind,
    Outbox,
    Role,
    Staff,
    Village,
)
from tests.apiclient import Api, fresh_resources
from tests.conftest import T0
from tests.fakes import adapters

WIB = "+07:00"
KRAJAN = [1, 2, 7]


def count(engine: Engine, model: type[Any]) -> int:
    with Session(engine) as session:
        return len(session.exec(select(model)).all())


def inside_whatsapp_window(engine: Engine, *contact_ids: int) -> None:
    with transaction(engine) as session:
        session.execute(
            update(Contact)
            .where(col(Contact.id).in_(contact_ids))
            .values(whatsapp_last_inbound_at=T0 - timedelta(hours=1))
        )


KERJA_BAKTI = {"kind": "umum", "title": "Kerja bakti", "sms_text": "Kerja bakti Minggu pagi di balai desa."}


# --- who may do what -----------------------------------------------------------------------------


def test_another_villages_broadcast_is_404_both_ways(api: Api) -> None:
    lain = 1  # made first, by other_village()
    demo = fresh_resources(api.engine)["scheduled"]
    assert api.call("GET", f"/broadcasts/{lain}", "kader").status_code == 404
    assert api.call("GET", f"/broadcasts/{demo}", "other").status_code == 404
    assert api.call("GET", f"/broadcasts/{lain}", "other").status_code == 200
    assert [b["id"] for b in api.ok("GET", "/broadcasts", "other")] == [lain]
    assert lain not in [b["id"] for b in api.ok("GET", "/broadcasts", "kader")]
    assert api.call("GET", "/broadcasts/999", "kader").json() == {"detail": "no broadcast 999"}


def test_the_operator_names_a_village(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['operator']}"}
    response = api.client.get("/api/v1/broadcasts", headers=headers)
    assert response.status_code == 400
    assert "?village=CODE" in response.json()["detail"]
    assert api.client.get("/api/v1/broadcasts?village=NOPE", headers=headers).status_code == 404
    assert (
        api.client.get("/api/v1/broadcasts?village=LAIN", headers=headers).json()[0]["title"]
        == "Gotong royong"
    )
    # Village staff act on their own village; naming another one finds nothing.
    assert api.call("GET", "/meetings", "kader", params={"village": "DEMO"}).status_code == 200
    assert api.call("GET", "/meetings", "kader", params={"village": "LAIN"}).status_code == 404


def test_revoked_tokens_and_inactive_staff_are_401(api: Api) -> None:
    assert api.call("GET", "/budget", "kades").status_code == 200
    with transaction(api.engine) as session:
        session.execute(update(ApiToken).values(revoked_at=T0))
    assert api.call("GET", "/budget", "kades").status_code == 401
    with transaction(api.engine) as session:
        session.execute(update(ApiToken).values(revoked_at=None))
        session.execute(update(Staff).where(col(Staff.role) == Role.KADES).values(active=False))
    assert api.call("GET", "/budget", "kades").status_code == 401
    assert api.call("GET", "/budget", "bpd").status_code == 200
    wrong_scheme = api.client.get("/api/v1/budget", headers={"Authorization": f"Basic {api.tokens['bpd']}"})
    assert wrong_scheme.status_code == 401


def test_openapi_documents_every_endpoint(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    operations = {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1")
        for method in item
    }
    assert operations >= {  # tests/bot/test_authorization.py checks every endpoint is in its matrix
        ("GET", "/broadcasts"),
        ("POST", "/broadcasts"),
        ("POST", "/broadcasts/preview"),
        ("GET", "/broadcasts/{broadcast_id}"),
        ("POST", "/broadcasts/{broadcast_id}/cancel"),
        ("POST", "/broadcasts/{broadcast_id}/approve"),
        ("GET", "/meetings"),
        ("POST", "/meetings"),
        ("GET", "/meetings/{meeting_id}"),
        ("PATCH", "/meetings/{meeting_id}"),
        ("POST", "/meetings/{meeting_id}/cancel"),
        ("GET", "/decisions"),
        ("POST", "/decisions"),
        ("GET", "/decisions/{decision_id}"),
        ("GET", "/budget"),
        ("POST", "/budget"),
        ("POST", "/budget/announce"),
    }
    create = schema["paths"]["/api/v1/broadcasts"]["post"]
    assert create["security"] == [{"bearer": []}]
    assert {"201", "401", "403", "422"} <= set(create["responses"])
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    components = schema["components"]["schemas"]
    for name in ("BroadcastCreate", "MeetingCreate", "MeetingUpdate", "DecisionCreate", "BudgetLineCreate"):
        assert components[name]["examples"], name


# --- broadcasts ----------------------------------------------------------------------------------


def test_preview_figures_by_hand(api: Api) -> None:
    inside_whatsapp_window(api.engine, 1, 2)
    text = "Kerja bakti Minggu 6 Des pukul 07.00 di balai desa. Bawa cangkul & karung. "
    preview = api.ok("POST", "/broadcasts/preview", json={**KERJA_BAKTI, "sms_text": text})
    # 1 and 2 are inside the window: WhatsApp, free. 5, 6, 7 prefer WhatsApp but are outside it and
    # there is no template: SMS through the gateway instead, like 3, 4 and 8 who prefer it.
    assert preview["by_channel"] == {"twilio_whatsapp": 2, "smsgate": 6}
    assert (preview["recipients"], preview["outside_window_sms"], preview["outside_window_template"]) == (
        8,
        3,
        0,
    )
    assert (preview["sms_encoding"], preview["sms_segments"], preview["sms_total_segments"]) == (
        "GSM-7",
        1,
        6,
    )
    assert (preview["cost"], preview["cost_text"]) == (6 * 350, "Rp2.100")
    # The gateway sends 100 segments an hour: 6 segments take 216 s.
    assert (preview["duration_seconds"], preview["duration_text"]) == (216.0, "4 menit")
    assert preview["problems"] == []
    assert preview["warnings"] == []
    assert preview["summary"].startswith(
        "8 penerima: 2 WhatsApp, 6 SMS (1 bagian, GSM-7; 3 pengganti WhatsApp)"
    )

    # An emoji forces UCS-2: 75 characters + 2 UTF-16 units = 77 > 70, so 2 segments of 67.
    emoji = api.ok("POST", "/broadcasts/preview", json={**KERJA_BAKTI, "sms_text": text + "🙏"})
    assert (emoji["sms"]["encoding"], emoji["sms"]["units"], emoji["sms"]["segments"]) == ("UCS-2", 77, 2)
    assert emoji["sms"]["unicode_chars"] == ["🙏"]
    assert (emoji["cost"], emoji["cost_text"]) == (6 * 2 * 350, "Rp4.200")
    assert emoji["duration_text"] == "8 menit"  # 12 segments at 100/h: 432 s, 7.2 minutes rounded up
    assert "membuat SMS jadi UCS-2" in emoji["warnings"][0]

    # Curly quotes are fixed in one click (the outbox applies the same fix).
    quotes = api.ok(
        "POST", "/broadcasts/preview", json={**KERJA_BAKTI, "sms_text": "“Kerja bakti” Minggu pagi."}
    )
    assert quotes["sms"]["unicode_chars"] == ["“", "”"]
    assert (quotes["sms"]["fixed_text"], quotes["sms"]["fixed_encoding"]) == (
        '"Kerja bakti" Minggu pagi.',
        "GSM-7",
    )
    assert quotes["sms"]["fix_changes"] is True
    assert quotes["sms_encoding"] == "GSM-7"

    # With a template, 5, 6 and 7 stay on WhatsApp and the template is paid for.
    template = api.ok(
        "POST",
        "/broadcasts/preview",
        json={**KERJA_BAKTI, "template_name": "HX0123456789abcdef0123456789abcdef"},
    )
    assert template["by_channel"] == {"twilio_whatsapp": 5, "smsgate": 3}
    assert (template["outside_window_template"], template["cost"]) == (3, 3 * 400 + 3 * 350)
    assert count(api.engine, Broadcast) == 1  # only the other village's: a preview stores nothing


def test_create_list_get_and_stop_in_flight(api: Api) -> None:
    inside_whatsapp_window(api.engine, 1, 2)
    send_at = T0 + timedelta(hours=1)
    created = api.ok("POST", "/broadcasts", json={**KERJA_BAKTI, "send_at": send_at.isoformat()})
    broadcast_id = created["id"]
    assert (created["status"], created["created_by"], created["send_at"]) == (
        "scheduled",
        "kader:1",
        "2026-12-02T04:00:00Z",
    )
    assert created["next_run_at"] == "2026-12-02T04:00:00Z"
    assert created["preview"]["cost"] == 2100
    assert created["preview"]["summary"].startswith("8 penerima")
    assert api.scheduler.calls == [("schedule", broadcast_id, send_at)]

    listed = api.ok("GET", "/broadcasts", who="bpd")
    assert [b["id"] for b in listed] == [broadcast_id]
    assert api.ok("GET", "/broadcasts", status="cancelled") == []
    assert [b["id"] for b in api.ok("GET", "/broadcasts", status="scheduled", kind="umum")] == [broadcast_id]

    api.clock.now = send_at + timedelta(seconds=1)
    fired = api.fire(broadcast_id, api.clock.now)
    assert fired.queued == 8
    with transaction(api.engine) as session:  # 1 read it on WhatsApp, 2 got it; 3 (SMS) delivered; 4 failed
        for contact_id, status, rank in (
            (1, "read", 5),
            (2, "delivered", 4),
            (3, "delivered", 4),
            (4, "failed", 3),
        ):
            session.execute(
                update(Outbox)
                .where(col(Outbox.contact_id) == contact_id)
                .values(status=status, status_rank=rank)
            )
        session.execute(update(Outbox).where(col(Outbox.contact_id) == 4).values(failure_reason="carrier"))
    detail = api.ok("GET", f"/broadcasts/{broadcast_id}", who="kades")
    assert [(r["status"], r["recipients"]) for r in detail["runs"]] == [("done", 8)]
    report = detail["report"]
    assert {k: report[k] for k in ("recipients", "queued", "sent", "delivered", "read", "failed")} == {
        "recipients": 8,
        "queued": 4,
        "sent": 3,
        "delivered": 3,
        "read": 1,
        "failed": 1,
    }
    assert report["failed_by_reason"] == {"carrier": 1}
    # What went out: two WhatsApp messages inside the window (free), one SMS (Rp350), one failed SMS.
    assert (report["cost"], report["cost_text"]) == (350 + 350, "Rp700")

    stopped = api.ok("POST", f"/broadcasts/{broadcast_id}/cancel")
    assert (stopped["status"], stopped["cancelled_messages"]) == ("cancelled", 4)
    assert api.scheduler.calls[-1] == ("unschedule", broadcast_id)
    again = api.call("POST", f"/broadcasts/{broadcast_id}/cancel")
    assert (again.status_code, again.json()) == (
        409,
        {"detail": f"broadcast {broadcast_id} is already cancelled"},
    )
    detail = api.ok("GET", f"/broadcasts/{broadcast_id}")
    assert [(e["action"], e["actor"]) for e in detail["events"]] == [
        ("created", "kader:1"),
        ("fired", "system"),
        ("cancelled", "kader:1"),
    ]
    assert detail["report"]["cancelled"] == 4
    assert detail["report"]["queued"] == 0


def test_a_broadcast_without_a_time_goes_now(api: Api) -> None:
    created = api.ok(
        "POST", "/broadcasts", json={**KERJA_BAKTI, "kind": "darurat", "audience": {"dusun": ["krajan"]}}
    )
    assert created["next_run_at"] == "2026-12-02T03:00:00Z"
    assert created["preview"]["recipients"] == 3
    assert created["audience"] == {**empty_audience(), "dusun": ["krajan"]}


def empty_audience() -> dict[str, list[Any]]:
    return {key: [] for key in ("dusun", "rw", "rt", "topics", "tags", "groups", "contacts", "exclude")}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"send_at": "2026-12-02T09:59:00+07:00"}, "send_at 2026-12-02T09:59:00+07:00 is in the past"),
        ({"audience": {"dusun": ["Nowhere"]}}, "audience is empty: no subscribed contact matches it"),
        ({"audience": {"contacts": [1], "exclude": [1]}}, "audience is empty"),
        ({"rrule": "FREQ=WEEKLY"}, "has no end: add COUNT=n or UNTIL=YYYYMMDD"),
        ({"rrule": "FREQ=HOURLY;COUNT=3"}, "repeats within a day"),
        ({"sms_text": "Yth. {nam}, kerja bakti Minggu."}, "Variabel {nam} tidak dikenal. Maksudnya {nama}?"),
        ({"whatsapp_text": "Yth. {nama, kerja bakti"}, "tidak ditutup"),
        ({"template_name": "HX1", "template_variables": ["{nama}", "{tgl}"]}, "Variabel {tgl} tidak dikenal"),
        ({"sms_text": "   "}, "Teks SMS kosong."),
    ],
)
def test_validation_says_what_is_wrong(api: Api, change: dict[str, Any], expected: str) -> None:
    for path in ("/broadcasts", "/broadcasts/preview"):
        response = api.call("POST", path, json={**KERJA_BAKTI, **change})
        if path.endswith("preview"):
            if "send_at" in change or "rrule" in change or change.get("sms_text") == "   ":
                assert response.status_code == 200  # time and recurrence are checked when it is created
                continue
            assert response.status_code == 200, response.text
            assert any(expected in problem for problem in response.json()["problems"]), response.json()
        else:
            assert response.status_code == 422, response.text
            assert expected in response.json()["detail"]
    assert count(api.engine, Broadcast) == 1  # the other village's only
    assert api.scheduler.calls == []


@pytest.mark.parametrize(
    ("change", "field_name"),
    [
        ({"send_at": "2026-12-05T08:00:00"}, "send_at"),  # no offset: which 08:00?
        ({"kind": "pengumuman"}, "kind"),
        ({"send_time": "2026-12-05T08:00:00+07:00"}, "send_time"),
        ({"audience": {"dusunn": ["Krajan"]}}, "dusunn"),
        ({"audience": {"topics": ["olahraga"]}}, "topics"),
        ({"template_variables": ["{nama}"]}, "body"),
        ({"validity_seconds": 5}, "validity_seconds"),
    ],
)
def test_malformed_bodies_name_the_field(api: Api, change: dict[str, Any], field_name: str) -> None:
    response = api.call("POST", "/broadcasts", json={**KERJA_BAKTI, **change})
    assert response.status_code == 422
    assert any(field_name in entry["loc"] for entry in response.json()["detail"]), response.json()


def test_whatsapp_recipients_outside_the_window_need_a_template(api: Api) -> None:
    with transaction(api.engine) as session:  # 8 is known only by their WhatsApp id: no SMS can reach them
        session.execute(
            update(ContactIdentity).where(col(ContactIdentity.contact_id) == 8).values(kind="whatsapp_user")
        )
    response = api.call("POST", "/broadcasts", json=KERJA_BAKTI)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "1 WhatsApp recipient outside the 24-hour window has no SMS to fall back on: "
        "give template_name (an approved WhatsApp template)"
    )
    preview = api.ok("POST", "/broadcasts/preview", json=KERJA_BAKTI)
    assert (preview["without_template"], preview["recipients"]) == (1, 7)
    created = api.ok("POST", "/broadcasts", json={**KERJA_BAKTI, "template_name": "kerja_bakti"})
    assert created["preview"]["without_template"] == 0
    assert created["preview"]["outside_window_template"] == 6


def test_a_recurring_broadcast_starts_at_its_first_date(api: Api) -> None:
    body = {**KERJA_BAKTI, "send_at": f"2026-12-07T08:00:00{WIB}", "rrule": "FREQ=MONTHLY;BYDAY=1MO;COUNT=3"}
    created = api.ok("POST", "/broadcasts", json=body)
    assert (created["rrule"], created["next_run_at"]) == (body["rrule"], "2026-12-07T01:00:00Z")


def test_approval_flow(api: Api) -> None:
    with transaction(api.engine) as session:
        session.execute(
            update(Village).where(col(Village.code) == "DEMO").values(approval_kinds=["keputusan"])
        )
    body = {**KERJA_BAKTI, "kind": "keputusan", "send_at": f"2026-12-02T12:00:00{WIB}"}
    pending = api.ok("POST", "/broadcasts", json=body)
    assert pending["status"] == "pending_approval"
    assert api.scheduler.calls == []  # nothing to fire until it is approved
    assert api.call("POST", f"/broadcasts/{pending['id']}/approve", "kader").status_code == 409  # its creator
    approved = api.ok("POST", f"/broadcasts/{pending['id']}/approve", "bpd")
    assert (approved["status"], approved["approved_by"]) == ("scheduled", "bpd:3")
    assert api.scheduler.calls == [("schedule", pending["id"], datetime(2026, 12, 2, 5, 0, tzinfo=UTC))]
    again = api.call("POST", f"/broadcasts/{pending['id']}/approve", "kades")
    assert again.status_code == 409
    assert "scheduled, not waiting for approval" in again.json()["detail"]

    # The operator may create and approve, but not approve what they created themselves.
    own = api.ok("POST", "/broadcasts", "operator", json=body)
    refused = api.call("POST", f"/broadcasts/{own['id']}/approve", "operator")
    assert (refused.status_code, refused.json()) == (
        409,
        {"detail": "a broadcast must be approved by someone other than its creator"},
    )
    assert api.ok("POST", f"/broadcasts/{own['id']}/approve", "kades")["approved_by"] == "kades:2"
    events = api.ok("GET", f"/broadcasts/{own['id']}")["events"]
    assert [(e["action"], e["actor"]) for e in events] == [
        ("created", own["created_by"]),
        ("approved", "kades:2"),
    ]
    assert own["created_by"].startswith("operator:")
    assert api.ok("POST", "/broadcasts", json={**body, "kind": "umum"})["status"] == "scheduled"


def test_it_works_without_a_scheduler(api: Api) -> None:
    del api.app.state.scheduling
    assert api.call("POST", "/broadcasts", json=KERJA_BAKTI).status_code == 201


# --- meetings ------------------------------------------------------------------------------------


MUSDUS = {
    "kind": "musdus",
    "title": "Musdus Krajan",
    "starts_at": f"2026-12-12T15:00:00{WIB}",
    "place": "Mushola Al-Ikhlas",
    "agenda": "Usulan RKPDes",
    "dusun": "krajan",
}


def test_meeting_created_moved_and_cancelled(api: Api) -> None:
    created = api.ok("POST", "/meetings", json=MUSDUS)
    meeting_id = created["id"]
    assert (created["dusun"], created["when"], created["starts_at"]) == (
        "Krajan",  # as the village spells it
        "Sabtu 12 Des 15.00 WIB",
        "2026-12-12T08:00:00Z",
    )
    planned = created["broadcasts"]
    assert [(b["meeting_key"], b["next_run_at"]) for b in planned] == [
        ("announce", "2026-12-02T03:00:00Z"),
        ("d-3", "2026-12-09T01:00:00Z"),  # 08.00 WIB three days before
        ("d-1", "2026-12-11T01:00:00Z"),
        ("h-2", "2026-12-12T06:00:00Z"),
    ]
    assert {b["audience"]["dusun"][0] for b in planned} == {"Krajan"}
    assert planned[0]["sms_text"] == (
        "Undangan Musdus Krajan: Sabtu 12 Des 15.00 WIB di Mushola Al-Ikhlas. "
        "Agenda: Usulan RKPDes. Mohon hadir."
    )
    assert [c[0] for c in api.scheduler.calls] == ["schedule"] * 4
    api.fire(planned[0]["id"], T0)  # the announcement goes out to Krajan
    adapters.deliver(api.engine, T0)

    api.clock.advance(days=1)
    api.scheduler.calls.clear()
    moved = api.ok("PATCH", f"/meetings/{meeting_id}", json={"starts_at": f"2026-12-13T15:00:00{WIB}"})
    assert moved["when"] == "Minggu 13 Des 15.00 WIB"
    notice = moved["notice"]
    assert notice["audience"]["contacts"] == KRAJAN  # everyone already told
    assert notice["sms_text"] == (
        "Perubahan jadwal: Musdus Krajan dipindah ke Minggu 13 Des 15.00 WIB di Mushola Al-Ikhlas. "
        "Mohon maaf atas perubahan ini."
    )
    statuses = {(b["meeting_key"], b["status"], b["next_run_at"]) for b in moved["broadcasts"]}
    assert statuses == {
        ("announce", "sent", None),
        ("d-3", "cancelled", None),
        ("d-1", "cancelled", None),
        ("h-2", "cancelled", None),
        (notice["meeting_key"], "scheduled", "2026-12-03T03:00:00Z"),
        ("d-3", "scheduled", "2026-12-10T01:00:00Z"),
        ("d-1", "scheduled", "2026-12-12T01:00:00Z"),
        ("h-2", "scheduled", "2026-12-13T06:00:00Z"),
    }
    old = {b["id"] for b in planned[1:]}
    assert {c[1] for c in api.scheduler.calls if c[0] == "unschedule"} == old
    assert len([c for c in api.scheduler.calls if c[0] == "schedule"]) == 4
    same = api.ok("PATCH", f"/meetings/{meeting_id}", json={"place": "Mushola Al-Ikhlas"})
    assert same["notice"] is None  # nothing changed, nothing sent
    assert len(same["broadcasts"]) == 8

    api.scheduler.calls.clear()
    cancelled = api.ok("POST", f"/meetings/{meeting_id}/cancel")
    assert cancelled["status"] == "cancelled"
    assert cancelled["notice"]["sms_text"] == (
        "Musdus Krajan yg dijadwalkan Minggu 13 Des 15.00 WIB DIBATALKAN. "
        "Jadwal baru akan diumumkan. Mohon maaf."
    )
    assert cancelled["notice"]["audience"]["contacts"] == KRAJAN
    still = [b for b in cancelled["broadcasts"] if b["status"] == "scheduled"]
    assert [b["meeting_key"] for b in still] == ["cancelled"]
    assert len([c for c in api.scheduler.calls if c[0] == "unschedule"]) == 4  # correction and 3 reminders
    assert api.call("POST", f"/meetings/{meeting_id}/cancel").status_code == 409
    assert api.call("PATCH", f"/meetings/{meeting_id}", json={"place": "Balai"}).status_code == 409
    assert api.ok("GET", f"/meetings/{meeting_id}", "bpd")["broadcasts"] == cancelled["broadcasts"]


def test_meetings_are_listed_upcoming_first(api: Api) -> None:
    api.ok("POST", "/meetings", json={**MUSDUS, "starts_at": f"2026-12-03T15:00:00{WIB}"})
    listed = api.ok("GET", "/meetings", "kades")
    assert [(m["title"], m["status"]) for m in listed] == [
        ("Musdus Krajan", "scheduled"),  # tomorrow
        ("Musdus Krajan", "scheduled"),  # the demo's, in 4 days
        ("Musdes RKPDes", "scheduled"),  # in 10 days
        ("Musdes Penetapan Sanksi Sampah", "scheduled"),  # 40 days ago
    ]
    assert listed[0]["id"] == 4
    assert api.ok("GET", "/meetings", status="cancelled") == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"starts_at": f"2026-12-01T19:00:00{WIB}"}, "is in the past"),
        ({"starts_at": f"2100-01-01T19:00:00{WIB}"}, "is more than a year ahead"),
        (
            {"dusun": "Sukamakmur"},
            "no dusun 'Sukamakmur' in Desa Sukamaju (known: Cibodas, Krajan, Sukamulya)",
        ),
        ({"dusun": None}, "a musdus is the meeting of one dusun"),
        ({"title": "Musdus {dusun}"}, "String should match pattern"),
        ({"starts_at": "2026-12-12T15:00:00"}, "timezone"),
    ],
)
def test_meeting_validation(api: Api, change: dict[str, Any], expected: str) -> None:
    response = api.call("POST", "/meetings", json={**MUSDUS, **change})
    assert response.status_code == 422
    assert expected in str(response.json()["detail"])
    moved = api.call("PATCH", "/meetings/1", json={"starts_at": f"2026-12-01T19:00:00{WIB}"})
    assert (moved.status_code, "in the past" in moved.json()["detail"]) == (422, True)
    assert api.call("PATCH", "/meetings/1", json={}).status_code == 422


# --- decisions -----------------------------------------------------------------------------------


def test_a_decision_announced(api: Api) -> None:
    body = {
        "kind": "sanksi",
        "title": "Denda Rp100.000 bakar sampah",
        "text": "Membakar sampah di pekarangan didenda Rp100.000.",
        "meeting_id": 3,
        "effective_date": "2026-12-01",
        "announce": True,
    }
    created = api.ok("POST", "/decisions", json=body)
    broadcast = created["broadcast"]
    assert (created["kind"], created["meeting_id"], broadcast["kind"], broadcast["status"]) == (
        "sanksi",
        3,
        "keputusan",
        "scheduled",
    )
    assert broadcast["sms_text"] == (
        "Sanksi Desa Sukamaju: Denda Rp100.000 bakar sampah. Berlaku sejak 1 Des 2026. "
        "Membakar sampah di pekarangan didenda Rp100.000. Info: ketik SANKSI."
    )
    assert broadcast["whatsapp_text"].startswith("*Sanksi Desa Sukamaju*\nDenda Rp100.000 bakar sampah.\n")
    assert broadcast["audience"]["topics"] == ["keputusan"]
    assert (broadcast["preview"]["recipients"], broadcast["preview"]["sms_segments"]) == (8, 1)
    assert api.scheduler.calls == [("schedule", broadcast["id"], T0)]
    listed = api.ok("GET", "/decisions", "bpd")
    assert listed[0]["title"] == body["title"]  # latest in force first
    assert api.ok("GET", f"/decisions/{created['id']}")["text"] == body["text"]
    assert [d["kind"] for d in api.ok("GET", "/decisions", kind="sanksi")] == ["sanksi", "sanksi"]
    quiet = api.ok("POST", "/decisions", json={**body, "announce": False})
    assert quiet["broadcast"] is None


def test_a_decision_that_cannot_be_announced_is_not_recorded(api: Api) -> None:
    before = count(api.engine, Decision)
    with transaction(api.engine) as session:  # everyone chose meeting schedules only
        session.execute(insert(ContactTopic), [{"contact_id": n, "topic": "jadwal"} for n in range(1, 9)])
    body = {"title": "Iuran sampah", "effective_date": "2026-12-01", "announce": True}
    response = api.call("POST", "/decisions", json=body)
    assert (response.status_code, response.json()["detail"]) == (
        422,
        "audience is empty: no subscribed contact matches it",
    )
    assert count(api.engine, Decision) == before  # rolled back with the announcement
    assert api.call("POST", "/decisions", json={**body, "meeting_id": 99}).status_code == 422
    assert api.call("POST", "/decisions", json={**body, "announce": False}).status_code == 201


def test_decision_texts_fit_one_sms_where_they_can() -> None:
    village = Village(code="X", name="Desa Sukamaju")
    long_text = "Iuran pemeliharaan air bersih Rp5.000 per KK per bulan, dibayar ke BUMDes tiap tanggal 10."
    decision = Decision(
        village_id=1, title="Iuran {air} “PAMSIMAS”.", text=long_text, effective_date=date(2027, 1, 1)
    )
    sms, whatsapp = announcements.decision_texts(decision, village, today=date(2026, 12, 2))
    # The text does not fit beside the title: the SMS points to the information answer instead.
    assert (
        sms
        == 'Keputusan Desa Sukamaju: Iuran (air) "PAMSIMAS". Berlaku mulai 1 Jan 2027. Info: ketik KEPUTUSAN.'
    )
    assert long_text in whatsapp
    decision.kind = DecisionKind.SANKSI
    decision.title = "Denda " + "sangat " * 30 + "besar"
    sms, _ = announcements.decision_texts(decision, village, today=date(2027, 1, 2))
    assert sms.startswith("Sanksi Desa Sukamaju: Denda sangat")
    assert "Berlaku sejak 1 Jan 2027." in sms


# --- budget --------------------------------------------------------------------------------------


def test_budget_lines_totals_and_the_dana_desa_summary(api: Api) -> None:
    budget = api.ok("GET", "/budget", "bpd")  # this year in the village's zone: 2026
    assert budget["year"] == 2026
    assert len(budget["lines"]) == 14
    assert [line["source"] for line in budget["lines"][:4]] == ["DD", "ADD", "BHPR", "PADes"]
    assert budget["lines"][4]["activity"] == "Penghasilan tetap & tunjangan perangkat"  # bidang 1 first
    totals = budget["totals"]
    # 1.050 + 450 + 35 + 60 million in; 250 + 120 + 75 + 95 + 48 + 25 + 151.2 + 560 + 85 + 36 out.
    assert (totals["income"], totals["income_text"]) == (1_595_000_000, "Rp1,6 miliar")
    assert (totals["spending"], totals["spending_text"]) == (1_445_200_000, "Rp1,45 miliar")
    assert (totals["spending_realised"], totals["spending_realised_text"]) == (922_800_000, "Rp922,8 juta")
    assert totals["spending_realised_percent"] == 64  # 63.85%
    assert (totals["balance"], totals["balance_text"]) == (149_800_000, "Rp149,8 juta")

    line = {
        "year": 2026,
        "direction": "spending",
        "bidang": 2,
        "activity": "Jembatan {gantung}",
        "location": "Dusun Krajan",
        "amount": 12_500_000,
    }
    created = api.ok("POST", "/budget", json=line)
    assert (created["amount_text"], created["realised_text"]) == ("Rp12.500.000", "Rp0")
    totals = api.ok("GET", "/budget", year=2026)["totals"]
    assert (totals["spending"], totals["spending_text"], totals["spending_realised_percent"]) == (
        1_457_700_000,
        "Rp1,46 miliar",
        63,  # 922.8 / 1457.7 = 63.3%
    )

    announced = api.ok("POST", "/budget/announce", year=2026)
    assert (announced["kind"], announced["title"], announced["status"]) == (
        "dana_desa",
        "APBDes 2026",
        "scheduled",
    )
    assert announced["sms_text"] == (
        "APBDes 2026 Desa Sukamaju: pendapatan Rp1,6 miliar, belanja Rp1,46 miliar, "
        "realisasi Rp922,8 juta (63%). Rincian: ketik APBDES."
    )
    preview = announced["preview"]
    assert (preview["sms"]["encoding"], preview["sms"]["segments"]) == ("GSM-7", 1)
    assert preview["sms"]["filtered_words"] == ["juta"]  # Rupiah the Indonesian way; the cadre is warned
    whatsapp = announced["whatsapp_text"]
    assert "\n- Jembatan (gantung) (Dusun Krajan): Rp12.500.000\n" in whatsapp
    assert "\n- Dana Desa (DD): Rp1,05 miliar\n" in whatsapp
    assert (
        "\n\n*Bidang 5: Bencana & keadaan darurat*\n"
        "- BLT-DD 42 KK (Desa): Rp151,2 juta, realisasi Rp100,8 juta" in whatsapp
    )
    assert announced["audience"]["topics"] == ["dana_desa"]
    assert api.scheduler.calls == [("schedule", announced["id"], T0)]

    nothing = api.call("POST", "/budget/announce", params={"year": 2030})
    assert (nothing.status_code, nothing.json()) == (
        422,
        {"detail": "no budget lines for 2030: add them first"},
    )
    assert api.ok("GET", "/budget", year=2030)["totals"]["spending_realised_percent"] is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"amount": 0}, "greater than 0"),
        ({"amount": 1.5}, "amount"),
        ({"bidang": None}, "needs its bidang"),
        ({"direction": "income"}, "bidang is for spending lines"),
        ({"bidang": 6}, "less than or equal to 5"),
        ({"realised": -1}, "greater than or equal to 0"),
    ],
)
def test_budget_line_validation(api: Api, change: dict[str, Any], expected: str) -> None:
    line = {
        "year": 2026,
        "direction": "spending",
        "bidang": 2,
        "activity": "Jalan",
        "amount": 1_000_000,
        **change,
    }
    response = api.call("POST", "/budget", json=line)
    assert response.status_code == 422
    assert expected in str(response.json()["detail"])


def test_a_small_budget_names_its_activities_in_the_sms() -> None:
    village = Village(code="X", name="Desa Kecil")
    lines = [
        BudgetLine(
            village_id=1, year=2027, direction=BudgetDirection.INCOME, activity="DD", amount=800_000_000
        ),
        BudgetLine(
            village_id=1,
            year=2027,
            direction=BudgetDirection.SPENDING,
            bidang=2,
            activity="Jalan",
            location="RT 1",
            amount=300_000_000,
            realised=150_000_000,
        ),
        BudgetLine(
            village_id=1,
            year=2027,
            direction=BudgetDirection.SPENDING,
            bidang=3,
            activity="PAUD",
            location="",
            amount=12_500_000,
        ),
    ]
    sms = announcements.budget_sms(lines, 2027, village)
    assert sms == (
        "APBDes 2027 Desa Kecil: pendapatan Rp800 juta, belanja Rp312,5 juta, realisasi Rp150 juta (48%). "
        "Antara lain: Jalan (RT 1) Rp300 juta. Rincian: ketik APBDES."
    )
    assert len(sms) <= 160


# --- what a fuzzer would try: answered 4xx, never 500 ---------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "params"),
    [
        ("POST", "/broadcasts", {**KERJA_BAKTI, "audience": {"contacts": [2**31]}}, None),
        ("POST", "/broadcasts", {**KERJA_BAKTI, "send_at": "9999-12-31T23:59:59-07:00"}, None),
        ("GET", f"/broadcasts/{2**31}", None, None),
        ("GET", "/broadcasts", None, {"meeting_id": 2**40}),
        ("GET", "/broadcasts", None, {"offset": 2**63}),
        ("POST", "/decisions", {"title": "x", "effective_date": "2026-12-01", "meeting_id": 2**31}, None),
        (
            "POST",
            "/budget",
            {"year": 2026, "direction": "income", "activity": "DD", "amount": 10**15 + 1},
            None,
        ),
    ],
)
def test_hostile_values_are_422(
    api: Api, method: str, path: str, body: dict[str, Any] | None, params: dict[str, Any] | None
) -> None:
    response = api.call(method, path, json=body, params=params)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    ("method", "path", "body", "params"),
    [
        ("POST", "/broadcasts", {**KERJA_BAKTI, "title": "Kerja\x00bakti"}, None),
        ("POST", "/broadcasts", {**KERJA_BAKTI, "audience": {"tags": ["a\x00"]}}, None),
        ("GET", "/meetings", None, {"village": "DE\x00MO"}),
    ],
)
def test_a_nul_character_is_400_with_its_reason(
    api: Api, method: str, path: str, body: dict[str, Any] | None, params: dict[str, Any] | None
) -> None:
    """PostgreSQL text cannot hold NUL: refused at the edge, before any field is validated."""
    response = api.call(method, path, json=body, params=params)
    assert response.status_code == 400, response.text
    assert "NUL" in response.json()["detail"]


def test_budget_lines_above_rp2_miliar_are_kept(api: Api) -> None:
    """A district's Dana Desa line can pass Rp2.147.483.647, the 32-bit limit."""
    body = {
        "year": 2026,
        "direction": "income",
        "source": "DD",
        "activity": "Dana Desa",
        "amount": 2_500_000_000,
    }
    headers = {"Authorization": f"Bearer {api.tokens['kader']}"}
    response = api.client.post("/api/v1/budget", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["amount_text"] == "Rp2,5 miliar"
