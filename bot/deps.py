"""FastAPI dependencies: settings, engine, clock, and webhook signature checks."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from bot.channels import twilio as twilio_channel
from bot.metrics import REJECTED
from bot.settings import Settings
from handlers.pipeline import Limits
from models.errors import Forbidden


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


def get_now(request: Request) -> datetime:
    """The current time from the app's clock (tests may set it)."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def get_limits(request: Request) -> Limits:
    """Flood limits from settings."""
    limits: Limits = request.app.state.limits
    return limits


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
NowDep = Annotated[datetime, Depends(get_now)]
LimitsDep = Annotated[Limits, Depends(get_limits)]


def public_url(settings: Settings, request: Request) -> str:
    """The URL the provider called, rebuilt from the configured public base (TLS proxies hide the scheme)."""
    url = settings.public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


async def twilio_form(request: Request, settings: SettingsDep) -> dict[str, str]:
    """The webhook's form fields, once X-Twilio-Signature has been verified; 403 otherwise."""
    form = await request.form()
    params = {key: value for key, value in form.items() if isinstance(value, str)}
    signature = request.headers.get("X-Twilio-Signature", "")
    token = settings.twilio_auth_token.get_secret_value()
    if not twilio_channel.signature_is_valid(token, public_url(settings, request), params, signature):
        REJECTED.labels(channel="twilio", reason="signature").inc()
        raise Forbidden("missing or invalid X-Twilio-Signature")
    return params


TwilioForm = Annotated[dict[str, str], Depends(twilio_form)]
