"""The ticket endpoints (/api/v1/tickets) over real SQLite and PostgreSQL.

Complaints are made the way residents make them: a text to the console channel, read by the real
pipeline. Demo residents (bot/demo.py): Pak Slamet and Bu Sri live in Krajan, Mas Agus in Sukamulya.
"""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from bot.db import transaction
from bot.providers.registry import configured_channels
from broadcasts import runs
from broadcasts.fanout import VillageRoutes
from broadcasts.sms import Encoding, analyse
from handlers import lifecycle
from handlers.lifecycle import NOTICE_SEGMENTS, PUBLIC_NOTE_MAX, SMS_ROOM, note_notice
from models import (
    AuditEntry,
    Contact,
    ContactIdentity,
    IdentityKind,
    Outbox,
    Pending,
    Staff,
    Ticket,
    TicketEvent,
    Village,
)
from models import texts as t
from tests import factories
from tests.apiclient import Api

SLAMET, SRI, AGUS = "+6281234500001", "+6281234500002", "+6285712300003"
STRANGER = "+6281299990001"  # not in the demo's contact list: known only by the number
LAMPU = "lampu jalan mati di RT 2 dusun Krajan"
ANONIM = "ADUAN ANONIM jalan rusak di RT 2 dusun Krajan"
KADES = "kades korupsi dana desa"
UNKNOWN = "000000"  # codes start at 100000: this one never exists


def report(api: Api, phone: str, text: str) -> str:
    """A complaint texted to the village; returns its tracking code."""
    response = api.client.post("/webhooks/console", json={"from": phone, "to": "+62800000001", "text": text})
    assert response.status_code == 200, response.text
    found = re.search(r"kode (\d{6})", response.json()["replies"][0])
    assert found, response.json()
    return found.group(1)


def say(api: Api, phone: str, text: str) -> str:
    return factories.say(api.client, phone, text)


def contact_id(api: Api, phone: str) -> int:
    """The demo resident with this number."""
    with Session(api.engine) as session:
        found = session.exec(
            select(ContactIdentity.contact_id).where(
                ContactIdentity.value == phone, ContactIdentity.kind == IdentityKind.PHONE
            )
        ).one()
        return found


def notices(api: Api, phone: str) -> list[str]:
    """The ticket notices queued for the resident with this number, oldest first."""
    with Session(api.engine) as session:
        rows = session.exec(
            select(Outbox.body)
            .where(Outbox.contact_id == contact_id(api, phone), Outbox.source == "ticket_notice")
            .order_by(col(Outbox.id))
        ).all()
    return list(rows)


def audit_log(api: Api) -> list[AuditEntry]:
    """The audit entries about tickets, oldest first."""
    with Session(api.engine) as session:
        query = select(AuditEntry).where(col(AuditEntry.action).startswith("ticket."))
        return list(session.exec(query.order_by(col(AuditEntry.id))).all())


def staff_id(api: Api, name: str) -> int:
    with Session(api.engine) as session:
        found = session.exec(select(Staff.id).where(Staff.name == name)).one()
        assert found is not None
        return found


def status(api: Api, code: str, to: str, who: str = "kader", **notes: str) -> Any:
    return api.ok("POST", f"/tickets/{code}/status", who, {"status": to, **notes})


# --- reading -------------------------------------------------------------------------------------


def test_list_and_detail_show_what_staff_need(api: Api) -> None:
    first = report(api, SLAMET, LAMPU)
    api.clock.advance(minutes=5)
    second = report(api, AGUS, "air pamsimas tidak mengalir di dusun Sukamulya")
    listed = api.ok("GET", "/tickets")
    assert [item["code"] for item in listed] == [second, first]  # newest first
    lampu = listed[1]
    assert lampu["status"] == "baru"
    assert lampu["status_label"] == "diterima"
    assert lampu["open"] is True
    assert lampu["category"] == "infrastruktur"
    assert lampu["category_label"] == "Infrastruktur"
    assert lampu["text"] == LAMPU
    assert (lampu["dusun"], lampu["rt"]) == ("Krajan", 2)
    assert (lampu["about_head"], lampu["anonymous"], lampu["confidential"]) == (False, False, False)
    assert lampu["overdue"] is False
    assert lampu["verify_due_at"] == "2026-12-07T16:59:59Z"  # 3 working days, end of Monday WIB
    assert lampu["act_due_at"] == "2026-12-14T16:59:59Z"
    assert lampu["created_at"] == "2026-12-02T03:00:00Z"
    assert lampu["reporter"] == {"contact_id": contact_id(api, SLAMET), "name": "Pak Slamet", "phone": SLAMET}
    assert lampu["assignee"] is None

    detail = api.ok("GET", f"/tickets/{first}")
    assert {k: v for k, v in detail.items() if k in lampu} == lampu
    assert detail["merged_into"] is None
    assert detail["duplicates"] == []
    assert detail["media"] == []
    assert detail["events"] == [
        {
            "kind": "created",
            "actor": "warga",
            "from_status": None,
            "to_status": "baru",
            "note": None,
            "public": False,
            "created_at": "2026-12-02T03:00:00Z",
        }
    ]
    for who in ("kades", "bpd", "operator"):
        assert api.ok("GET", f"/tickets/{first}", who)["code"] == first


