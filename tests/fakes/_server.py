"""What the fake providers share: a real aiohttp server on 127.0.0.1 in its own thread and event loop,
thread-safe records of requests, accepted messages and callbacks, seeded fault plans, latency, and
signed callbacks posted to the app under test (only ever to this machine).

    test thread                          fake's thread (own event loop)
    -----------                          ------------------------------
    FakeX(...)  ── starts ──────────────> aiohttp server on 127.0.0.1:<OS port>
    client code ── HTTP ────────────────> handler: record -> auth -> fault -> validate -> accept
    fake.emit_statuses(...) ── submits ─> posts signed callbacks in order, returns the answers
    fake.close() ── stops ──────────────> cancels held requests and automatic callbacks, closes
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import contextlib
import json
import random
import secrets
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Coroutine, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any, Literal, Self, TypeVar, get_args

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

T = TypeVar("T")

FaultKind = Literal["500", "429", "timeout", "drop", "accept_then_drop"]
FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
NANOID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-"


@dataclass(frozen=True, slots=True)
class Faults:
    """Seeded fault injection, drawn once per request to the send endpoint, in arrival order.

    `script` fixes the first requests (None = no fault); after it, each request fails with probability
    `rate`, its kind chosen from `kinds`. The same seed gives the same plan (`plan(n)` shows it).

    Kinds: "500" the provider's real 5xx body; "429" its real rate-limit error; "timeout" holds the
    request `timeout` seconds, then closes the connection without an answer (nothing accepted);
    "drop" closes the connection at once (nothing accepted); "accept_then_drop" accepts and records the
    message, then closes the connection without an answer (the crash window: it was sent, you don't know).
    """

    rate: float = 0.0
    kinds: tuple[FaultKind, ...] = ("500",)
    seed: int = 0
    timeout: float = 5.0
    script: tuple[FaultKind | None, ...] = ()

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate must be within [0, 1], not {self.rate}")
        if not self.kinds:
            raise ValueError("kinds must not be empty")
        unknown = {k for k in (*self.kinds, *self.script) if k is not None and k not in FAULT_KINDS}
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {sorted(FAULT_KINDS)}")
        if self.timeout < 0:
            raise ValueError("timeout must not be negative")

    def drawer(self) -> Callable[[], FaultKind | None]:
        """A fresh draw function: call it once per request."""
        rng = random.Random(self.seed)
        drawn = 0

        def draw() -> FaultKind | None:
            nonlocal drawn
            drawn += 1
            if drawn <= len(self.script):
                return self.script[drawn - 1]
            if self.rate and rng.random() < self.rate:
                return rng.choice(self.kinds)
            return None

        return draw

    def plan(self, n: int) -> list[FaultKind | None]:
        """The faults the first n requests will get."""
        draw = self.drawer()
        return [draw() for _ in range(n)]


@dataclass(frozen=True, slots=True)
class AutoCallbacks:
    """Automatic status callbacks: `delay` s after accepting a message, post its realistic sequence,
    `interval` s apart; optionally shuffled and with `repeat` duplicates inserted (seeded)."""

    delay: float = 0.05
    interval: float = 0.0
    shuffle: bool = False
    repeat: int = 0
    seed: int = 0


@dataclass(slots=True)
class RecordedRequest:
    """One request a fake received. `body` is the parsed form (dict) or JSON; `at` is time.monotonic()."""

    method: str
    path: str
    query: dict[str, str]
    headers: CIMultiDict[str]
    raw: bytes
    body: Any
    at: float
    status: int | None = None  # the HTTP status answered; None when the connection was dropped
    outcome: str = ""  # "accepted", "rejected:21211", "unauthorized", "fault:500", "fault:timeout", ...


@dataclass(slots=True)
class Accepted:
    """One message a fake accepted (the gateway records one per recipient, sharing the message id)."""

    id: str  # provider id: Twilio SM..., Meta wamid..., gateway message id
    to: str  # E.164 (+62...), or a WhatsApp user id when sent to one
    address: str  # the recipient exactly as the request gave it (whatsapp:+62..., 62812..., 0812...)
    sender: str  # From, phone number id, or gateway device id
    body: str
    channel: Literal["sms", "whatsapp"]
    at: float  # time.monotonic() when the request arrived
    request: RecordedRequest
    template: str | None = None  # ContentSid or Meta template name
    variables: tuple[str, ...] = ()
    callback_url: str | None = None  # Twilio StatusCallback
    parts: int = 1  # SMS segments
    planned_error: str | None = None  # the failure its status callbacks will report
    extra: dict[str, Any] = field(default_factory=dict)
    emitted: int = 0  # callbacks posted for it so far


@dataclass(frozen=True, slots=True)
class CallbackResult:
    """One callback or webhook a fake posted, and how the app answered."""

    message_id: str | None
    event: str  # Twilio MessageStatus, Meta status, gateway event
    url: str  # where it was posted
    signed_url: str  # what the signature covers (Twilio: the StatusCallback URL); else == url
    headers: dict[str, str]
    body: bytes
    status: int | None  # the app's HTTP status; None when the POST failed
    text: str
    error: str | None
    at: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A signed callback ready to post."""

    message_id: str | None
    event: str
    url: str
    signed_url: str
    headers: dict[str, str]
    body: bytes


@dataclass(slots=True)
class Rule:
    """A per-recipient failure: `code`, answered in the send response or reported in callbacks."""

    code: str
    via: Literal["response", "callback"]
    remaining: int | None  # None: permanent


def nanoid(size: int = 21) -> str:
    """A random id in the gateway's style."""
    return "".join(secrets.choice(NANOID_ALPHABET) for _ in range(size))


def e164(address: str) -> str:
    """+digits for a phone-like address (whatsapp:+62..., 62812..., 0812... as Indonesian, +62 812-...);
    other ids (WhatsApp user ids, alphanumeric senders) unchanged."""
    bare = address.removeprefix("whatsapp:").strip()
    digits = "".join(ch for ch in bare if ch.isdigit())
    if digits and all(ch.isdigit() or ch in "+-() " for ch in bare):
        if digits.startswith("0") and not bare.startswith("+"):
            digits = "62" + digits[1:]
        return "+" + digits
    return bare


GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
    "abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


def sms_parts(text: str) -> int:
    """SMS segments: GSM-7 160 single / 153 per part, else UCS-2 70 / 67; pairs are never split."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text):
        units = [2 if ch in GSM7_EXTENDED else 1 for ch in text]
        single, per_part = 160, 153
    else:
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, per_part = 70, 67
    if sum(units) <= single:
        return 1
    parts, used = 1, 0
    for unit in units:
        if used + unit > per_part:
            parts, used = parts + 1, 0
        used += unit
    return parts


def arrange(items: Sequence[T], *, shuffle: bool, repeat: int, seed: int) -> list[T]:
    """Shuffle (seeded) and insert `repeat` duplicates of random items at random places."""
    rng = random.Random(seed)
    arranged = list(items)
    if shuffle:
        rng.shuffle(arranged)
    for _ in range(max(repeat, 0)):
        if not arranged:
            break
        arranged.insert(rng.randrange(len(arranged) + 1), rng.choice(arranged))
    return arranged


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(user, password) from an HTTP basic Authorization header, or None."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(encoded.strip(), validate=True).decode("latin1").partition(":")
    except ValueError:
        return None
    return (user, password) if sep else None


def parse_body(content_type: str, raw: bytes) -> Any:
    if content_type == "application/x-www-form-urlencoded":
        return dict(urllib.parse.parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    if content_type == "application/json" or raw[:1] in (b"{", b"["):
        try:
            return json.loads(raw)
        except ValueError:
            return None
    return None


class LoopServer:
    """An aiohttp app on 127.0.0.1 (OS-chosen port) served by its own event loop in a daemon thread."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._requests: list[RecordedRequest] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._closing: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._port = 0
        self._closed = False

    # -- life cycle ------------------------------------------------------------------------------------

    def _routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def _start(self) -> None:
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._astart())
            except BaseException as exc:  # reported to the starting thread
                failure.append(exc)
            ready.set()
            try:
                if not failure:
                    loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name=type(self).__name__, daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            self._thread.join(5)
            raise RuntimeError(f"{type(self).__name__} did not start") from failure[0]

    async def _astart(self) -> None:
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=4 * 1024 * 1024)
        self._routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))

    async def _astop(self) -> None:
        assert self._closing is not None
        self._closing.set()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def close(self) -> None:
        """Stop the server and its thread; held requests and pending callbacks are cancelled."""
        with self._lock:
            if self._closed or self._loop is None or self._thread is None:
                self._closed = True
                return
            self._closed = True
        loop, thread = self._loop, self._thread
        try:
            if thread.is_alive():
                asyncio.run_coroutine_threadsafe(self._astop(), loop).result(15)
        finally:
            if thread.is_alive():
                loop.call_soon_threadsafe(loop.stop)
            thread.join(15)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:40123 (no trailing slash)."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    # -- records ---------------------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    async def _record(self, request: web.Request) -> RecordedRequest:
        raw = await request.read()
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=CIMultiDict(request.headers),
            raw=raw,
            body=parse_body(request.content_type, raw),
            at=time.monotonic(),
        )
        with self._changed:
            self._requests.append(record)
            self._changed.notify_all()
        return record

    def _wait(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        with self._changed:
            if not self._changed.wait_for(predicate, timeout):
                raise TimeoutError(f"{type(self).__name__}: {what} within {timeout} s")

    def wait_for_requests(self, n: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until at least n requests arrived; returns them all."""
        self._wait(lambda: len(self._requests) >= n, timeout, f"fewer than {n} requests")
        return self.requests

    # -- helpers for handlers (run on the server's loop) ------------------------------------------------

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once when the server closes."""
        if seconds <= 0 or self._closing is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    @staticmethod
    def _drop(request: web.Request, record: RecordedRequest, outcome: str) -> web.Response:
        """Close the connection without answering."""
        record.outcome = outcome
        record.status = None
        if request.transport is not None:
            request.transport.close()
        return web.Response(status=599)  # never written: the transport is closed

    @staticmethod
    def _answer(record: RecordedRequest, response: web.Response, outcome: str) -> web.Response:
        record.status = response.status
        record.outcome = outcome
        return response

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float | None = 60) -> T:
        """Run a coroutine on the server's loop from a plain (non-async) thread and wait for it."""
        loop = self._loop
        if loop is None or self._closed:
            coro.close()
            raise RuntimeError(f"{type(self).__name__} is closed")
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            coro.close()
            raise RuntimeError(
                "this call blocks until the app answers; from async code run it in a thread: "
                "await asyncio.to_thread(fake.emit_statuses, ...)"
            )
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)


