"""/api/v1/tickets (being built)."""

from fastapi import APIRouter

router = APIRouter(prefix="/tickets", tags=["tickets"])
