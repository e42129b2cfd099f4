"""Liveness and metrics."""

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from bot.deps import EngineDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(engine: EngineDep) -> dict[str, str]:
    """Alive, and the database answers."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok"}


@router.get("/metrics", response_class=Response)
def metrics() -> Response:
    """Prometheus metrics."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