def test_filters_by_status_category_dusun_and_page(api: Api) -> None:
    lampu = report(api, SLAMET, LAMPU)
    api.clock.advance(minutes=1)
    air = report(api, AGUS, "air pamsimas tidak mengalir di dusun Sukamulya")
    api.clock.advance(minutes=1)
    sampah = report(api, SRI, "sampah numpuk di kali dusun Krajan")
    status(api, lampu, "diverifikasi")
    status(api, air, "ditolak")

    def codes(**params: Any) -> list[str]:
        return [item["code"] for item in api.ok("GET", "/tickets", **params)]

    assert codes(status="diverifikasi") == [lampu]
    assert codes(status=["baru", "ditolak"]) == [sampah, air]
    assert codes(category="air_sanitasi") == [air]
    assert codes(category="lingkungan") == [sampah]
    assert codes(dusun="krajan") == [sampah, lampu]  # any case
    assert codes(dusun="Krajan", status="baru") == [sampah]
    assert codes(limit=2) == [sampah, air]
    assert codes(limit=2, offset=2) == [lampu]
    assert codes(dusun="Nowhere") == []
    closed = api.ok("GET", f"/tickets/{air}")
    assert (closed["open"], closed["status_label"]) == (False, "ditolak")


def test_overdue_by_the_clock(api: Api) -> None:
    code = report(api, SLAMET, LAMPU)
    assert api.ok("GET", "/tickets", overdue=True) == []
    api.clock.advance(days=5, hours=14)  # Monday 7 December, 24:00 WIB: verification is late
    assert [item["code"] for item in api.ok("GET", "/tickets", overdue=True)] == [code]
    assert api.ok("GET", "/tickets", overdue=False) == []
    assert api.ok("GET", f"/tickets/{code}")["overdue"] is True
    status(api, code, "diverifikasi")  # verified: the action deadline (14 December) now counts
    assert api.ok("GET", f"/tickets/{code}")["overdue"] is False
    assert api.ok("GET", "/tickets", overdue=True) == []
    api.clock.advance(days=7)
    assert [item["code"] for item in api.ok("GET", "/tickets", overdue=True)] == [code]
    status(api, code, "selesai")
    assert api.ok("GET", "/tickets", overdue=True) == []  # closed is never late


def test_an_anonymous_reporter_is_shown_only_to_the_operator(api: Api) -> None:
    code = report(api, SLAMET, ANONIM)
    for who in ("kader", "kades", "bpd"):
        assert api.ok("GET", f"/tickets/{code}", who)["reporter"] is None, who
        listed = api.ok("GET", "/tickets", who)
        assert [(item["code"], item["anonymous"], item["reporter"]) for item in listed] == [
            (code, True, None)
        ]
        assert SLAMET not in str(api.ok("GET", f"/tickets/{code}", who))
    shown = api.ok("GET", f"/tickets/{code}", "operator")["reporter"]
    assert shown == {"contact_id": contact_id(api, SLAMET), "name": "Pak Slamet", "phone": SLAMET}
    assert api.ok("GET", "/tickets", "operator")[0]["reporter"] == shown
    # Anonymous to officials, not to the outbox: the reporter is still told about the ticket.
    status(api, code, "diverifikasi")
    assert len(notices(api, SLAMET)) == 1


def test_numbers_and_the_name_in_an_anonymous_complaint_are_hidden_but_from_the_operator(api: Api) -> None:
    """An NIK or phone typed in an anonymous complaint would name the reporter through the contact list."""
    say(api, SLAMET, "ADUAN ANONIM")
    code = report(api, SLAMET, "BLT sy dipotong 100rb, sy Slamet NIK 3204 1234 5678 0001 hp 0813-1111-5555")
    say(api, SLAMET, f"CEK {code}")
    for who in ("kader", "kades", "bpd"):
        shown = api.ok("GET", f"/tickets/{code}", who)
        assert shown["text"] == (
            "BLT sy dipotong 100rb, sy [disembunyikan] NIK [disembunyikan] hp [disembunyikan]"
        ), who
        assert "3204" not in str(shown), who
        assert "5555" not in str(shown), who
        assert api.ok("GET", "/tickets", who)[0]["text"] == shown["text"], who
    assert "3204 1234 5678 0001" in api.ok("GET", f"/tickets/{code}", "operator")["text"]
    # A complaint that is not anonymous shows its reporter anyway: its text is left as written.
    plain = report(api, SRI, "jalan rusak depan rumah no hp sy 0813-2222-6666")
    assert api.ok("GET", f"/tickets/{plain}", "kader")["text"].endswith("0813-2222-6666")


