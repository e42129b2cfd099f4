"""The FastAPI application: routes, the error handler, and the shared state every request uses."""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from bot.db import make_engine
from bot.delivery import DeliveryService
from bot.inbound import InboundService
from bot.limits import RequestGuard
from bot.logs import mask_numbers_in_logs
from bot.metrics import REJECTED
from bot.outage import RETRY_AFTER_SECONDS, DatabaseUnavailable, OutageMonitor, is_outage
from bot.providers.console import webhooks as console_webhooks
from bot.providers.registry import configured_channels
from bot.providers.smsgate import webhooks as smsgate_webhooks
from bot.providers.twilio import webhooks as twilio_webhooks
from bot.providers.whatsapp_cloud import webhooks as whatsapp_webhooks
from bot.routes import health, open311
from bot.routes.api import router as api_router
from bot.routes.api.deps import Scheduling
from bot.scheduling import SchedulingService
from bot.settings import Settings, get_settings
from handlers.pipeline import Limits
from models import utcnow
from models.errors import KentonganError

log = logging.getLogger("kentongan")


class _WithoutQueryString(logging.Filter):
    """Drops the query string from uvicorn's access log: a contact search puts a phone number there."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (args[0], args[1], args[2].split("?", 1)[0] + "?...", args[3], args[4])
        return True


_QUERYLESS = _WithoutQueryString()


def quiet_query_strings() -> None:
    """Keep query strings (which may hold numbers) out of the access log; safe to call again."""
    access = logging.getLogger("uvicorn.access")
    if _QUERYLESS not in access.filters:
        access.addFilter(_QUERYLESS)


# In this order (the OpenAPI schema lists their paths so).
ROUTERS = (
    twilio_webhooks.router,
    console_webhooks.router,
    whatsapp_webhooks.router,
    smsgate_webhooks.router,
    health.router,
    api_router,
    open311.router,
)


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    clock: Callable[[], datetime] = utcnow,
    dispatcher: bool = False,
    scheduler: bool = False,
) -> FastAPI:
    """Build the app for these settings (optionally an engine, a test clock, dispatcher and scheduler)."""
    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_lifespan(dispatcher=dispatcher, scheduler=scheduler),
        title="Kentongan",
        summary="SMS and WhatsApp service for Indonesian villages: complaints, information, broadcasts.",
        version="0.1.0",
        # Off in production unless KENTONGAN_API_DOCS=true: the schema maps every internal endpoint.
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url="/redoc" if settings.docs_enabled else None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    # Before any route reads a body: its limit, the REST API's token, no NUL in the API's text.
    app.add_middleware(RequestGuard)
    _attach_services(app, settings, engine or make_engine(settings.database_url), clock)
    _handle_errors(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


def _lifespan(*, dispatcher: bool, scheduler: bool) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start the dispatcher and the scheduler with the app (when asked to), and stop every service."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        quiet_query_strings()  # after uvicorn has configured its loggers
        mask_numbers_in_logs()
        if dispatcher:
            await app.state.delivery.start()
        if scheduler:
            await app.state.scheduling.start()
        yield
        if scheduler:
            await app.state.scheduling.stop()
        app.state.inbound.close()
        app.state.outage.close()
        if dispatcher:
            await app.state.delivery.stop()

    return lifespan


def _attach_services(app: FastAPI, settings: Settings, engine: Engine, clock: Callable[[], datetime]) -> None:
    """The shared state every request uses: settings, engine, clock, and the inbound, delivery,
    scheduling and outage services, wired to each other."""
    app.state.settings = settings
    app.state.engine = engine
    app.state.clock = clock
    limits = Limits(
        max_new_tickets_per_hour=settings.max_new_tickets_per_hour,
        max_identical_replies=settings.max_identical_replies,
        identical_reply_window=timedelta(seconds=settings.identical_reply_window_seconds),
    )
    app.state.inbound = InboundService(engine, limits=limits, available=configured_channels(settings))
    app.state.delivery = DeliveryService(engine, settings, clock=clock)
    app.state.inbound.on_queued = app.state.delivery.wake
    # The API tells it of changed broadcasts after a commit (bot/routes/api/deps.py: `Scheduling`, which
    # it implements); a no-op unless it runs here.
    scheduling: Scheduling = SchedulingService(
        engine, settings, clock=clock, on_queued=app.state.delivery.wake
    )
    app.state.scheduling = scheduling
    app.state.inbound.on_scheduled = scheduling.schedule  # a no-op unless it runs here
    app.state.outage = OutageMonitor(engine)


def _handle_errors(app: FastAPI) -> None:
    """Answer the domain's errors, database outages and invalid requests as JSON."""

    @app.exception_handler(KentonganError)
    async def kentongan_error(request: Request, error: KentonganError) -> JSONResponse:
        if isinstance(error, DatabaseUnavailable):
            return unavailable(error)
        log.warning("%s %s -> %d %s", request.method, request.url.path, error.status_code, error.message)
        if error.status_code == 404 and request.url.path.startswith("/webhooks/"):
            REJECTED.labels(channel=request.url.path.split("/")[2], reason="unknown_address").inc()
        return JSONResponse({"detail": error.message}, status_code=error.status_code)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, error: DBAPIError) -> JSONResponse:
        if not is_outage(error):
            raise error  # a bug (a constraint, a bad statement): a 500 with its traceback, once
        return unavailable(error)

    def unavailable(error: Exception) -> JSONResponse:
        """503 with Retry-After; the outage monitor logs a line a second instead of one per request."""
        app.state.outage.refused(error)
        return JSONResponse(
            {"detail": DatabaseUnavailable().message},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in error.errors()
        ]
        return JSONResponse({"detail": details}, status_code=422)
