"""FastAPI dependencies: settings, engine, clock, the inbound and delivery services. Each provider's
webhook signature check is its own dependency, in bot/providers/<provider>/verify.py.

They are `async def` although they do no I/O: FastAPI runs plain `def` dependencies in its thread pool,
and four thread hops per webhook cost more than the rest of the request.
"""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from bot.delivery import DeliveryService
from bot.inbound import InboundService
from bot.settings import Settings


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
