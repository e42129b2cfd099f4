"""Production refuses weak secrets without ever showing them, and serves no API documentation unless asked.

Every SecretStr of Settings is a secret here: one added later is checked by the same loop, and by these
tests, which read the list from the model.
"""

import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError

from bot.app import create_app
from bot.settings import InsecureSettings, Settings, get_settings, weak_secret

SECRETS = sorted(name for name, field in Settings.model_fields.items() if field.annotation is SecretStr)
# Strong values: random, as providers issue them or `openssl rand -hex 16` makes them.
STRONG = "9f2c41d07be85a36e1c4d8b02a7f6e19"
PRODUCTION: dict[str, Any] = {"environment": "production", "console_enabled": False}

WEAK = [
    *("CHANGEME", " changeme ", "change_me", "Change-Me", "password", "x", "Secret", "test", "xxx"),
    *("tok3n-Qz!", "0123456789abcde"),  # shorter than 16
    *(
        "changemechangeme",
        "CHANGE_ME_CHANGE_ME",
        "xxxxxxxxxxxxxxxx",
        "XXXX-XXXX-XXXX-XXXX",
        "test_test_test_test",
    ),
    *(
        "your-secret-here-please",
        "Kentongan-Secret-2026",
        "my_whatsapp_verify_token",
        "PLACEHOLDER-VALUE-123",
    ),
    *("example.example.example", "super-secret-value-42", "insecure-but-long-enough", "password1234567890"),
    *("1234567890123456", "abcdefghijklmnopq", "0000000000000000", "abababababababab", "qwertyuiopasdfgh"),
]


def make(**values: Any) -> Settings:
    """Settings from these values alone (the environment and .env aside)."""
    return Settings.model_validate(values)


def shown(error: BaseException) -> str:
    """Everything an error lets out: its text, its repr, its arguments and the traceback as printed."""
    return "\n".join([str(error), repr(error), repr(error.args), "".join(traceback.format_exception(error))])


def test_every_secret_setting_is_known() -> None:
    assert set(SECRETS) >= {
        *("twilio_auth_token", "whatsapp_access_token", "whatsapp_app_secret", "whatsapp_verify_token"),
        *("smsgate_password", "smsgate_signing_key", "metrics_token"),
    }


@pytest.mark.parametrize("value", WEAK)
@pytest.mark.parametrize("name", SECRETS)
def test_production_refuses_a_weak_secret_and_names_it_without_its_value(name: str, value: str) -> None:
    with pytest.raises(InsecureSettings) as refused:
        make(**PRODUCTION, **{name: value})
    error = refused.value
    assert f"KENTONGAN_{name.upper()} {weak_secret(value)}" in error.problems
    assert len(error.problems) == (2 if name == "whatsapp_access_token" else 1)  # + the app secret
    assert f"KENTONGAN_{name.upper()}" in str(error)
    assert error.__cause__ is None
    assert error.__context__ is None  # not a ValidationError underneath, with every input in it
    if value.strip().casefold() not in ("x", "xxx", "test", "secret"):  # words the reason itself uses
        assert value not in shown(error)
        assert value.strip() not in shown(error)


def test_the_reasons() -> None:
    assert weak_secret("Secret") == "is shorter than 16 characters"
    assert weak_secret("Change_Me_Change_Me") == (
        "is a placeholder (changeme, password, test, example, xxx, 123456...)"
    )
    assert weak_secret("abababababababab") == "repeats too few characters"
    assert weak_secret(STRONG) is None


@pytest.mark.parametrize(
    "value",
    [
        STRONG,
        "EAAGm0PX4ZCpsBAKz9Qk7XyTbq1wLd3NvJf8sHc2RtYuWi6OeA5gM",  # a WhatsApp access token's shape
        "nJrzkZw4HgpLQx7umZuwycZL5z0oqzqZ",  # secrets.token_urlsafe()
        "correct horse battery staple",
        "Kr4j4n-Sukamulya-Cibodas-77",
    ],
)
def test_production_accepts_long_random_secrets(value: str) -> None:
    settings = make(**PRODUCTION, **dict.fromkeys(SECRETS, value), twilio_account_sid="AC1")
    for name in SECRETS:
        assert getattr(settings, name).get_secret_value() == value
    assert value not in repr(settings)


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(InsecureSettings) as refused:
        Settings(
            environment="production",
            whatsapp_verify_token="changeme",
            smsgate_password="password",
            smsgate_url="https://api.sms-gate.app/3rdparty/v1",
        )
    assert refused.value.problems == (
        "KENTONGAN_CONSOLE_ENABLED must be false in production",
        "KENTONGAN_WHATSAPP_VERIFY_TOKEN is shorter than 16 characters",
        "KENTONGAN_SMSGATE_PASSWORD is shorter than 16 characters",
        "KENTONGAN_SMSGATE_SIGNING_KEY is empty but KENTONGAN_SMSGATE_URL is set",
    )


@pytest.mark.parametrize(
    ("configured", "missing"),
    [
        ({"twilio_account_sid": "AC1"}, "TWILIO_AUTH_TOKEN"),
        ({"whatsapp_access_token": STRONG}, "WHATSAPP_APP_SECRET"),
        ({"smsgate_url": "https://api.sms-gate.app/3rdparty/v1"}, "SMSGATE_SIGNING_KEY"),
    ],
)
def test_a_configured_channel_needs_its_secret(configured: dict[str, str], missing: str) -> None:
    with pytest.raises(InsecureSettings, match=f"KENTONGAN_{missing} is empty"):
        make(**PRODUCTION, **configured)


