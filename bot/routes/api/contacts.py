"""/api/v1/contacts (being built)."""

from fastapi import APIRouter

router = APIRouter(prefix="/contacts", tags=["contacts"])