def test_a_complaint_about_the_head_exists_only_for_the_bpd_and_the_operator(api: Api) -> None:
    ordinary = report(api, SRI, LAMPU)
    about_head = report(api, AGUS, KADES)
    for who in ("kader", "kades"):
        assert [item["code"] for item in api.ok("GET", "/tickets", who)] == [ordinary], who
        response = api.call("GET", f"/tickets/{about_head}", who)
        assert (response.status_code, response.json()) == (404, {"detail": f"no ticket {about_head}"})
        # Acting answers exactly as for a code that does not exist.
        for path, body in (
            ("status", {"status": "diverifikasi"}),
            ("notes", {"text": "cek"}),
            ("category", {"category": "bansos"}),
            ("assign", {"staff_id": None}),
        ):
            response = api.call("POST", f"/tickets/{about_head}/{path}", who, body)
            assert response.status_code == 404, (who, path, response.text)
            assert response.json() == {"detail": f"no ticket {about_head}"}
        response = api.call("POST", f"/tickets/{ordinary}/merge", who, {"into": about_head})
        assert (response.status_code, response.json()) == (
            422,
            {"detail": f"into: no ticket {about_head} in this village"},
        )
    for who in ("bpd", "operator"):
        assert {item["code"] for item in api.ok("GET", "/tickets", who)} == {ordinary, about_head}, who
        seen = api.ok("GET", f"/tickets/{about_head}", who)
        assert (seen["about_head"], seen["category"]) == (True, "tata_kelola")
        assert seen["reporter"]["name"] == "Mas Agus"
    # Only the BPD and the operator act on it; the BPD acts on nothing else.
    assert status(api, about_head, "diverifikasi", "bpd")["status"] == "diverifikasi"
    assert status(api, about_head, "diproses", "operator")["status"] == "diproses"
    for path, body in (
        ("status", {"status": "diverifikasi"}),
        ("notes", {"text": "cek"}),
        ("category", {"category": "bansos"}),
        ("assign", {"staff_id": None}),
        ("merge", {"into": about_head}),
    ):
        response = api.call("POST", f"/tickets/{ordinary}/{path}", "bpd", body)
        assert response.status_code == 403, (path, response.text)
        assert response.json()["detail"].startswith(f"role bpd may not act on ticket {ordinary}")
    assert api.ok("GET", f"/tickets/{ordinary}", "bpd")["status"] == "baru"
    # Kept apart from ordinary complaints: merging would tell the head the other one exists.
    response = api.call("POST", f"/tickets/{about_head}/merge", "operator", {"into": ordinary})
    assert response.status_code == 409
    assert "about the village head" in response.json()["detail"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("none", 401), ("bad", 401), ("other", 404), ("operator@LAIN", 404)],
)
def test_strangers_and_other_villages(api: Api, who: str, expected: int) -> None:
    code = report(api, SLAMET, LAMPU)
    response = api.call("GET", f"/tickets/{code}", who)
    assert response.status_code == expected
    if expected == 401:
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert api.call("GET", "/tickets", who).status_code == 401
    else:
        assert response.json() == {"detail": f"no ticket {code}"}
        assert api.ok("GET", "/tickets", who) == []
    response = api.call("POST", f"/tickets/{code}/status", who, {"status": "diverifikasi"})
    assert response.status_code == expected
    assert api.ok("GET", f"/tickets/{code}")["status"] == "baru"


# --- changing ------------------------------------------------------------------------------------


def test_status_changes_tell_the_reporter_in_indonesian(api: Api) -> None:
    code = report(api, SLAMET, LAMPU)
    changed = status(
        api, code, "diverifikasi", public_note="Petugas cek lokasi Jumat", internal_note="tiang 4"
    )
    assert changed["status"] == "diverifikasi"
    status(api, code, "diproses")
    done = status(api, code, "selesai", public_note="Lampu diganti")
    assert (done["open"], done["resolved_at"]) == (False, "2026-12-02T03:00:00Z")
    assert notices(api, SLAMET) == [
        t.TICKET_NOTICES["diverifikasi"].format(code=code, note=" Catatan: Petugas cek lokasi Jumat."),
        t.TICKET_NOTICES["diproses"].format(code=code, note=""),
        t.TICKET_NOTICES["selesai"].format(code=code, note=" Catatan: Lampu diganti."),
    ]
    with Session(api.engine) as session:
        slamet = session.get(Contact, contact_id(api, SLAMET))
        stored = session.exec(select(Ticket).where(Ticket.code == code)).one()
        assert slamet is not None
        assert (slamet.pending, slamet.pending_ticket_id) == (Pending.CONFIRM_FIX, stored.id)
    # The resident's "2" (not fixed yet) reopens it, as the notice asked.
    assert "dibuka kembali" in say(api, SLAMET, "2")
    events = api.ok("GET", f"/tickets/{code}")["events"]
    assert [(e["kind"], e["from_status"], e["to_status"], e["public"]) for e in events] == [
        ("created", None, "baru", False),
        ("status_changed", "baru", "diverifikasi", False),
        ("internal_note", None, None, False),
        ("public_note", None, None, True),
        ("status_changed", "diverifikasi", "diproses", False),
        ("status_changed", "diproses", "selesai", False),
        ("public_note", None, None, True),
        ("status_changed", "selesai", "diproses", False),
    ]
    kader = f"kader:{staff_id(api, 'Siti Rahma (KPMD)')}"
    assert [e["actor"] for e in events] == ["warga", kader, kader, kader, kader, kader, kader, "warga"]
    assert events[2]["note"] == "tiang 4"