@pytest.mark.parametrize("environment", ["development", "test"])
def test_development_and_test_take_anything(environment: str) -> None:
    settings = make(environment=environment, **dict.fromkeys(SECRETS, "changeme"))
    assert settings.twilio_auth_token.get_secret_value() == "changeme"


def test_a_bad_value_elsewhere_does_not_print_the_secrets() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(environment="production", twilio_auth_token=STRONG, dispatcher_batch_size="many")
    assert "dispatcher_batch_size" in str(refused.value)
    assert STRONG not in str(refused.value)
    assert STRONG not in repr(refused.value)


def test_get_settings_from_the_environment_refuses_without_the_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KENTONGAN_ENVIRONMENT", "production")
    monkeypatch.setenv("KENTONGAN_CONSOLE_ENABLED", "false")
    monkeypatch.setenv("KENTONGAN_WHATSAPP_ACCESS_TOKEN", "EAAGm0PX4ZCpsBAKz9Qk7XyTbq1w")
    monkeypatch.setenv("KENTONGAN_WHATSAPP_APP_SECRET", "changeme-changeme")
    monkeypatch.setenv("KENTONGAN_WHATSAPP_VERIFY_TOKEN", "vrfy-7Qz")
    get_settings.cache_clear()
    try:
        with pytest.raises(InsecureSettings) as refused:
            get_settings()
    finally:
        get_settings.cache_clear()
    text = shown(refused.value)
    assert "KENTONGAN_WHATSAPP_APP_SECRET is a placeholder" in text
    assert "KENTONGAN_WHATSAPP_VERIFY_TOKEN is shorter than 16 characters" in text
    for value in ("EAAGm0PX4ZCpsBAKz9Qk7XyTbq1w", "changeme-changeme", "vrfy-7Qz"):
        assert value not in text


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
        ["-m", "bot.cli", "dispatcher"],
        ["-c", "import bot.main"],  # what uvicorn imports
    ],
    ids=["kentongan serve", "kentongan dispatcher", "import bot.main"],
)
def test_the_command_line_refuses_without_printing_a_secret(command: list[str], tmp_path: Path) -> None:
    values = {
        "KENTONGAN_TWILIO_ACCOUNT_SID": "AC0123456789",
        "KENTONGAN_TWILIO_AUTH_TOKEN": "Tw1l10-Qz",
        "KENTONGAN_WHATSAPP_ACCESS_TOKEN": "EAAGm0PX4ZCpsBAKz9Qk7XyTbq1w",
        "KENTONGAN_WHATSAPP_APP_SECRET": "4e1c9a7d2b8f6e3a0c5d9b7f1a2e8c4d",
        "KENTONGAN_WHATSAPP_VERIFY_TOKEN": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "KENTONGAN_SMSGATE_PASSWORD": "Ch4ngeMe",
    }
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("KENTONGAN_")},
        **values,
        "KENTONGAN_ENVIRONMENT": "production",
        "KENTONGAN_CONSOLE_ENABLED": "false",
        "KENTONGAN_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "COLUMNS": "400",  # typer prints the error with rich, which would wrap it at 80
    }
    done = subprocess.run(  # in tmp_path, so that no .env is read
        [sys.executable, *command],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = done.stdout + done.stderr
    squashed = "".join(output.split())  # a value cut by a line break is still found
    assert done.returncode != 0, output
    assert "KENTONGAN_TWILIO_AUTH_TOKEN is shorter than 16 characters" in output
    assert "KENTONGAN_WHATSAPP_VERIFY_TOKEN is a placeholder" in output
    assert "KENTONGAN_SMSGATE_PASSWORD is shorter than 16 characters" in output
    for name, value in values.items():
        if name != "KENTONGAN_TWILIO_ACCOUNT_SID":  # not a secret
            assert value not in squashed, name


# --- /docs, /redoc, /openapi.json -------------------------------------------------------------------------

DOCS = ["/docs", "/redoc", "/openapi.json"]


@pytest.mark.parametrize(
    ("settings", "served"),
    [
        ({"environment": "development"}, True),
        ({"environment": "test"}, True),
        ({"environment": "test", "api_docs": False}, False),
        (PRODUCTION, False),
        ({**PRODUCTION, "api_docs": True}, True),
    ],
)
def test_api_docs_are_off_in_production_unless_asked(
    settings: dict[str, Any], served: bool, tmp_path: Path
) -> None:
    app = create_app(make(**settings, database_url=f"sqlite:///{tmp_path / 'k.db'}"))
    client = TestClient(app)
    for path in DOCS:
        assert client.get(path).status_code == (200 if served else 404), path


def test_api_docs_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KENTONGAN_ENVIRONMENT", "production")
    monkeypatch.setenv("KENTONGAN_CONSOLE_ENABLED", "false")
    assert Settings().docs_enabled is False
    monkeypatch.setenv("KENTONGAN_API_DOCS", "true")
    assert Settings().docs_enabled is True
