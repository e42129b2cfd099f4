"""Fake provider servers for end-to-end tests: real HTTP on 127.0.0.1 speaking the real protocols.

    with FakeTwilio(callback_routes={PUBLIC_BASE_URL: live_app_url}) as twilio:
        ...point the Twilio adapter at twilio.url (client.api.base_url = twilio.url)...
        ...the dispatcher sends; twilio.accepted, twilio.requests record what arrived...
        twilio.emit_pending()  # signed status callbacks for everything accepted

Each fake runs aiohttp on its own event loop in a daemon thread (usable from sync tests and from async
code alike), records every request and accepted message thread-safely, injects seeded faults
(`Faults`), answers with configurable latency, and posts signed callbacks to this machine only
(explicitly with emit_statuses / emit_pending, or automatically with `AutoCallbacks`).
From async code, call the blocking methods in a thread: `await asyncio.to_thread(fake.emit_pending)`.
"""

from ._server import (
    Accepted,
    AutoCallbacks,
    CallbackResult,
    Faults,
    Receiver,
    RecordedRequest,
    sms_parts,
)
from .meta import FakeMeta
from .smsgate import FakeSmsGate
from .twilio import FakeTwilio

__all__ = [
    "Accepted",
    "AutoCallbacks",
    "CallbackResult",
    "FakeMeta",
    "FakeSmsGate",
    "FakeTwilio",
    "Faults",
    "Receiver",
    "RecordedRequest",
    "sms_parts",
]
