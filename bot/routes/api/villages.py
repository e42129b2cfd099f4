"""/api/v1/villages (being built)."""

from fastapi import APIRouter

router = APIRouter(prefix="/villages", tags=["villages"])
