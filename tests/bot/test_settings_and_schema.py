"""Settings refuse unsafe production values; migrations match the models on both databases."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlmodel import SQLModel

from bot.settings import InsecureSettings, Settings


def test_production_refuses_placeholder_secrets() -> None:
    """More in tests/bot/test_production_settings.py."""
    with pytest.raises(InsecureSettings, match="TWILIO_AUTH_TOKEN"):
        Settings(
            environment="production",
            console_enabled=False,
            twilio_account_sid="AC1",
            twilio_auth_token="changeme",
        )
    with pytest.raises(InsecureSettings, match="CONSOLE_ENABLED"):
        Settings(environment="production")
    token = "9f2c41d07be85a36e1c4d8b02a7f6e19"
    ok = Settings(
        environment="production", console_enabled=False, twilio_account_sid="AC1", twilio_auth_token=token
    )
    assert ok.twilio_auth_token.get_secret_value() == token
    assert token not in repr(ok)


def test_migrations_match_the_models(engine: Engine) -> None:
    options = {"include_name": lambda name, type_, _: not (type_ == "table" and name == "apscheduler_job")}
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts=options), SQLModel.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