def test_moves_the_lifecycle_forbids_are_refused(api: Api) -> None:
    code = report(api, SLAMET, LAMPU)
    status(api, code, "ditolak", public_note="Bukan laporan masalah")
    response = api.call("POST", f"/tickets/{code}/status", json={"status": "selesai"})
    assert response.status_code == 409
    assert response.json() == {"detail": f"ticket {code} is ditolak; it can only be reopened (diproses)"}
    status(api, code, "diproses")
    response = api.call("POST", f"/tickets/{code}/status", json={"status": "diproses"})
    assert (response.status_code, response.json()) == (409, {"detail": f"ticket {code} is already diproses"})
    response = api.call("POST", f"/tickets/{code}/status", json={"status": "duplikat"})
    assert response.status_code == 422
    assert f"/tickets/{code}/merge" in response.json()["detail"]
    response = api.call("POST", f"/tickets/{code}/status", json={"status": "baru"})
    assert response.status_code == 422
    assert "reopen it with diproses" in response.json()["detail"]
    assert len(notices(api, SLAMET)) == 2  # the refused moves told nobody anything
    assert api.ok("GET", f"/tickets/{code}")["status"] == "diproses"


def test_merge_gives_the_duplicates_reporter_the_surviving_code(api: Api) -> None:
    survivor = report(api, SLAMET, LAMPU)
    api.clock.advance(minutes=3)
    duplicate = report(api, SRI, "lampu jalan RT 2 Krajan mati")
    merged = api.ok("POST", f"/tickets/{duplicate}/merge", json={"into": survivor})
    assert (merged["status"], merged["merged_into"], merged["open"]) == ("duplikat", survivor, False)
    assert merged["events"][-1]["kind"] == "merged"
    assert merged["events"][-1]["note"] == f"digabung ke {survivor}"
    assert notices(api, SRI) == [t.TICKET_MERGED.format(old=duplicate, code=survivor)]
    kept = api.ok("GET", f"/tickets/{survivor}")
    assert kept["duplicates"] == [duplicate]
    assert kept["events"][-1]["note"] == f"aduan {duplicate} digabung ke sini"
    # From now on both reporters hear about the surviving ticket.
    status(api, survivor, "diverifikasi")
    expected = t.TICKET_NOTICES["diverifikasi"].format(code=survivor, note="")
    assert notices(api, SLAMET) == [expected]
    assert notices(api, SRI)[-1] == expected
    # The duplicate is settled: no more moves or merges; nor can a ticket swallow itself.
    response = api.call("POST", f"/tickets/{duplicate}/status", json={"status": "diproses"})
    assert (response.status_code, response.json()) == (
        409,
        {"detail": f"ticket {duplicate} was merged into {survivor}; change that ticket instead"},
    )
    response = api.call("POST", f"/tickets/{duplicate}/merge", json={"into": survivor})
    assert (response.status_code, response.json()) == (
        409,
        {"detail": f"ticket {duplicate} was already merged into {survivor}"},
    )
    response = api.call("POST", f"/tickets/{survivor}/merge", json={"into": duplicate})
    assert response.status_code == 409
    assert "was itself merged" in response.json()["detail"]
    response = api.call("POST", f"/tickets/{survivor}/merge", json={"into": survivor})
    assert (response.status_code, response.json()) == (
        422,
        {"detail": f"into: ticket {survivor} cannot be merged into itself"},
    )
    response = api.call("POST", f"/tickets/{survivor}/merge", json={"into": UNKNOWN})
    assert (response.status_code, response.json()) == (
        422,
        {"detail": f"into: no ticket {UNKNOWN} in this village"},
    )


