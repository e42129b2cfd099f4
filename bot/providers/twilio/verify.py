"""Where Twilio's X-Twilio-Signature is checked: the HMAC over the public URL and the form, and the
request dependency (`TwilioForm`) that refuses a bad or missing signature with 403 before any route of
webhooks.py reads the form.
"""

from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import Depends, Request
from twilio.request_validator import RequestValidator, compare

from bot.deps import SettingsDep
from bot.metrics import REJECTED
from bot.settings import Settings
from models.errors import BadRequest, Forbidden, KentonganError


@lru_cache(maxsize=8)
def _validator(auth_token: str) -> RequestValidator:
    return RequestValidator(auth_token)


def signature_is_valid(auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    """Check X-Twilio-Signature with twilio's own RequestValidator.

    The URL as configured is tried first, so a good request costs one HMAC; only a mismatch goes on to
    `validate`, which also tries the URL with and without the default port.
    """
    if not auth_token or not signature:
        return False
    validator = _validator(auth_token)
    if compare(validator.compute_signature(url, dict(params)), signature):
        return True
    return bool(validator.validate(url, dict(params), signature))


def public_url(settings: Settings, request: Request) -> str:
    """The URL the provider called, rebuilt from the configured public base (TLS proxies hide the scheme)."""
    url = settings.public_base_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    return url


async def twilio_form(request: Request, settings: SettingsDep) -> dict[str, str]:
    """The webhook's form fields, once X-Twilio-Signature has been verified; 403 otherwise.

    Twilio always posts application/x-www-form-urlencoded; parse_qsl reads it several times faster than
    Starlette's general form parser. The body is read whole: bot/limits.py refuses it past its limit
    (413) while it streams in, before it gets here whole.
    """
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        raise KentonganError("expected application/x-www-form-urlencoded", status_code=415)
    body = await request.body()
    try:
        params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError as error:
        raise BadRequest("form is not UTF-8") from error
    signature = request.headers.get("X-Twilio-Signature", "")
    token = settings.twilio_auth_token.get_secret_value()
    if not signature_is_valid(token, public_url(settings, request), params, signature):
        REJECTED.labels(channel="twilio", reason="signature").inc()
        raise Forbidden("missing or invalid X-Twilio-Signature")
    return params


TwilioForm = Annotated[dict[str, str], Depends(twilio_form)]
