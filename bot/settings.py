"""The one Settings object (stable names, docs/architecture.md; prefix KENTONGAN_, also read from .env)."""

import re
from functools import lru_cache
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_LENGTH = 16
# What people leave in a secret instead of one. A secret made only of these words (and x's and digits:
# "changeme", "Change_Me", "your-secret-here", "test123", "xxxxxxxxxxxxxxxx", "kentongan-secret-2026")
# is refused, and so is one that contains one of the long ones ("...-placeholder-..."). Provider-issued
# secrets are random hex or base62: the chance that one is made of these words or contains a 6-letter
# one among 200 characters is below one in ten million.
_PLACEHOLDER_WORDS = (
    *("changeme", "changeit", "changethis", "replaceme", "placeholder", "password", "passwd", "pass"),
    *("secret", "token", "key", "apikey", "test", "testing", "example", "sample", "dummy", "fake"),
    *("default", "demo", "admin", "root", "todo", "fixme", "tbd", "none", "null", "empty", "unset"),
    *("notset", "your", "my", "here", "kentongan", "twilio", "whatsapp", "smsgate", "insecure", "qwerty"),
    *("letmein", "verify", "access", "app", "auth", "signing", "metrics", "gateway", "value", "string"),
    *("api", "sms", "super", "long", "random", "x"),
)
_PLACEHOLDER_INSIDE = re.compile(r"changeme|placeholder|replaceme|password|example|secret|insecure|yourkey")
_IGNORED_IN_PLACEHOLDERS = re.compile(r"[\s_.\-]+")
# Runs typed along the digits, the alphabet or the keyboard: "1234567890123456", "abcdefghijklmnop".
_SEQUENCES = tuple(run * 8 for run in ("0123456789", "9876543210", "abcdefghijklmnopqrstuvwxyz"))
_SEQUENCES += ("qwertyuiopasdfghjklzxcvbnm" * 8,)


class InsecureSettings(Exception):
    """Settings refused in production: it names the settings and says why, never with their values.

    Deliberately not a ValueError: pydantic would wrap that in a ValidationError, whose text shows every
    input value (`input_value={...}`, the secrets too) and whose `errors()` keep them; an exception of
    another type goes through pydantic untouched."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("refusing these production settings: " + "; ".join(problems))


def _placeholder_words_only(text: str) -> bool:
    """Whether `text` is placeholder words and digits end to end, with a letter somewhere (linear)."""
    ends = {0}  # where a word or a digit may begin
    for at, char in enumerate(text):
        if at not in ends:
            continue
        if char.isdigit():
            ends.add(at + 1)
        ends.update(at + len(word) for word in _PLACEHOLDER_WORDS if text.startswith(word, at))
    return len(text) in ends and any(char.isalpha() for char in text)


def weak_secret(value: str) -> str | None:
    """Why `value` is not a secret fit for production, or None when it is long and not a placeholder."""
    if len(value.strip()) < MIN_SECRET_LENGTH:
        return f"is shorter than {MIN_SECRET_LENGTH} characters"
    bare = _IGNORED_IN_PLACEHOLDERS.sub("", value).casefold()
    sequence = any(bare in run for run in _SEQUENCES)
    if sequence or _placeholder_words_only(bare) or _PLACEHOLDER_INSIDE.search(bare):
        return "is a placeholder (changeme, password, test, example, xxx, 123456...)"
    if len(set(bare)) < 5:
        return "repeats too few characters"
    return None


class Settings(BaseSettings):
    """Deployment-wide settings; per-village values live in the database."""

    # hide_input_in_errors: a ValidationError's text leaves out the values given (a bad value of one
    # setting would otherwise be printed beside the others, secrets and the database URL included).
    model_config = SettingsConfigDict(
        env_prefix="KENTONGAN_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/kentongan.db"
    public_base_url: str = "http://127.0.0.1:8000"
    channel: str = "console"
    console_enabled: bool = True
    log_level: str = "INFO"
    # /docs, /redoc and /openapi.json: unset, on in development and test and off in production.
    api_docs: bool | None = None
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

    @property
    def docs_enabled(self) -> bool:
        """Whether the API documentation and the OpenAPI schema are served."""
        return self.api_docs if self.api_docs is not None else self.environment != "production"

    @model_validator(mode="after")
    def _refuse_unsafe_production_values(self) -> "Settings":
        """In production: no console webhook, a secret for each configured channel, and every secret
        set (every SecretStr, so one added later is checked too) long and not a placeholder."""
        if self.environment != "production":
            return self
        problems = []
        if self.console_enabled:
            problems.append("KENTONGAN_CONSOLE_ENABLED must be false in production")
        needed = {
            "twilio_auth_token": ("twilio_account_sid", self.twilio_account_sid),
            "whatsapp_app_secret": ("whatsapp_access_token", self.whatsapp_access_token.get_secret_value()),
            "smsgate_signing_key": ("smsgate_url", self.smsgate_url),
        }
        for name in type(self).model_fields:
            value = getattr(self, name)
            if not isinstance(value, SecretStr):
                continue
            secret = value.get_secret_value()
            if not secret:
                if name in needed and needed[name][1]:
                    because = f"KENTONGAN_{needed[name][0].upper()}"
                    problems.append(f"KENTONGAN_{name.upper()} is empty but {because} is set")
                continue
            reason = weak_secret(secret)
            if reason:
                problems.append(f"KENTONGAN_{name.upper()} {reason}")
        if problems:
            raise InsecureSettings(problems)
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