def test_notes_public_ones_reach_the_reporter(api: Api) -> None:
    code = report(api, SLAMET, LAMPU)
    internal = api.call("POST", f"/tickets/{code}/notes", json={"text": "Pelapor sudah ditelepon"})
    assert internal.status_code == 201
    assert notices(api, SLAMET) == []
    public = api.ok(
        "POST", f"/tickets/{code}/notes", json={"text": "  Tukang datang hari Senin  ", "public": True}
    )
    assert notices(api, SLAMET) == [
        f"Aduan {code} (Infrastruktur): diterima. Catatan: Tukang datang hari Senin."
    ]
    assert [(e["kind"], e["note"], e["public"]) for e in public["events"][1:]] == [
        ("internal_note", "Pelapor sudah ditelepon", False),
        ("public_note", "Tukang datang hari Senin", True),
    ]
    # A public note is sent whole, so one too long for two SMS is refused, naming the limit; an
    # internal note may be longer.
    long_note = "Perbaikan menunggu kiriman lampu dari kabupaten, " * 12
    refused = api.call("POST", f"/tickets/{code}/notes", json={"text": long_note, "public": True})
    assert refused.status_code == 422
    assert f"at most {PUBLIC_NOTE_MAX} characters" in str(refused.json()["detail"])
    assert len(notices(api, SLAMET)) == 1
    api.ok("POST", f"/tickets/{code}/notes", json={"text": long_note, "public": False})
    assert api.ok("GET", f"/tickets/{code}")["events"][-1]["note"] == long_note.strip()


def test_a_public_note_at_the_limit_goes_whole_within_two_sms_in_gsm7(api: Api) -> None:
    code = report(api, SLAMET, LAMPU)
    widest = "x" * PUBLIC_NOTE_MAX
    status(api, code, "selesai", public_note=widest)  # the longest notice there is
    api.ok("POST", f"/tickets/{code}/notes", json={"text": widest, "public": True})
    for sent in notices(api, SLAMET):
        assert widest + "." in sent
        assert analyse(sent).encoding == Encoding.GSM7
        assert analyse(sent).segments <= NOTICE_SEGMENTS
    too_long = api.call(
        "POST", f"/tickets/{code}/status", json={"status": "diproses", "public_note": widest + "x"}
    )
    assert too_long.status_code == 422
    assert str(PUBLIC_NOTE_MAX) in str(too_long.json()["detail"])
    # Emoji and curly quotes do not turn the notice into UCS-2; the history keeps what staff wrote.
    fancy = "Tukang datang \u201cSenin\u201d \U0001f44d\U0001f6e0\ufe0f \u2014 mohon sabar"
    api.ok("POST", f"/tickets/{code}/notes", json={"text": fancy, "public": True})
    sent = notices(api, SLAMET)[-1]
    assert sent.endswith('Catatan: Tukang datang "Senin" - mohon sabar.')
    assert sent.isascii()
    assert (analyse(sent).encoding, analyse(sent).segments) == (Encoding.GSM7, 1)
    assert sent == note_notice(api_ticket(api, code), fancy)
    assert api.ok("GET", f"/tickets/{code}")["events"][-1]["note"] == fancy


def test_openapi_names_the_public_note_limit(api: Api) -> None:
    components = api.client.get("/openapi.json").json()["components"]["schemas"]
    described = str(components["StatusChange"]["properties"]["public_note"])
    assert f"At most {PUBLIC_NOTE_MAX} characters" in described
    assert f"At most {PUBLIC_NOTE_MAX} characters" in str(components["NoteCreate"]["properties"]["text"])


def test_merging_into_a_closed_ticket_is_refused_until_it_is_reopened(api: Api) -> None:
    survivor = report(api, SLAMET, LAMPU)
    api.clock.advance(minutes=3)
    duplicate = report(api, SRI, "lampu jalan RT 2 Krajan mati lagi")
    for closed in ("selesai", "ditolak"):
        if closed == "ditolak":
            status(api, survivor, "diproses")
        status(api, survivor, closed, public_note="Sudah ditangani")
        response = api.call("POST", f"/tickets/{duplicate}/merge", json={"into": survivor})
        assert response.status_code == 409
        assert response.json()["detail"] == (
            f"ticket {survivor} is {closed}; reopen it (status diproses) before merging into it"
        )
        assert api.ok("GET", f"/tickets/{duplicate}")["status"] == "baru"  # still open, still seen
    assert notices(api, SRI) == []
    status(api, survivor, "diproses")
    merged = api.ok("POST", f"/tickets/{duplicate}/merge", json={"into": survivor})
    assert merged["merged_into"] == survivor


def test_merged_reporters_check_the_surviving_ticket(api: Api) -> None:
    survivor = report(api, SLAMET, LAMPU)
    api.clock.advance(minutes=3)
    duplicate = report(api, SRI, "lampu jalan RT 2 Krajan mati")
    api.ok("POST", f"/tickets/{duplicate}/merge", json={"into": survivor})
    status(api, survivor, "diproses", public_note="Tukang datang Kamis")
    # CEK alone lists the surviving ticket; CEK of the old code answers with the survivor's status.
    assert say(api, SRI, "CEK") == t.STATUS_LIST.format(items=f"{survivor} (sedang diproses)")
    assert say(api, SRI, f"CEK {duplicate}") == (
        f"Aduan {duplicate} digabung dgn aduan {survivor}: sedang diproses. Catatan: Tukang datang Kamis. "
        f"Ketik CEK {survivor} utk rinciannya."
    )
    # CEK of the surviving code: Sri is one of its reporters, so she reads the note too.
    assert say(api, SRI, f"CEK {survivor}") == (
        f"Aduan {survivor} (Infrastruktur): sedang diproses. Catatan: Tukang datang Kamis."
    )
    # Anyone else still reads the status alone.
    assert say(api, AGUS, f"CEK {duplicate}") == t.STATUS_OTHER.format(
        code=duplicate, status="digabung dengan laporan lain"
    )
    assert say(api, AGUS, "CEK") == t.STATUS_NONE
    # A long note is cut so that the CEK answer stays one SMS.
    api.ok("POST", f"/tickets/{survivor}/notes", json={"text": "y" * PUBLIC_NOTE_MAX, "public": True})
    for code in (survivor, duplicate):
        answer = say(api, SRI, f"CEK {code}")
        assert len(answer) <= SMS_ROOM
        assert "yyy..." in answer


