"""The REST API under /api/v1 (docs/architecture.md): `Authorization: Bearer <token>`, errors as
{"detail": ...}.

Rights: `kader` creates and changes broadcasts, meetings, decisions and budget lines; `kades` and `bpd`
read everything and approve broadcasts; `operator` does everything in any village, named with
`?village=CODE`. Another village's data answers 404, so that its existence does not leak.
"""

from fastapi import APIRouter

from bot.routes.api import (
    audit,
    broadcasts,
    budget,
    contacts,
    decisions,
    meetings,
    messages,
    staff,
    tickets,
    villages,
)
from bot.routes.api.schemas import problems

router = APIRouter(
    prefix="/api/v1",
    responses=problems(
        {
            400: "The operator did not name a village (?village=CODE)",
            401: "No valid bearer token",
            403: "The role may not do this",
            404: "Not found in this village (or another village's)",
            422: "A value that cannot be acted on, and why",
        }
    ),
)
for part in (villages, staff, contacts, tickets, messages, broadcasts, meetings, decisions, budget, audit):
    router.include_router(part.router)

__all__ = ["router"]
