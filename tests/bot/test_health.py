"""/healthz and /metrics: what an operator's monitoring reads, and what the public may not."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bot.app import create_app
from tests.conftest import Clock, make_settings

TOKEN = "Qm7vT2xKp9Lr4Wd8Zs3Ny6Hb"  # a token production accepts (16+ characters, no placeholder)


def test_healthz_says_the_database_answers(client: TestClient) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "up"}


def test_metrics_are_open_outside_production_without_a_token(client: TestClient) -> None:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert "kentongan_inbound_messages_total" in answer.text


@pytest.mark.parametrize("environment", ["test", "production"])
def test_with_a_token_metrics_need_it(db_url: str, engine: Engine, clock: Clock, environment: str) -> None:
    settings = make_settings(
        db_url,
        environment=environment,
        console_enabled=False,
        metrics_token=TOKEN,
        twilio_account_sid="",
        twilio_auth_token="",
    )
    with TestClient(create_app(settings, engine=engine, clock=clock)) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 200
        assert "kentongan_webhook_rejected_total" in answer.text


def test_in_production_metrics_without_a_token_are_off(db_url: str, engine: Engine, clock: Clock) -> None:
    settings = make_settings(
        db_url, environment="production", console_enabled=False, twilio_account_sid="", twilio_auth_token=""
    )
    with TestClient(create_app(settings, engine=engine, clock=clock)) as client:
        answer = client.get("/metrics")
        assert answer.status_code == 404
        assert "KENTONGAN_METRICS_TOKEN" in answer.json()["detail"]
