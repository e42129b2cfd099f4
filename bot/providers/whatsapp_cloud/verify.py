"""Where a WhatsApp Cloud API webhook is verified: X-Hub-Signature-256 over the raw body (and the request
dependency, `WhatsAppBody`, that refuses a bad or missing one with 403), and the verify token of Meta's
subscription handshake.
"""

import hashlib
import hmac
import logging
from typing import Annotated

from fastapi import Depends, Request

from bot.deps import SettingsDep
from bot.metrics import REJECTED
from models.errors import Forbidden

log = logging.getLogger("kentongan.webhooks")

SIGNATURE_PREFIX = "sha256="


def signature_is_valid(app_secret: str, body: bytes, header: str) -> bool:
    """Check `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>` in constant time."""
    if not app_secret or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    given = header.removeprefix(SIGNATURE_PREFIX).strip().lower()
    return given.isascii() and hmac.compare_digest(expected, given)


def verification_problem(mode: str, token: str, verify_token: str) -> str | None:
    """Why a `GET ?hub.mode=...&hub.verify_token=...` handshake is refused, or None when it is good."""
    if not verify_token:
        return "no WhatsApp verify token is configured"
    if mode != "subscribe":
        return "hub.mode must be 'subscribe'"
    if not token.isascii() or not hmac.compare_digest(token, verify_token):
        return "hub.verify_token does not match"
    return None


# The body is read whole: bot/limits.py owns its limit (RULES: Meta batches many events into one POST)
# and refuses a larger body with 413 while it streams in.


async def whatsapp_body(request: Request, settings: SettingsDep) -> bytes:
    """The raw webhook body, once X-Hub-Signature-256 has been verified; 403 otherwise."""
    body = await request.body()
    secret = settings.whatsapp_app_secret.get_secret_value()
    if not secret:
        log.warning("a WhatsApp webhook arrived but KENTONGAN_WHATSAPP_APP_SECRET is not set")
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not signature_is_valid(secret, body, signature):
        REJECTED.labels(channel="whatsapp", reason="signature").inc()
        raise Forbidden("missing or invalid X-Hub-Signature-256")
    return body


WhatsAppBody = Annotated[bytes, Depends(whatsapp_body)]