def api_ticket(api: Api, code: str) -> Ticket:
    with Session(api.engine) as session:
        return session.exec(select(Ticket).where(Ticket.code == code)).one()


def test_assignment_within_the_village(api: Api) -> None:
    code = report(api, SLAMET, LAMPU)
    kades = staff_id(api, "Bapak Darmawan (Kepala Desa)")
    assigned = api.ok("POST", f"/tickets/{code}/assign", json={"staff_id": kades})
    assert assigned["assignee"] == {"id": kades, "name": "Bapak Darmawan (Kepala Desa)", "role": "kades"}
    assert api.ok("GET", "/tickets")[0]["assignee"]["id"] == kades
    event = assigned["events"][-1]
    assert (event["kind"], event["note"]) == (
        "assigned",
        f"ditugaskan ke Bapak Darmawan (Kepala Desa) (kades:{kades})",
    )
    response = api.call("POST", f"/tickets/{code}/assign", json={"staff_id": kades})
    assert response.status_code == 409
    for other, reason in (
        (staff_id(api, "Kader Lain"), "no active staff member of this village"),
        (staff_id(api, "Operator"), "no active staff member of this village"),
        (2**31 - 1, "no active staff member of this village"),
        (staff_id(api, "Ibu Wulandari (Ketua BPD)"), "role bpd may not act on this ticket"),
    ):
        response = api.call("POST", f"/tickets/{code}/assign", json={"staff_id": other})
        assert (response.status_code, response.json()) == (422, {"detail": f"staff_id {other}: {reason}"})
    cleared = api.ok("POST", f"/tickets/{code}/assign", json={"staff_id": None})
    assert cleared["assignee"] is None
    assert cleared["events"][-1]["note"] == "penugasan dicabut"
    assert notices(api, SLAMET) == []  # staff business, not the resident's
    # A complaint about the head goes to the BPD, never to the head.
    about_head = report(api, AGUS, KADES)
    bpd = staff_id(api, "Ibu Wulandari (Ketua BPD)")
    assert api.ok("POST", f"/tickets/{about_head}/assign", "bpd", {"staff_id": bpd})["assignee"]["id"] == bpd
    response = api.call("POST", f"/tickets/{about_head}/assign", "operator", {"staff_id": kades})
    assert response.status_code == 422


def test_category_corrected(api: Api) -> None:
    code = report(api, SLAMET, LAMPU)
    changed = api.ok("POST", f"/tickets/{code}/category", json={"category": "keamanan"})
    assert (changed["category"], changed["category_label"]) == ("keamanan", "Keamanan & ketertiban")
    event = changed["events"][-1]
    assert (event["kind"], event["note"]) == ("category_changed", "infrastruktur -> keamanan")
    assert [item["code"] for item in api.ok("GET", "/tickets", category="keamanan")] == [code]
    response = api.call("POST", f"/tickets/{code}/category", json={"category": "keamanan"})
    assert (response.status_code, response.json()) == (
        409,
        {"detail": f"ticket {code} is already in category keamanan"},
    )
    assert api.call("POST", f"/tickets/{code}/category", json={"category": "jalan"}).status_code == 422


