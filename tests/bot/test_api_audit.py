"""The audit log of staff actions: written by every door, read by those who supervise."""

from sqlmodel import Session, select

from bot.auth import revoke_token
from bot.db import transaction
from handlers import audit, tickets
from models import AuditEntry, Role, Ticket, Village
from tests.apiclient import Api

KERJA_BAKTI = {"kind": "umum", "title": "Kerja bakti", "sms_text": "Kerja bakti Minggu pagi di balai desa."}


def entries(api: Api, who: str = "kades", **params: str) -> list[dict[str, object]]:
    body: list[dict[str, object]] = api.ok("GET", "/audit", who, **params)
    return body


def test_staff_actions_are_recorded_with_who_what_and_channel(api: Api) -> None:
    created = api.ok("POST", "/broadcasts", "kader", KERJA_BAKTI)
    api.ok("POST", f"/broadcasts/{created['id']}/cancel", "kader")
    log = entries(api, action="broadcast")
    assert [e["action"] for e in log] == ["broadcast.cancel", "broadcast.create"]
    with Session(api.engine) as session:
        kader = session.exec(select(AuditEntry).where(AuditEntry.action == "broadcast.create")).one()
    assert (kader.role, kader.channel, kader.target) == (Role.KADER, "api", f"broadcast:{created['id']}")
    assert kader.actor == f"kader:{kader.staff_id}"
    assert log[1]["detail"] == {"kind": "umum", "status": "scheduled", "recipients": 8}
    assert entries(api, actor="kader")[0]["action"] == "broadcast.cancel"
    assert entries(api, actor="bpd") == []


def test_tokens_created_and_revoked_from_the_command_line_are_recorded(api: Api) -> None:
    with transaction(api.engine) as session:
        assert revoke_token(session=session, token=api.tokens["kades"], now=api.clock.now)
    log = entries(api, "bpd", action="token")
    assert {e["action"] for e in log} == {"token.create", "token.revoke"}
    assert {e["channel"] for e in log} == {"cli"}


def test_only_supervisors_read_it_and_only_their_village(api: Api) -> None:
    api.ok("POST", "/broadcasts", "kader", KERJA_BAKTI)
    assert api.call("GET", "/audit", "kader").status_code == 403
    assert api.call("GET", "/audit", "other").status_code == 403
    assert api.call("GET", "/audit", "none").status_code == 401
    assert api.call("GET", "/audit", "bad").status_code == 401
    assert api.call("GET", "/audit", "kades", params={"village": "LAIN"}).status_code == 404
    assert any(e["action"] == "broadcast.create" for e in entries(api, "operator"))
    assert not any(e["action"] == "broadcast.create" for e in entries(api, "operator@LAIN"))


def test_actions_on_a_complaint_about_the_head_are_hidden_from_the_head(api: Api) -> None:
    with transaction(api.engine) as session:
        village = session.exec(select(Village).where(Village.code == "DEMO")).one()
        assert village.id is not None
        ordinary, about_head = (
            tickets.new_code(session=session, village_id=village.id),
            tickets.new_code(session=session, village_id=village.id),
        )
        session.add(Ticket(village_id=village.id, code=ordinary, reporter_id=1, text="lampu mati"))
        session.add(Ticket(village_id=village.id, code=about_head, reporter_id=2, text="x", about_head=True))
        actor = audit.StaffActor(None, Role.BPD, "api")
        for code in (ordinary, about_head):
            audit.record(
                session=session,
                actor=actor,
                village_id=village.id,
                action="ticket.status",
                now=api.clock.now,
                target=f"ticket:{code}",
            )
    assert {e["target"] for e in entries(api, "kades", action="ticket")} == {f"ticket:{ordinary}"}
    assert {e["target"] for e in entries(api, "bpd", action="ticket")} == {
        f"ticket:{ordinary}",
        f"ticket:{about_head}",
    }


def test_bad_filters_are_refused_with_a_reason(api: Api) -> None:
    for params in ({"action": "DROP TABLE"}, {"actor": "kader:abc"}, {"since": "yesterday"}, {"limit": "0"}):
        response = api.call("GET", "/audit", "kades", params=params)
        assert response.status_code == 422, params
        assert response.json()["detail"]
    naive = api.call("GET", "/audit", "kades", params={"since": "2026-12-01T00:00:00"})
    assert naive.status_code == 422
