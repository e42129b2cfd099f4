"""The database going away under a running server (PostgreSQL behind a proxy the test cuts): webhooks
and the API answer 503 with Retry-After, /healthz says the database is down, the log gets a line a
second instead of a traceback per request, and everything works again without a restart."""

import logging
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.app import create_app
from bot.db import make_engine
from bot.outage import OutageMonitor
from models import Message
from tests.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN, Clock, make_settings, serve
from tests.fakes.tcpproxy import TcpProxy
from tests.providers import twilio_signature, twilio_sms_form

PATH = "/webhooks/twilio"


def signed(form: dict[str, str]) -> dict[str, str]:
    return {"X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, PUBLIC_BASE_URL + PATH, form)}


@pytest.fixture
def proxied(db_url: str, demo: None) -> Iterator[tuple[TcpProxy, str]]:
    """The test database behind a proxy: (proxy, URL through it)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("an outage of a server: PostgreSQL")
    parts = urlsplit(db_url)
    assert parts.hostname is not None
    assert parts.port is not None
    with TcpProxy((parts.hostname, parts.port)) as proxy:
        yield proxy, db_url.replace(f"{parts.hostname}:{parts.port}", f"127.0.0.1:{proxy.port}", 1)


def test_an_outage_is_503_with_retry_after_and_recovers_without_a_restart(
    proxied: tuple[TcpProxy, str], engine: Engine, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    proxy, url = proxied
    app_engine = make_engine(url, connect_args={"connect_timeout": 3})
    app = create_app(make_settings(url), engine=app_engine, clock=clock)
    caplog.set_level(logging.INFO)
    with serve(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        before = twilio_sms_form("JADWAL")
        assert http.post(PATH, data=before, headers=signed(before)).status_code == 200
        assert http.get("/healthz").json() == {"status": "ok", "database": "up"}

        proxy.cut()
        caplog.clear()
        refused = [twilio_sms_form(f"lampu jalan RT {i} mati") for i in range(20)]
        answers = [http.post(PATH, data=form, headers=signed(form)) for form in refused]
        api = http.get("/api/v1/tickets", headers={"Authorization": "Bearer whatever"})
        health = http.get("/healthz")
        time.sleep(1.5)  # one summary line a second

        assert [a.status_code for a in answers] == [503] * 20
        assert all(a.headers["Retry-After"] == "5" for a in answers)
        assert answers[0].json() == {"detail": "database unavailable, try again shortly"}
        assert api.status_code == 503
        assert health.status_code == 503
        assert health.json()["database"] == "down"
        records = [r for r in caplog.records if r.name.startswith("kentongan")]
        assert not any(r.exc_info for r in records), "no traceback per request"
        assert 1 <= len([r for r in records if r.name == "kentongan.database"]) <= 3
        assert not any("+62" in r.getMessage() for r in records)

        proxy.restore()
        started = time.monotonic()
        while http.get("/healthz").status_code != 200:
            assert time.monotonic() - started < 10, "the database did not come back"
            time.sleep(0.1)
        # The provider retries what was refused: stored now, once each.
        retried = [http.post(PATH, data=form, headers=signed(form)) for form in refused]
        assert [r.status_code for r in retried] == [200] * 20
        deadline = time.monotonic() + 5
        while not any("available again" in r.getMessage() for r in caplog.records):
            assert time.monotonic() < deadline, "the recovery is logged"
            time.sleep(0.1)
    app_engine.dispose()
    with Session(engine) as session:
        stored = session.exec(select(func.count()).select_from(Message).where(Message.direction == "in"))
        assert stored.one() == 21


def test_the_monitor_logs_at_most_a_line_a_second_and_the_recovery(
    caplog: pytest.LogCaptureFixture, tmp_path: object
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/up.db")
    monitor = OutageMonitor(engine, interval=0.2)
    caplog.set_level(logging.INFO, logger="kentongan.database")
    for _ in range(500):
        monitor.refused(ConnectionError("refused"))
    assert monitor.down
    deadline = time.monotonic() + 5
    while monitor.down:  # the database here answers: the first ping ends it
        assert time.monotonic() < deadline
        time.sleep(0.05)
    monitor.close()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert "unavailable" in lines[0]
    assert "available again" in lines[1]
    assert "500 requests" in lines[1]
    engine.dispose()