def test_every_change_is_audited_without_personal_data(api: Api) -> None:
    code = report(api, SLAMET, LAMPU)
    other = report(api, SRI, "lampu jalan RT 2 Krajan mati")
    status(api, code, "diverifikasi", public_note="Dicek besok")
    api.ok("POST", f"/tickets/{code}/notes", json={"text": "Pak RT sudah lapor juga", "public": True})
    api.ok("POST", f"/tickets/{code}/assign", json={"staff_id": staff_id(api, "Siti Rahma (KPMD)")})
    api.ok("POST", f"/tickets/{code}/category", "operator", {"category": "lingkungan"})
    api.ok("POST", f"/tickets/{other}/merge", "kades", {"into": code})
    api.call("POST", f"/tickets/{code}/status", json={"status": "diverifikasi"})  # refused: not recorded
    kader = staff_id(api, "Siti Rahma (KPMD)")
    entries = audit_log(api)
    assert [(e.action, e.target, e.actor, e.role, e.channel) for e in entries] == [
        ("ticket.status", f"ticket:{code}", f"kader:{kader}", "kader", "api"),
        ("ticket.note", f"ticket:{code}", f"kader:{kader}", "kader", "api"),
        ("ticket.assign", f"ticket:{code}", f"kader:{kader}", "kader", "api"),
        ("ticket.category", f"ticket:{code}", f"operator:{staff_id(api, 'Operator')}", "operator", "api"),
        (
            "ticket.merge",
            f"ticket:{other}",
            f"kades:{staff_id(api, 'Bapak Darmawan (Kepala Desa)')}",
            "kades",
            "api",
        ),
    ]
    assert entries[0].detail == {
        "from": "baru",
        "to": "diverifikasi",
        "public_note": True,
        "internal_note": False,
    }
    assert entries[1].detail == {"public": True, "notified": 1}
    assert entries[2].detail == {"from": None, "to": kader}
    assert entries[3].detail == {"from": "infrastruktur", "to": "lingkungan"}
    assert entries[4].detail == {"from": "baru", "into": f"ticket:{code}"}
    assert all(e.village_id == 1 and e.staff_id is not None for e in entries)
    written = str([e.detail for e in entries])
    for secret in (SLAMET, SRI, "lampu", "Dicek besok", "Pak RT"):
        assert secret not in written


def test_history_is_append_only(api: Api) -> None:
    code = report(api, SLAMET, LAMPU)
    seen: list[dict[str, Any]] = []
    for step in (
        lambda: status(api, code, "diverifikasi"),
        lambda: api.ok("POST", f"/tickets/{code}/notes", json={"text": "cek"}),
        lambda: status(api, code, "ditolak"),
        lambda: status(api, code, "diproses", public_note="dibuka lagi"),
        lambda: api.ok("POST", f"/tickets/{code}/category", json={"category": "bencana"}),
    ):
        step()
        events = api.ok("GET", f"/tickets/{code}")["events"]
        assert events[: len(seen)] == seen  # what was there stays, unchanged, in its place
        assert len(events) > len(seen)
        seen = events
    with Session(api.engine) as session:
        stored = session.exec(select(TicketEvent.id).order_by(col(TicketEvent.id))).all()
    assert len(stored) == len(seen)


# --- what a fuzzer would try: 4xx, never 500 -----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "params", "expected"),
    [
        ("GET", "/tickets/12345", None, None, 422),
        ("GET", "/tickets/1234567", None, None, 422),
        ("GET", "/tickets/abcdef", None, None, 422),
        ("GET", "/tickets/१२३४५६", None, None, 422),  # Devanagari digits are not a keypad's
        ("GET", f"/tickets/{UNKNOWN}", None, None, 404),
        ("POST", f"/tickets/{UNKNOWN}/status", {"status": "diverifikasi"}, None, 404),
        ("GET", "/tickets", None, {"status": "hilang"}, 422),
        ("GET", "/tickets", None, {"category": "jalan"}, 422),
        ("GET", "/tickets", None, {"overdue": "kadang"}, 422),
        ("GET", "/tickets", None, {"dusun": "Kra\x00jan"}, 400),  # NUL: refused at the edge
        ("GET", "/tickets", None, {"dusun": "x" * 81}, 422),
        ("GET", "/tickets", None, {"limit": 0}, 422),
        ("GET", "/tickets", None, {"offset": 2**63}, 422),
        ("POST", "/tickets/{code}/status", {"status": "beres"}, None, 422),
        ("POST", "/tickets/{code}/status", {}, None, 422),
        ("POST", "/tickets/{code}/status", {"status": "diproses", "public_note": ""}, None, 422),
        ("POST", "/tickets/{code}/status", {"status": "diproses", "public_note": "x" * 1001}, None, 422),
        ("POST", "/tickets/{code}/status", {"status": "diproses", "urgent": True}, None, 422),
        ("POST", "/tickets/{code}/notes", {"text": "   "}, None, 422),
        ("POST", "/tickets/{code}/notes", {"text": ""}, None, 422),
        ("POST", "/tickets/{code}/notes", {"text": "\x1c\x1d", "public": True}, None, 422),
        ("POST", "/tickets/{code}/notes", {"text": "a" * 1001}, None, 422),
        ("POST", "/tickets/{code}/notes", {"text": "a\x00b"}, None, 400),
        ("POST", "/tickets/{code}/notes", {"text": "ok", "public": "maybe"}, None, 422),
        ("POST", "/tickets/{code}/notes", None, None, 422),
        ("POST", "/tickets/{code}/assign", {}, None, 422),
        ("POST", "/tickets/{code}/assign", {"staff_id": 0}, None, 422),
        ("POST", "/tickets/{code}/assign", {"staff_id": 2**31}, None, 422),
        ("POST", "/tickets/{code}/category", {"category": None}, None, 422),
        ("POST", "/tickets/{code}/merge", {"into": "12345"}, None, 422),
        ("POST", "/tickets/{code}/merge", {}, None, 422),
    ],
)
def test_bad_input_is_4xx(
    api: Api,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    params: dict[str, Any] | None,
    expected: int,
) -> None:
    code = report(api, SLAMET, LAMPU)
    before = api.ok("GET", f"/tickets/{code}")
    response = api.call(method, path.format(code=code), json=body, params=params)
    assert response.status_code == expected, response.text
    assert response.json()["detail"]
    assert api.ok("GET", f"/tickets/{code}") == before  # nothing changed
    assert notices(api, SLAMET) == []


