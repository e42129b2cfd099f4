"""Liveness and metrics."""

import hmac

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from bot.deps import EngineDep, SettingsDep
from bot.outage import RETRY_AFTER_SECONDS, describe, is_outage
from models.errors import KentonganError, NotFound

router = APIRouter(tags=["health"])


@router.get("/healthz", responses={503: {"description": "The database does not answer"}})
async def healthz(engine: EngineDep) -> JSONResponse:
    """Alive, and whether the database answers: 200 `{"status": "ok"}`, or 503 while it is down."""

    def ping() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    try:
        await run_in_threadpool(ping)
    except Exception as error:
        if not is_outage(error):
            raise
        return JSONResponse(
            {"status": "unavailable", "database": "down", "error": describe(error)},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return JSONResponse({"status": "ok", "database": "up"})


@router.get("/metrics", response_class=Response)
async def metrics(request: Request, settings: SettingsDep) -> Response:
    """Prometheus metrics: with KENTONGAN_METRICS_TOKEN set, for that bearer token only; without it, open
    outside production and off in production (internals are not for the public)."""
    token = settings.metrics_token.get_secret_value()
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            raise KentonganError("a valid metrics token is required", status_code=401)
    elif settings.environment == "production":
        raise NotFound("metrics are off: set KENTONGAN_METRICS_TOKEN to read them")
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
