"""Which media URLs an inbound message may carry into the database, and back out through the API.

A URL is kept only when it is https (http only for 127.0.0.1 and localhost, where the tests' fake
providers listen), names no user or password, and, for a provider, points at one of that provider's own
hosts. Anything else (`file:///etc/passwd`, `javascript:alert(1)`, a look-alike host) is dropped with a
log line that names the scheme and host only: a media URL's path may carry ids, never a phone number, but
the log need not hold it.
"""

import logging
from collections.abc import Collection, Iterable
from urllib.parse import SplitResult, urlsplit

from handlers.inbound import Media
from models.phone import log_id

log = logging.getLogger("kentongan.media")

MAX_URL = 2048
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# Twilio serves inbound media from api.twilio.com (redirecting to its CDN) and, for some accounts and
# regions, other *.twilio.com hosts and media.twiliocdn.com.
TWILIO_HOSTS = ("twilio.com", ".twilio.com", "media.twiliocdn.com")


def _split(url: str) -> SplitResult | None:
    if len(url) > MAX_URL or not url.isascii() or any(c.isspace() or ord(c) < 32 or c == "\\" for c in url):
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return None
    if parts.username is not None or parts.password is not None or not parts.hostname:
        return None
    return parts


def _host_matches(host: str, allowed: Collection[str]) -> bool:
    """`allowed` holds exact hosts, and suffixes starting with a dot for every subdomain."""
    return any(host == name or (name.startswith(".") and host.endswith(name)) for name in allowed)


def url_allowed(url: str, hosts: Collection[str] | None = None) -> bool:
    """Whether `url` is https (or http on this machine) and, when `hosts` is given, on one of them."""
    parts = _split(url)
    if parts is None or parts.hostname is None:
        return False
    host = parts.hostname.lower().rstrip(".")
    if host in LOCAL_HOSTS:
        return parts.scheme in ("https", "http")
    if parts.scheme != "https":
        return False
    return hosts is None or _host_matches(host, hosts)


def kept(
    media: Iterable[Media], *, hosts: Collection[str] | None, channel: str, message_id: str
) -> tuple[Media, ...]:
    """The media whose URLs are allowed; each one dropped is logged (scheme and host, no path)."""
    allowed: list[Media] = []
    for item in media:
        if url_allowed(item.url, hosts):
            allowed.append(item)
            continue
        where = _where(item.url)
        log.warning("%s message %s: media URL dropped (%s not allowed)", channel, log_id(message_id), where)
    return tuple(allowed)


def _where(url: str) -> str:
    """The scheme and host of a URL, for a log line: 'file:', 'http://example.com', 'an unreadable URL'."""
    parts = _split(url)
    if parts is not None:
        return f"{parts.scheme}://{parts.hostname}"[:80]
    scheme = url.partition(":")[0]
    if url.isascii() and scheme.isalnum() and len(scheme) <= 16 and ":" in url:
        return scheme.lower() + ":"
    return "an unreadable URL"