class Receiver(LoopServer):
    """A tiny local HTTP server that records whatever is posted to it and answers `status`."""

    def __init__(self, status: int = 200, text: str = "", content_type: str = "text/plain") -> None:
        super().__init__()
        self.status = status
        self.text = text
        self.content_type = content_type
        self._start()

    def _routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{tail:.*}", self._handle)

    async def _handle(self, request: web.Request) -> web.Response:
        record = await self._record(request)
        response = web.Response(status=self.status, text=self.text, content_type=self.content_type)
        return self._answer(record, response, "received")


class FakeServer(LoopServer):
    """A fake provider: send endpoint with faults, latency and per-recipient rules; signed callbacks."""

    def __init__(
        self,
        *,
        faults: Faults | None,
        latency: float,
        callback_routes: Mapping[str, str] | None,
        auto_callbacks: AutoCallbacks | None,
        callback_timeout: float,
        clock: Callable[[], float] | None,
    ) -> None:
        super().__init__()
        self.clock: Callable[[], float] = clock or time.time  # Unix seconds for provider timestamps
        self.latency = latency
        self.auto_callbacks = auto_callbacks
        self.callback_timeout = callback_timeout
        self._faults = faults or Faults()
        self._draw = self._faults.drawer()
        self._routes_map: dict[str, str] = dict(callback_routes or {})
        self._accepted: list[Accepted] = []
        self._callbacks: list[CallbackResult] = []
        self._rules: dict[str, Rule] = {}
        self._windows: dict[str, float] = {}
        self._auto_count = 0

    # -- configuration ---------------------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self._faults

    @faults.setter
    def faults(self, faults: Faults | None) -> None:
        """Replace the fault plan; its draws start afresh."""
        with self._lock:
            self._faults = faults or Faults()
            self._draw = self._faults.drawer()

    def route_callbacks(self, public_prefix: str, local_prefix: str) -> None:
        """Post callbacks meant for URLs under `public_prefix` to `local_prefix` instead (signatures
        still cover the public URL, as the provider signs what it was given)."""
        with self._lock:
            self._routes_map[public_prefix] = local_prefix

    def fail_for(
        self,
        to: str,
        code: int | str,
        *,
        via: Literal["response", "callback"] | None = None,
        times: int | None = None,
    ) -> None:
        """Fail messages to `to` with the provider's error `code`: in the send response or in the status
        callbacks (default: where the real provider reports that code). `times=None` is permanent."""
        code = str(code)
        with self._lock:
            self._rules[e164(to)] = Rule(code, via or self._default_via(code), times)

    def clear_failures(self, to: str | None = None) -> None:
        with self._lock:
            if to is None:
                self._rules.clear()
            else:
                self._rules.pop(e164(to), None)

    def open_window(self, to: str, *, ago: float = 0.0) -> None:
        """The user `to` wrote to us `ago` seconds ago: the 24-hour WhatsApp window runs from then
        (ago > 86400 leaves it closed)."""
        with self._lock:
            self._windows[e164(to)] = time.monotonic() - ago

    def close_window(self, to: str) -> None:
        with self._lock:
            self._windows.pop(e164(to), None)

    def _window_open(self, to: str) -> bool:
        opened = self._windows.get(e164(to))
        return opened is not None and time.monotonic() - opened < 24 * 3600

    def _default_via(self, code: str) -> Literal["response", "callback"]:
        raise NotImplementedError

    def _peek_rule(self, to: str) -> Rule | None:
        with self._lock:
            rule = self._rules.get(e164(to))
            return None if rule is None else replace(rule)

    def _take_rule(self, to: str) -> Rule | None:
        with self._lock:
            rule = self._rules.get(e164(to))
            if rule is None:
                return None
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    del self._rules[e164(to)]
            return replace(rule)

    # -- records ---------------------------------------------------------------------------------------

    @property
    def accepted(self) -> list[Accepted]:
        """Every message accepted, in order (a copy)."""
        with self._lock:
            return list(self._accepted)

    @property
    def callbacks(self) -> list[CallbackResult]:
        """Every callback posted (explicit and automatic), in order (a copy)."""
        with self._lock:
            return list(self._callbacks)

    def message(self, message_id: str) -> Accepted:
        """The accepted message with this provider id (the first recipient's, for the gateway)."""
        found = self._messages(message_id)
        return found[0]

    def _messages(self, message_id: str) -> list[Accepted]:
        with self._lock:
            found = [a for a in self._accepted if a.id == message_id]
        if not found:
            raise KeyError(f"{type(self).__name__} accepted no message {message_id!r}")
        return found

    def sent_to(self, to: str) -> list[Accepted]:
        """Messages accepted for this recipient (any address format)."""
        number = e164(to)
        with self._lock:
            return [a for a in self._accepted if a.to == number]

    def duplicates(self, key: Callable[[Accepted], Hashable] | None = None) -> dict[Hashable, int]:
        """Keys accepted more than once; default key: (recipient, body, template)."""
        key = key or (lambda a: (a.to, a.body, a.template))
        with self._lock:
            counts = Counter(key(a) for a in self._accepted)
        return {k: n for k, n in counts.items() if n > 1}

    def max_in_window(self, window: float = 1.0, *, per_recipient: bool = False) -> int:
        """The most messages accepted within any `window` seconds (by arrival time); with
        `per_recipient`, the most to one recipient."""
        with self._lock:
            items = list(self._accepted)
        groups: dict[str, list[float]] = {}
        for a in items:
            groups.setdefault(a.to if per_recipient else "", []).append(a.at)
        best = 0
        for times in groups.values():
            times.sort()
            for i, start in enumerate(times):
                best = max(best, bisect.bisect_left(times, start + window, lo=i) - i)
        return best

    def wait_for_accepted(self, n: int, timeout: float = 5.0) -> list[Accepted]:
        """Block until at least n messages were accepted; returns them all."""
        self._wait(lambda: len(self._accepted) >= n, timeout, f"fewer than {n} messages accepted")
        return self.accepted

    def wait_for_callbacks(self, n: int, timeout: float = 5.0) -> list[CallbackResult]:
        """Block until at least n callbacks were posted (automatic mode); returns them all."""
        self._wait(lambda: len(self._callbacks) >= n, timeout, f"fewer than {n} callbacks posted")
        return self.callbacks

    def reset(self) -> None:
        """Forget requests, accepted messages, callbacks, rules and windows; restart the fault plan."""
        with self._lock:
            self._requests.clear()
            self._accepted.clear()
            self._callbacks.clear()
            self._rules.clear()
            self._windows.clear()
            self._draw = self._faults.drawer()

    # -- the send endpoint -----------------------------------------------------------------------------

    def _authorize(self, request: web.Request, record: RecordedRequest) -> web.Response | None:
        raise NotImplementedError

    def _fault_response(self, kind: Literal["500", "429"]) -> web.Response:
        raise NotImplementedError

    def _process(self, request: web.Request, record: RecordedRequest) -> tuple[web.Response, list[Accepted]]:
        raise NotImplementedError

    async def _send(self, request: web.Request) -> web.Response:
        record = await self._record(request)
        try:
            return await self._send_recorded(request, record)
        except asyncio.CancelledError:  # the client went away (timed out) before the answer
            record.status = None
            record.outcome = (record.outcome or "pending") + "; client disconnected"
            raise

    async def _send_recorded(self, request: web.Request, record: RecordedRequest) -> web.Response:
        denied = self._authorize(request, record)
        if denied is not None:
            record.outcome = record.outcome or "unauthorized"
            await self._pause(self.latency)
            return self._answer(record, denied, record.outcome)
        with self._lock:
            fault = self._draw()
            timeout = self._faults.timeout
        if fault == "500" or fault == "429":
            record.outcome = f"fault:{fault}"
            await self._pause(self.latency)
            return self._answer(record, self._fault_response(fault), record.outcome)
        if fault == "drop":
            return self._drop(request, record, "fault:drop")
        if fault == "timeout":
            record.outcome = "fault:timeout"
            await self._pause(timeout)
            return self._drop(request, record, "fault:timeout")
        response, accepted = self._process(request, record)
        if accepted:
            record.outcome = "accepted"
            self._accept(accepted)
        await self._pause(self.latency)
        if fault == "accept_then_drop":
            return self._drop(request, record, "fault:accept_then_drop" if accepted else "fault:drop")
        record.status = response.status
        return response

    def _accept(self, items: list[Accepted]) -> None:
        with self._changed:
            self._accepted.extend(items)
            self._changed.notify_all()
            auto = self.auto_callbacks
            index = self._auto_count
            self._auto_count += 1
        if auto is not None:
            task = asyncio.get_running_loop().create_task(self._auto(items, auto, index))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    # -- callbacks -------------------------------------------------------------------------------------

    def _default_outgoing(self, item: Accepted) -> list[Outgoing]:
        """The realistic callback sequence for an accepted message (automatic mode, emit_pending)."""
        raise NotImplementedError

    async def _auto(self, items: list[Accepted], auto: AutoCallbacks, index: int) -> None:
        await self._pause(auto.delay)
        outgoing: list[Outgoing] = []
        for item in items:
            try:
                outgoing.extend(self._default_outgoing(item))
            except Exception as exc:  # no URL to post to, not this machine: recorded, never raised here
                self._note_failure(item.id, "auto", f"{type(exc).__name__}: {exc}")
        arranged = arrange(outgoing, shuffle=auto.shuffle, repeat=auto.repeat, seed=auto.seed + index)
        for i, out in enumerate(arranged):
            if i:
                await self._pause(auto.interval)
            if self._closing is not None and self._closing.is_set():
                return
            await self._post(out)

    def _note_failure(self, message_id: str | None, event: str, error: str) -> None:
        result = CallbackResult(message_id, event, "", "", {}, b"", None, "", error, time.monotonic())
        with self._changed:
            self._callbacks.append(result)
            self._changed.notify_all()

    def resolve_url(self, url: str) -> str:
        """Where a callback for `url` is really posted: callback routes applied, loopback only."""
        with self._lock:
            routes = sorted(self._routes_map.items(), key=lambda kv: len(kv[0]), reverse=True)
        for public, local in routes:
            if url.startswith(public):
                url = local + url[len(public) :]
                break
        host = urllib.parse.urlsplit(url).hostname or ""
        if host not in LOOPBACK_HOSTS:
            raise ValueError(
                f"fakes post only to this machine, not {url!r}: "
                "add fake.route_callbacks(public_prefix, 'http://127.0.0.1:PORT') or pass url="
            )
        return url

    async def _post(self, out: Outgoing) -> CallbackResult:
        assert self._session is not None
        status: int | None = None
        text, error = "", None
        try:
            async with self._session.post(
                out.url,
                data=out.body,
                headers=out.headers,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=self.callback_timeout),
            ) as response:
                status = response.status
                text = await response.text(errors="replace")
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        result = CallbackResult(
            out.message_id,
            out.event,
            out.url,
            out.signed_url,
            dict(out.headers),
            out.body,
            status,
            text,
            error,
            time.monotonic(),
        )
        with self._changed:
            self._callbacks.append(result)
            for item in self._accepted:
                if item.id == out.message_id:
                    item.emitted += 1
            self._changed.notify_all()
        return result

    async def _post_all(self, outgoing: Sequence[Outgoing]) -> list[CallbackResult]:
        return [await self._post(out) for out in outgoing]

    def _emit(
        self, outgoing: Sequence[Outgoing], *, shuffle: bool, repeat: int, seed: int
    ) -> list[CallbackResult]:
        arranged = arrange(outgoing, shuffle=shuffle, repeat=repeat, seed=seed)
        return self._run(self._post_all(arranged), timeout=self.callback_timeout * (len(arranged) + 1))

    def emit_pending(self, *, shuffle: bool = False, repeat: int = 0, seed: int = 0) -> list[CallbackResult]:
        """Post the realistic callback sequence of every accepted message that has had none yet."""
        with self._lock:
            pending = [a for a in self._accepted if a.emitted == 0]
        outgoing = [out for item in pending for out in self._default_outgoing(item)]
        return self._emit(outgoing, shuffle=shuffle, repeat=repeat, seed=seed)
