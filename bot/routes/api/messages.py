"""/api/v1/messages (being built)."""

from fastapi import APIRouter

router = APIRouter(prefix="/messages", tags=["messages"])
