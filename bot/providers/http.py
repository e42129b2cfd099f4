"""The one async HTTP client a process shares for all provider calls.

httpx's API over aiohttp's connection pool (httpx-aiohttp): on this 2-core machine, against one local
fake provider at concurrency 32, httpx's own pool managed about 240 requests/s, the aiohttp transport
about 1,200 and plain aiohttp about 2,400 (bench/dispatch.py measures ours). Retries are ours, never
the transport's: a retried POST can send a message twice.
"""

from dataclasses import dataclass

import httpx
from httpx_aiohttp import AiohttpTransport

from broadcasts.channel import SendOutcome, SendResult

TIMEOUT = httpx.Timeout(15.0, connect=5.0)


def make_client(max_connections: int = 100) -> httpx.AsyncClient:
    """A client with a pool of `max_connections`, no retries, no environment proxies."""
    limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
    transport = AiohttpTransport(limits=limits, retries=0, trust_env=False)
    return httpx.AsyncClient(transport=transport, timeout=TIMEOUT, trust_env=False)


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header, when it gives a number."""
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def error_body(response: httpx.Response) -> dict[str, object]:
    """The JSON error body, or {} when there is none."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def unreachable(error: httpx.TransportError) -> SendResult:
    """The request never got an answer (refused, reset, timed out): try again later."""
    return SendResult(SendOutcome.RETRY, error_message=f"{type(error).__name__}: {error}"[:200])


@dataclass(frozen=True, slots=True)
class ErrorCodes:
    """A provider's error codes that mean something other than a plain failure."""

    retry: frozenset[int]
    opted_out: frozenset[int] = frozenset()
    needs_template: frozenset[int] = frozenset()
    undeliverable: frozenset[int] = frozenset()
    retry_on_credentials: bool = False  # 401/403: an operator must fix them; keep trying for a while

    def result(self, response: httpx.Response, code: int | None, text: str) -> SendResult:
        """The dispatcher's outcome of a refused send: `code` is the provider's (None: the HTTP status
        stands for it), `text` its message."""
        code_text = str(code) if code is not None else str(response.status_code)
        status = response.status_code
        if status == 429 or status >= 500 or code in self.retry:
            return SendResult(
                SendOutcome.RETRY, error_code=code_text, error_message=text, retry_after=retry_after(response)
            )
        if self.retry_on_credentials and status in (401, 403):
            return SendResult(SendOutcome.RETRY, error_code=code_text, error_message=text)
        outcome = SendOutcome.FAILED
        if code in self.opted_out:
            outcome = SendOutcome.OPTED_OUT
        elif code in self.needs_template:
            outcome = SendOutcome.NEEDS_TEMPLATE
        elif code in self.undeliverable:
            outcome = SendOutcome.UNDELIVERABLE
        return SendResult(outcome, error_code=code_text, error_message=text)