def test_openapi_documents_the_ticket_endpoints(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    paths = {path: set(item) for path, item in schema["paths"].items() if path.startswith("/api/v1/tickets")}
    assert paths == {
        "/api/v1/tickets": {"get"},
        "/api/v1/tickets/{code}": {"get"},
        "/api/v1/tickets/{code}/status": {"post"},
        "/api/v1/tickets/{code}/notes": {"post"},
        "/api/v1/tickets/{code}/assign": {"post"},
        "/api/v1/tickets/{code}/category": {"post"},
        "/api/v1/tickets/{code}/merge": {"post"},
        "/api/v1/tickets/{code}/flags": {"post"},
    }
    status_change = schema["paths"]["/api/v1/tickets/{code}/status"]["post"]
    assert {"200", "401", "403", "404", "409", "422"} <= set(status_change["responses"])
    assert "merge" in status_change["description"]
    components = schema["components"]["schemas"]
    for name in ("StatusChange", "NoteCreate", "Assignment", "CategoryChange", "MergeRequest", "FlagsChange"):
        assert components[name]["examples"], name


def test_privacy_flags_are_turned_on_never_off(api: Api) -> None:
    code = report(api, "+6281234500001", "bantuan beras utk warga RT 4 dipotong oknum")
    detail = api.ok("GET", f"/tickets/{code}", "kader")
    assert detail["reporter"] is not None
    assert api.ok("POST", f"/tickets/{code}/flags", "kader", {"anonymous": True})["newly_set"] == ["anonim"]
    assert api.ok("GET", f"/tickets/{code}", "kader")["reporter"] is None
    assert api.ok("POST", f"/tickets/{code}/flags", "kader", {"anonymous": True})["newly_set"] == []
    # Read wrongly as an ordinary complaint: the cadre hands it to the BPD, and loses sight of it.
    flags = api.ok("POST", f"/tickets/{code}/flags", "kader", {"about_head": True})
    assert (flags["about_head"], flags["newly_set"]) == (True, ["about_head"])
    assert api.call("GET", f"/tickets/{code}", "kader").status_code == 404
    assert api.call("GET", f"/tickets/{code}", "kades").status_code == 404
    assert api.ok("GET", f"/tickets/{code}", "bpd")["about_head"] is True
    for body in ({"anonymous": False}, {}, {"about_head": None}, {"secret": True}):
        response = api.call("POST", f"/tickets/{code}/flags", "bpd", body)
        assert response.status_code == 422, body
    assert [e.action for e in audit_log(api) if e.action == "ticket.flags"] == ["ticket.flags"] * 2


def test_flags_cover_a_merged_complaint_whole(api: Api) -> None:
    survivor = report(api, "+6281234500001", "lampu jalan RT 2 mati")
    duplicate = report(api, "+6281234500002", "lampu jalan di RT 2 mati sejak kemarin")
    api.ok("POST", f"/tickets/{duplicate}/merge", "kader", {"into": survivor})
    flagged = api.ok("POST", f"/tickets/{survivor}/flags", "kader", {"about_head": True})
    assert flagged["newly_set"] == ["about_head"]
    for code in (survivor, duplicate):
        assert api.call("GET", f"/tickets/{code}", "kades").status_code == 404, code
        assert api.ok("GET", f"/tickets/{code}", "bpd")["about_head"] is True


def test_a_complaint_found_to_be_about_the_head_is_escalated_again_to_the_bpd(api: Api) -> None:
    code = report(api, "+6281234500001", "bantuan beras RT 4 tidak dibagi merata")
    morning = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # the verification deadline passed
    with transaction(api.engine) as session:
        assert lifecycle.escalate_overdue(session=session, now=morning, routes_for=lambda _: routes(api)) == 1
    api.ok("POST", f"/tickets/{code}/flags", "operator", {"about_head": True})
    with transaction(api.engine) as session:
        told = lifecycle.escalate_overdue(
            session=session, now=morning + timedelta(minutes=5), routes_for=lambda _: routes(api)
        )
    assert told == 1
    assert any(code in body for body in notices(api, "+6281300000004"))  # the BPD chair


def routes(api: Api) -> VillageRoutes:
    """DEMO's routes on the channels the test deployment sends on."""
    with Session(api.engine) as session:
        village = session.exec(select(Village).where(Village.code == "DEMO")).one()
        return runs.village_routes(
            session=session, village=village, available=configured_channels(api.settings)
        )
