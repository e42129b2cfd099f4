"""/api/v1/staff (being built)."""

from fastapi import APIRouter

router = APIRouter(prefix="/staff", tags=["staff"])
