"""Where an Android SMS gateway webhook is verified: X-Signature over the raw body and X-Timestamp, the
timestamp's freshness (no replays), and the request dependency (`SmsgateBody`) that refuses either with 403.
"""

import hashlib
import hmac
import logging
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request

from bot.deps import NowDep, SettingsDep
from bot.metrics import REJECTED
from models.errors import Forbidden

log = logging.getLogger("kentongan.webhooks")

MAX_CLOCK_SKEW = timedelta(minutes=5)


def signature_is_valid(signing_key: str, body: bytes, timestamp: str, signature: str) -> bool:
    """Check `X-Signature` = hex HMAC-SHA256(signing key, raw body + X-Timestamp) in constant time."""
    if not signing_key or not timestamp or not signature:
        return False
    expected = hmac.new(signing_key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()
    given = signature.strip().lower()
    return given.isascii() and hmac.compare_digest(expected, given)


def timestamp_is_fresh(timestamp: str, *, now: datetime) -> bool:
    """True when `X-Timestamp` (Unix seconds) is within five minutes of now, either way (no replays)."""
    try:
        sent_at = datetime.fromtimestamp(int(timestamp), UTC)
    except (ValueError, OverflowError, OSError):
        return False
    return abs(now - sent_at) <= MAX_CLOCK_SKEW


# The body is read whole: bot/limits.py owns its limit (RULES: the gateway's MMS carries its photos) and
# refuses a larger body with 413 while it streams in.


async def smsgate_body(request: Request, settings: SettingsDep, now: NowDep) -> bytes:
    """The raw webhook body, once X-Signature and a fresh X-Timestamp have been verified; 403 otherwise."""
    body = await request.body()
    key = settings.smsgate_signing_key.get_secret_value()
    if not key:
        log.warning("a gateway webhook arrived but KENTONGAN_SMSGATE_SIGNING_KEY is not set")
    timestamp = request.headers.get("X-Timestamp", "")
    if not signature_is_valid(key, body, timestamp, request.headers.get("X-Signature", "")):
        REJECTED.labels(channel="smsgate", reason="signature").inc()
        raise Forbidden("missing or invalid X-Signature")
    if not timestamp_is_fresh(timestamp, now=now):
        REJECTED.labels(channel="smsgate", reason="timestamp").inc()
        raise Forbidden("X-Timestamp is more than 5 minutes away from now")
    return body


SmsgateBody = Annotated[bytes, Depends(smsgate_body)]
