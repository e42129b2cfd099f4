"""Digests for the head and the BPD: complaints about the head go only to the BPD."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from broadcasts.digest import compose
from models import Role, Village
from tests.conftest import Clock


def say(client: TestClient, sender: str, text: str) -> None:
    response = client.post("/webhooks/console", json={"from": sender, "to": "+62800000001", "text": text})
    assert response.status_code == 200


def digest(engine: Engine, role: Role, clock: Clock, everything: bool = False):  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        village = session.exec(select(Village).where(Village.code == "DEMO")).one()
        return compose(
            session=session,
            village=village,
            role=role,
            since=clock.now - timedelta(days=1),
            now=clock.now,
            everything=everything,
        )


def test_head_and_bpd_digests_split_complaints_about_the_head(
    client: TestClient, engine: Engine, clock: Clock
) -> None:
    say(client, "+6281234500001", "lampu jalan RT 2 dusun Krajan mati")
    say(client, "+6281234500002", "got mampet di dusun Cibodas, banjir kalau hujan")
    say(client, "+6281234500003", "pak kades tidak pernah ada di kantor, surat terbengkalai")
    clock.advance(hours=1)
    head = digest(engine, Role.KADES, clock)
    bpd = digest(engine, Role.BPD, clock)
    assert (head.new, head.open) == (2, 2)
    assert (bpd.new, bpd.open) == (1, 1)
    assert head.sms == "Ringkasan Kades Desa Sukamaju: 2 aduan baru, 2 terbuka, 0 lewat batas, 0 selesai."
    assert "Infrastruktur" in head.whatsapp
    assert "Krajan" in head.whatsapp
    assert "Musdes RKPDes" in head.whatsapp  # the meeting ahead
    assert "Tata kelola" in bpd.whatsapp
    assert "Tata kelola" not in head.whatsapp
    assert digest(engine, Role.BPD, clock, everything=True).open == 3


def test_a_quiet_period_says_so_in_one_line(engine: Engine, demo: None, clock: Clock) -> None:
    clock.advance(days=60)  # after the demo's meetings
    quiet = digest(engine, Role.KADES, clock)
    assert (
        quiet.sms
        == quiet.whatsapp
        == "Ringkasan Kades Desa Sukamaju: tidak ada aduan, rapat, atau pengumuman baru. Terima kasih."
    )
