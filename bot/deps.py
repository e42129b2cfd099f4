"""FastAPI dependencies: settings, engine, clock, and webhook signature checks.

They are `async def` although they do no I/O: FastAPI runs plain `def` dependencies in its thread pool,
and four thread hops per webhook cost more than the rest of the request.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from sqlalchemy import Engine

from bot.channels import twilio as twilio_channel
from bot.delivery import DeliveryService
from bot.inbound import InboundService
from bot.metrics import REJECTED
from bot.settings import Settings
from models.errors import BadRequest, Forbidden, KentonganError


async def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


async def get_now(request: Request) -> datetime:
    """The current time from the app's clock (tests may set it)."""
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


async def get_inbound(request: Request) -> InboundService:
    """The inbound pipeline service."""
    service: InboundService = request.app.state.inbound
    return service


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
NowDep = Annotated[datetime, Depends(get_now)]
InboundDep = Annotated[InboundService, Depends(get_inbound)]


async def get_delivery(request: Request) -> DeliveryService:
    """The delivery engine's status recorder."""
    service: DeliveryService = request.app.state.delivery
    return service


DeliveryDep = Annotated[DeliveryService, Depends(get_delivery)]


def public_url(settings: Settings, request: Request) -> str:
    """The URL the provider called, rebuilt from the configured public base (TLS proxies hide the scheme)."""
    url = settings.public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


async def twilio_form(request: Request, settings: SettingsDep) -> dict[str, str]:
    """The webhook's form fields, once X-Twilio-Signature has been verified; 403 otherwise.

    Twilio always posts application/x-www-form-urlencoded; parse_qsl reads it several times faster than
    Starlette's general form parser. The body is read whole: bot/limits.py refuses it past its limit
    (413) while it streams in, before it gets here whole.
    """
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise KentonganError("expected application/x-www-form-urlencoded", status_code=415)
    body = await request.body()
    try:
        params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError as error:
        raise BadRequest("form is not UTF-8") from error
    signature = request.headers.get("X-Twilio-Signature", "")
    token = settings.twilio_auth_token.get_secret_value()
    if not twilio_channel.signature_is_valid(token, public_url(settings, request), params, signature):
        REJECTED.labels(channel="twilio", reason="signature").inc()
        raise Forbidden("missing or invalid X-Twilio-Signature")
    return params


TwilioForm = Annotated[dict[str, str], Depends(twilio_form)]
