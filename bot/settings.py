"""The one Settings object (CONTRACT.md names, prefix KENTONGAN_, also read from .env)."""

from functools import lru_cache
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "placeholder"}


class Settings(BaseSettings):
    """Deployment-wide settings; per-village values live in the database."""

    model_config = SettingsConfigDict(env_prefix="KENTONGAN_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/kentongan.db"
    public_base_url: str = "http://127.0.0.1:8000"
    channel: str = "console"
    console_enabled: bool = True
    log_level: str = "INFO"
    # /metrics: with a token, only `Authorization: Bearer <token>` reads it; without one it is open in
    # development and test, and off (404) in production.
    metrics_token: SecretStr = SecretStr("")

    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_api_base: str = "https://api.twilio.com"

    whatsapp_access_token: SecretStr = SecretStr("")
    whatsapp_app_secret: SecretStr = SecretStr("")
    whatsapp_verify_token: SecretStr = SecretStr("")
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"

    smsgate_url: str = ""
    smsgate_username: str = ""
    smsgate_password: SecretStr = SecretStr("")
    smsgate_signing_key: SecretStr = SecretStr("")

    # What `kentongan serve` runs beside the API (`--no-dispatcher` sets RUN_DISPATCHER=false).
    run_dispatcher: bool = True
    run_scheduler: bool = True

    # Delivery: the dispatcher's batch and concurrency, attempts, and each channel's rate per sender
    # ("80/s", "10 segments/s", "100/h").
    dispatcher_batch_size: int = 500
    dispatcher_concurrency: int = 64
    dispatcher_max_attempts: int = 6
    dispatcher_lease_seconds: float = 120.0  # a dead dispatcher's rows are sent again after this
    dispatcher_backoff_seconds: float = 5.0  # first retry delay; x3 each attempt
    rate_twilio_sms: str = "10 segments/s"
    rate_twilio_whatsapp: str = "80/s"
    rate_whatsapp_cloud: str = "80/s"
    rate_smsgate: str = "100 segments/h"
    rate_console: str = "10000/s"

    # Scheduler (broadcasts/scheduler.py): how late a due broadcast may still go out (later, its run is
    # marked missed), how often it looks for broadcasts another process scheduled, how often a standby
    # tries the leader lock (PostgreSQL), and how many threads fire broadcasts.
    scheduler_grace_seconds: int = 1800
    scheduler_sweep_seconds: float = 30.0
    scheduler_leader_poll_seconds: float = 5.0
    scheduler_workers: int = 4
    # The leader's chores: escalating overdue tickets and sending due digests. Off only in tests that run
    # a scheduler on the real clock for other reasons (the demo's deadlines and digest times are real).
    scheduler_chores: bool = True

    # Flood control (per sender number, not per network address).
    max_new_tickets_per_hour: int = 5
    max_identical_replies: int = 3
    identical_reply_window_seconds: int = 300

    @model_validator(mode="after")
    def _refuse_placeholder_secrets_in_production(self) -> "Settings":
        if self.environment != "production":
            return self
        if self.console_enabled:
            raise ValueError("KENTONGAN_CONSOLE_ENABLED must be false in production")
        if self.twilio_account_sid and self.twilio_auth_token.get_secret_value() in PLACEHOLDER_SECRETS:
            raise ValueError("KENTONGAN_TWILIO_AUTH_TOKEN is a placeholder; set the real token")
        if (
            self.whatsapp_access_token.get_secret_value()
            and self.whatsapp_app_secret.get_secret_value() in PLACEHOLDER_SECRETS
        ):
            raise ValueError("KENTONGAN_WHATSAPP_APP_SECRET is a placeholder; set the real secret")
        if self.smsgate_url and self.smsgate_signing_key.get_secret_value() in PLACEHOLDER_SECRETS:
            raise ValueError("KENTONGAN_SMSGATE_SIGNING_KEY is a placeholder; set the real key")
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
