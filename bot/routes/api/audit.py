"""/api/v1/audit (being built)."""

from fastapi import APIRouter

router = APIRouter(prefix="/audit", tags=["audit"])
