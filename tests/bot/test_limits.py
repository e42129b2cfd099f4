"""bot/limits.py: a body limit per route, enforced while the body streams in; the REST API's token checked
before its body is read; NUL refused by the REST API and Open311 (400 with the reason), never a 500.

The memory test runs the server in a process of its own, so that its RSS is the server's alone.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from annotated_types import MaxLen
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session, select
from starlette.types import Message, Receive, Scope, Send

from bot import limits
from bot.app import create_app
from bot.auth import create_token, revoke_token
from bot.db import make_engine, transaction
from bot.routes.api import contacts
from bot.routes.api.schemas import INT4_MAX
from bot.routes.api.schemas.broadcasts import AudienceSpec
from models import Contact, Role
from tests.apiclient import Api
from tests.conftest import PUBLIC_BASE_URL, T0, TWILIO_TOKEN, make_settings

KB, MB = limits.KB, limits.MB
GIB = 1024 * MB
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
DECISION = {"title": "Perdes 1/2026", "effective_date": "2026-12-01"}


# --- the table --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        ("/webhooks/twilio", 64 * KB),
        ("/webhooks/twilio/status", 64 * KB),
        ("/webhooks/whatsapp", 4 * MB),
        ("/webhooks/smsgate", 3 * MB),  # an MMS's photos, base64
        ("/webhooks/console", 128 * KB),
        ("/api/v1/contacts/import", contacts.MAX_BODY),
        ("/api/v1/contacts/importer", 64 * KB),  # a prefix is a whole path segment
        ("/api/v1/contacts", 64 * KB),
        ("/api/v1/broadcasts/preview", 4 * MB),
        ("/api/v1/budget", 64 * KB),
        ("/open311/v2/requests.json", 64 * KB),
        ("/healthz", 1 * MB),
        ("/docs", 1 * MB),
    ],
)
def test_each_route_has_its_limit(path: str, limit: int) -> None:
    assert limits.rule_for(path).limit == limit


def test_every_rule_says_why() -> None:
    assert all(rule.why and rule.limit > 0 for rule in (*limits.RULES, limits.DEFAULT))
    assert len({rule.prefix for rule in limits.RULES}) == len(limits.RULES)


def test_the_largest_audience_the_schema_admits_fits_the_broadcast_limit() -> None:
    def most(name: str) -> int:
        (bound,) = [m.max_length for m in AudienceSpec.model_fields[name].metadata if isinstance(m, MaxLen)]
        return bound

    body = {
        "kind": "umum",
        "title": "x" * 200,
        "sms_text": "x" * 1530,
        "whatsapp_text": "\U0001f600" * 4096,  # escaped: 12 bytes a character
        "audience": {"contacts": [INT4_MAX] * most("contacts"), "exclude": [INT4_MAX] * most("exclude")},
    }
    assert len(json.dumps(body).encode()) <= limits.rule_for("/api/v1/broadcasts").limit


def test_every_rest_operation_needs_a_token(api: Api) -> None:
    """The middleware asks every /api/v1 request that carries a body for a token: right only while every
    operation there needs one (a sign-in route would need an exception in bot/limits.py)."""
    operations = [
        (path, operation)
        for path, item in api.app.openapi()["paths"].items()
        if path.startswith("/api/v1/")
        for operation in item.values()
    ]
    assert len(operations) > 40
    assert all(operation.get("security") == [{"bearer": []}] for _, operation in operations)


# --- NUL scanners -------------------------------------------------------------------------------------


def scan(scanner: limits.NulScanner, *chunks: bytes) -> bool:
    return any([scanner.found(chunk) for chunk in chunks])


@pytest.mark.parametrize(
    ("body", "nul"),
    [
        (rb'{"a": "x\u0000"}', True),
        (rb'{"a\u0000": 1}', True),
        (b'{"a": "x\x00"}', True),  # a raw NUL: never valid JSON
        (rb'{"a": "x\\u0000"}', False),  # a backslash, then the text u0000
        (rb'{"a": "x\\\u0000"}', True),  # a backslash, then NUL
        (rb'{"a": "x\\\\u0000"}', False),
        (rb'{"a": "\u00e9\u0001\u1000\u0100"}', False),
        (rb'{"a": "\n\"\u0000"}', True),
        (rb'{"a": "\u000"}', False),  # invalid JSON, no NUL
    ],
)
def test_json_nul_is_found_wherever_the_chunks_split(body: bytes, nul: bool) -> None:
    assert scan(limits.JsonNul(), body) is nul
    for cut in range(len(body) + 1):
        assert scan(limits.JsonNul(), body[:cut], body[cut:]) is nul, cut
        for second in range(cut, len(body) + 1):
            assert scan(limits.JsonNul(), body[:cut], body[cut:second], body[second:]) is nul


def has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


TEXT = st.text(alphabet=st.sampled_from(["\\", "u", "0", "\x00", "\x01", '"', "a", "é", "\u0100"]))
JSONISH = st.recursive(
    st.none() | st.integers() | TEXT,
    lambda inner: st.lists(inner) | st.dictionaries(TEXT, inner),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(value=JSONISH, ascii_only=st.booleans(), cuts=st.lists(st.integers(min_value=0), max_size=4))
def test_json_nul_scanner_agrees_with_the_parser(value: Any, ascii_only: bool, cuts: list[int]) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    points = sorted({cut % (len(body) + 1) for cut in cuts})
    chunks = [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]
    assert scan(limits.JsonNul(), *chunks) is has_nul(value)


def test_form_nul_is_found_across_chunks() -> None:
    body = b"a=1&b=x%00y"
    for cut in range(len(body) + 1):
        assert scan(limits.FormNul(), body[:cut], body[cut:])
    assert scan(limits.FormNul(), b"a=\x00")
    assert scan(limits.FormNul(), b"a=1&b=%0", b"0x")
    assert not scan(limits.FormNul(), b"a=%25", b"00")  # "%25" is "%": the text "%00"


def test_csv_and_multipart_bodies_are_left_to_their_route() -> None:
    # A UTF-16 CSV is full of 0x00 bytes: the import decodes it, then refuses a real NUL itself.
    for media in ("text/csv", "multipart/form-data; boundary=x", "application/octet-stream", "text/plain"):
        assert limits.scanner_for(media) is None
    assert isinstance(limits.scanner_for(None), limits.JsonNul)  # FastAPI reads such a body as JSON
    for json_type in ("application/json", "application/json; charset=utf-8", "application/merge-patch+json"):
        assert isinstance(limits.scanner_for(json_type), limits.JsonNul)
    assert isinstance(limits.scanner_for("application/x-www-form-urlencoded"), limits.FormNul)


# --- the middleware, at the ASGI level ----------------------------------------------------------------


class Call:
    """One request straight into an ASGI app: a body that never ends unless `body` is given, and a count
    of what the app read of it."""

    def __init__(self, path: str, headers: dict[str, str], body: bytes | None = None, chunk: int = KB):
        self.path, self.headers, self.body, self.chunk = path, headers, body, chunk
        self.bytes_read = 0
        self.reads = 0
        self.messages: list[Message] = []

    async def receive(self) -> Message:
        self.reads += 1
        if self.body is not None:
            body, self.body = self.body, b""
            self.bytes_read += len(body)
            return {"type": "http.request", "body": body, "more_body": False}
        self.bytes_read += self.chunk
        return {"type": "http.request", "body": b"x" * self.chunk, "more_body": True}

    async def send(self, message: Message) -> None:
        self.messages.append(message)

    def run(self, app: Any, method: str = "POST", query: bytes = b"") -> "Call":
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": self.path,
            "raw_path": self.path.encode(),
            "root_path": "",
            "query_string": query,
            "headers": [(k.lower().encode(), v.encode()) for k, v in self.headers.items()],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        asyncio.run(app(scope, self.receive, self.send))
        return self

    @property
    def status(self) -> int:
        starts = [m for m in self.messages if m["type"] == "http.response.start"]
        assert len(starts) == 1, self.messages
        status: int = starts[0]["status"]
        return status

    @property
    def headers_out(self) -> dict[str, str]:
        (start,) = [m for m in self.messages if m["type"] == "http.response.start"]
        return {k.decode(): v.decode() for k, v in start["headers"]}

    @property
    def json(self) -> Any:
        return json.loads(
            b"".join(m.get("body", b"") for m in self.messages if m["type"] == "http.response.body")
        )


CHUNKED = {"Transfer-Encoding": "chunked"}


@pytest.mark.parametrize("who", ["none", "bad", "revoked", "basic"])
def test_no_valid_token_is_401_before_one_byte_of_body_is_read(api: Api, who: str) -> None:
    headers = {**JSON, **CHUNKED}
    if who == "bad":
        headers["Authorization"] = f"Bearer {api.tokens['bad']}"
    elif who == "revoked":
        with transaction(api.engine) as session:
            assert revoke_token(session=session, token=api.tokens["kades"], now=T0)
        headers["Authorization"] = f"Bearer {api.tokens['kades']}"
    elif who == "basic":
        headers["Authorization"] = "Basic a2FkZXI6MTIzNA=="
    call = Call("/api/v1/budget", headers).run(api.app)  # an endless body of "xxx...": not JSON either
    assert call.status == 401
    assert call.reads == 0
    assert call.headers_out["www-authenticate"] == "Bearer"
    assert call.headers_out["connection"] == "close"  # the body is never read: the connection cannot go on
    expected = "invalid or revoked token" if who in ("bad", "revoked") else "missing bearer token"
    assert expected in call.json["detail"]


def test_a_bad_body_without_a_token_is_401_not_422(api: Api) -> None:
    for headers in ({}, {"Authorization": f"Bearer {api.tokens['bad']}"}):
        response = api.client.post("/api/v1/budget", content=b"{not json", headers={**JSON, **headers})
        assert response.status_code == 401, response.text
    # With a valid token the body is read, and a bad one is what it always was.
    response = api.client.post(
        "/api/v1/budget",
        content=b"{not json",
        headers={**JSON, "Authorization": f"Bearer {api.tokens['kader']}"},
    )
    assert response.status_code == 422


def test_a_chunked_body_is_cut_off_at_the_limit(api: Api) -> None:
    auth = {"Authorization": f"Bearer {api.tokens['kader']}"}
    for path, headers, limit in (
        ("/api/v1/budget", {**JSON, **auth}, 64 * KB),
        ("/api/v1/contacts/import", {"Content-Type": "text/csv", **auth}, contacts.MAX_BODY),
        ("/webhooks/twilio", FORM, 64 * KB),
        ("/webhooks/whatsapp", JSON, 4 * MB),
        ("/webhooks/smsgate", JSON, 3 * MB),
    ):
        call = Call(path, {**headers, **CHUNKED}, chunk=16 * KB).run(api.app)
        assert call.status == 413, (path, call.json)
        assert limit < call.bytes_read <= limit + 16 * KB  # not one chunk more than needed
        assert call.headers_out["connection"] == "close"


def test_a_declared_length_over_the_limit_is_413_before_reading(api: Api) -> None:
    auth = {"Authorization": f"Bearer {api.tokens['kader']}"}
    for path, headers in (
        ("/api/v1/budget", {**JSON, **auth}),
        ("/api/v1/budget", JSON),  # the size first: refusing it costs no database query
        ("/api/v1/contacts/import", {"Content-Type": "text/csv", **auth}),
        ("/webhooks/twilio", FORM),
        ("/webhooks/smsgate", JSON),
        ("/open311/v2/requests.json", {}),
        ("/healthz", {}),
    ):
        call = Call(path, {**headers, "Content-Length": str(GIB)}).run(api.app)
        assert call.status == 413, path
        assert call.reads == 0
    call = Call("/webhooks/twilio", {**FORM, "Content-Length": str(GIB)}).run(api.app)
    assert call.json == {"detail": "the body is over 64 KB, the limit for /webhooks/twilio and below"}
    call = Call("/open311/v2/requests.json", {"Content-Length": str(GIB)}).run(api.app, "GET")
    assert call.json == [
        {"code": 413, "description": "the body is over 64 KB, the limit for /open311 and below"}
    ]


def test_the_limit_itself_passes(api: Api) -> None:
    # Exactly the limit reaches the route (which refuses the unsigned body), one byte more does not.
    for path, limit in (
        ("/webhooks/smsgate", 3 * MB),
        ("/webhooks/whatsapp", 4 * MB),
        ("/webhooks/twilio", 64 * KB),
    ):
        headers = FORM if path == "/webhooks/twilio" else JSON
        assert api.client.post(path, content=b"x" * limit, headers=headers).status_code == 403, path
        response = api.client.post(path, content=b"x" * (limit + 1), headers=headers)
        assert response.status_code == 413, path
        assert response.json()["detail"].startswith("the body is over")


def test_the_import_keeps_its_own_words(api: Api) -> None:
    headers = {"Content-Type": "text/csv", "Authorization": f"Bearer {api.tokens['kader']}"}
    response = api.client.post(
        "/api/v1/contacts/import", content=b"x" * (contacts.MAX_BODY + 1), headers=headers
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "the upload is over 2 MB: split the file"}


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    """An app that reads the whole body and answers its length."""
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(size).encode()})


def test_webhook_bodies_with_nul_pass_to_their_parsers() -> None:
    # Their parsers strip NUL: a resident's message is never refused for it.
    guard = limits.RequestGuard(echo)
    for path in ("/webhooks/console", "/webhooks/whatsapp", "/webhooks/smsgate"):
        body = b'{"text": "halo\\u0000\x00"}'
        assert Call(path, JSON, body).run(guard).status == 200
    assert Call("/webhooks/twilio", FORM, b"Body=a%00b").run(guard, query=b"o=%00").status == 200


def test_an_app_that_swallows_the_refusal_still_answers_it() -> None:
    async def swallowing(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            while True:
                await receive()
        except limits.BodyRefused:
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    call = Call("/webhooks/twilio", {**FORM, **CHUNKED}).run(limits.RequestGuard(swallowing))
    assert call.status == 413
    assert call.bytes_read <= 65 * KB


# --- NUL at the REST API and Open311, on SQLite and PostgreSQL --------------------------------------


def post(api: Api, path: str, content: bytes | str, who: str = "kader", **headers: str) -> httpx.Response:
    response: httpx.Response = api.client.post(
        "/api/v1" + path, content=content, headers={"Authorization": f"Bearer {api.tokens[who]}", **headers}
    )
    return response


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        pytest.param(json.dumps({**DECISION, "title": "Perdes\x00"}), JSON, id="json-value"),
        pytest.param(json.dumps({**DECISION, "ti\x00tle": "x"}), JSON, id="json-key"),
        pytest.param(b'{"title": "Perdes\x00", "effective_date": "2026-12-01"}', JSON, id="raw-byte"),
        pytest.param(json.dumps({**DECISION, "title": "a\x00"}), {}, id="json-without-content-type"),
        pytest.param(
            json.dumps({**DECISION, "title": "a\x00"}), {"Content-Type": "application/merge-patch+json"}
        ),
    ],
)
def test_nul_in_a_json_body_is_400(api: Api, body: bytes | str, headers: dict[str, str]) -> None:
    before = api.ok("GET", "/decisions")
    response = post(api, "/decisions", body, **headers)
    assert response.status_code == 400, response.text
    assert response.json() == {"detail": limits.NUL_IN_JSON}
    assert api.ok("GET", "/decisions") == before


def test_nul_in_a_form_body_is_400(api: Api) -> None:
    response = post(api, "/decisions", "title=Perdes%00&effective_date=2026-12-01", **FORM)
    assert response.status_code == 400
    assert response.json() == {"detail": limits.NUL_IN_FORM}


def test_nul_in_the_query_string_is_400(api: Api) -> None:
    for path, params in (
        ("/contacts", {"q": "ab\x00c"}),
        ("/tickets", {"dusun": "Kra\x00jan"}),
        ("/audit", {"action": "\x00"}),
        ("/meetings", {"village": "DE\x00MO"}),
    ):
        response = api.call("GET", path, "kader", params=params)
        assert response.status_code == 400, (path, response.text)
        assert response.json() == {"detail": limits.NUL_IN_QUERY}


def test_nul_in_a_path_segment_is_400(api: Api) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['operator']}"}
    for path in ("/villages/DE%00MO", "/tickets/12%003456", "/contacts/1%00", "/broadcasts/%00"):
        response = api.client.get("/api/v1" + path, headers=headers)
        assert response.status_code == 400, (path, response.text)
        assert response.json() == {"detail": limits.NUL_IN_PATH}


def test_a_backslash_before_u0000_is_text_not_nul(api: Api) -> None:
    title = "C:\\u0000 arsip"  # a backslash and the letters u0000, as a cadre might paste a path
    response = post(api, "/decisions", json.dumps({**DECISION, "title": title}), **JSON)
    assert response.status_code == 201, response.text
    assert response.json()["title"] == title


def test_open311_answers_nul_as_a_georeport_error(api: Api) -> None:
    response = api.client.get(
        "/open311/v2/requests.json", params={"jurisdiction_id": "DEMO", "status": "open\x00"}
    )
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": limits.NUL_IN_QUERY}]
    # A NUL in a request code is a code that cannot exist: the route's own 404, as before.
    response = api.client.get("/open311/v2/requests/1%002.json", params={"jurisdiction_id": "DEMO"})
    assert response.status_code == 404


def test_csv_imports_with_nul_are_refused_or_cleaned_never_500(api: Api) -> None:
    csv_headers = {"Content-Type": "text/csv"}
    evidence = "daftar hadir Musdes 2026"
    before = count_contacts(api.engine)
    # A NUL in a UTF-8 CSV: not a text file, said so (422, the route's own check).
    response = api.client.post(
        "/api/v1/contacts/import",
        content=b"nama,hp\nBu Rini,0812 9000 0101\x00\n",
        params={"consent_evidence": evidence},
        headers={**csv_headers, "Authorization": f"Bearer {api.tokens['kader']}"},
    )
    assert response.status_code == 422, response.text
    assert "NUL" in response.json()["detail"]
    # A UTF-16 CSV (Excel's "Unicode text") is full of 0x00 bytes, and imports.
    response = api.client.post(
        "/api/v1/contacts/import",
        content="nama,hp\r\nBu Rini,0812 9000 0102\r\n".encode("utf-16"),
        params={"consent_evidence": evidence},
        headers={**csv_headers, "Authorization": f"Bearer {api.tokens['kader']}"},
    )
    assert response.status_code == 200, response.text
    # A NUL in a multipart field is cleaned away.
    response = api.client.post(
        "/api/v1/contacts/import",
        data={"consent_evidence": "daftar\x00 hadir Musdes"},
        files={"file": ("warga.csv", b"nama,hp\nPak Joko,0812 9000 0103\n", "text/csv")},
        headers={"Authorization": f"Bearer {api.tokens['kader']}"},
    )
    assert response.status_code == 200, response.text
    assert count_contacts(api.engine) == before + 2


def count_contacts(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Contact.id)).all())


# --- a real server: the socket closes, and a 1 GiB header alone is answered at once ---------------------


def raw_exchange(base: str, request: bytes, timeout: float = 5.0) -> tuple[bytes, float]:
    """Send `request` (headers only), read until the server closes; the answer and how long it took."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        start = time.monotonic()
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):  # b"": the server closed the connection
            answer += chunk
        return answer, time.monotonic() - start


def head(method: str, path: str, **headers: str) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_1_gib_content_length_alone_is_413_at_once(live_server: str, engine: Engine) -> None:
    with transaction(engine) as session:
        token = create_token(session=session, village_code="DEMO", role=Role.KADER, name="Kader Uji")
    for path, headers in (
        ("/webhooks/twilio", {"Content-Type": "application/x-www-form-urlencoded"}),
        ("/webhooks/whatsapp", JSON),
        ("/webhooks/smsgate", JSON),
        ("/api/v1/budget", {**JSON, "Authorization": f"Bearer {token}"}),
        ("/api/v1/budget", JSON),
        ("/api/v1/contacts/import", {"Content-Type": "text/csv", "Authorization": f"Bearer {token}"}),
    ):
        answer, seconds = raw_exchange(live_server, head("POST", path, **headers, Content_Length=str(GIB)))
        assert answer.startswith(b"HTTP/1.1 413 "), (path, answer)
        assert b"connection: close" in answer.lower()
        assert seconds < 2, (path, seconds)


def test_no_token_is_401_before_the_body_is_sent(live_server: str) -> None:
    # Headers alone: the answer comes without waiting for the body it announces.
    answer, _ = raw_exchange(live_server, head("POST", "/api/v1/budget", Content_Length="100", **JSON))
    assert answer.startswith(b"HTTP/1.1 401 "), answer
    assert b"www-authenticate: Bearer" in answer


SERVER = """
import socket
import uvicorn
from bot.app import create_app

sock = socket.socket()
sock.bind(("127.0.0.1", 0))
sock.listen(128)
print(sock.getsockname()[1], flush=True)
uvicorn.Server(uvicorn.Config(create_app(), log_level="warning")).run(sockets=[sock])
"""


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (the peak RSS) of a process, in bytes."""
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if line.startswith(("VmRSS", "VmHWM")))
    return {name: int(value.split()[0]) * 1024 for name, value in fields.items()}


@pytest.fixture
def server_process(tmp_path: Path, sqlite_demo_template: Path) -> Iterator[tuple[str, int, str]]:
    """The app served by uvicorn (uvloop and httptools, as in production) in a process of its own, over a
    copy of the demo database; yields its base URL, its pid and a kader's token."""
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to read the server's memory")
    database = tmp_path / "kentongan.db"
    database.write_bytes(sqlite_demo_template.read_bytes())
    url = f"sqlite:///{database}"
    engine = make_engine(url)
    with transaction(engine) as session:
        token = create_token(session=session, village_code="DEMO", role=Role.KADER, name="Kader Uji")
    engine.dispose()
    env = {
        **os.environ,
        "KENTONGAN_ENVIRONMENT": "test",
        "KENTONGAN_DATABASE_URL": url,
        "KENTONGAN_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "KENTONGAN_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "KENTONGAN_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "KENTONGAN_SCHEDULER_CHORES": "false",
    }
    root = Path(__file__).resolve().parents[2]
    with (
        (tmp_path / "server.log").open("w") as log,
        subprocess.Popen(
            [sys.executable, "-c", SERVER], cwd=root, env=env, stdout=subprocess.PIPE, stderr=log, text=True
        ) as server,
    ):
        assert server.stdout is not None
        try:
            port = int(server.stdout.readline())
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.05)
            yield base, server.pid, token
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()


def streamed(size: int, sent: list[int]) -> Iterator[bytes]:
    """`size` bytes of body, made 64 KB at a time (the test never holds them); counts what was taken."""
    block = b"x" * (64 * KB)
    for _ in range(size // len(block)):
        sent.append(len(block))
        yield block


def test_concurrent_100_mb_bodies_cost_the_server_no_memory(server_process: tuple[str, int, str]) -> None:
    base, pid, token = server_process
    auth = {"Authorization": f"Bearer {token}"}
    cases = [  # path, headers, declare the length, expected answer
        ("/webhooks/twilio", FORM, True, 413),
        ("/webhooks/twilio", FORM, False, 413),
        ("/api/v1/budget", {**JSON, **auth}, True, 413),
        ("/api/v1/budget", {**JSON, **auth}, False, 413),
        ("/api/v1/budget", JSON, True, 413),  # the size first: no database query
        ("/api/v1/budget", JSON, False, 401),
        ("/api/v1/budget", {**JSON, "Authorization": "Bearer ktg_nobody"}, False, 401),
    ]

    def run(size: int) -> tuple[list[tuple[str, bool, int]], int]:
        """Each case 4 times at once; what was answered and how many bytes the clients got to send."""
        answers: list[tuple[str, bool, int]] = []
        sent: list[int] = []

        def one(path: str, headers: dict[str, str], declared: bool, expected: int) -> None:
            headers = {**headers, "Content-Length": str(size)} if declared else headers
            with httpx.Client(base_url=base, timeout=60) as client:
                response = client.post(path, content=streamed(size, sent), headers=headers)
            answers.append((path, declared, response.status_code))

        for case in cases:
            threads = [threading.Thread(target=one, args=case) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        return answers, sum(sent)

    run(2 * MB)  # warm up: every path taken once, the worker threads started
    time.sleep(0.2)
    idle = memory(pid)["VmRSS"]
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS from here on
    start = time.monotonic()
    answers, sent = run(100 * MB)
    seconds = time.monotonic() - start
    peak = memory(pid)["VmHWM"]
    expected = [(path, declared, status) for path, _, declared, status in cases for _ in range(4)]
    assert sorted(answers) == sorted(expected)
    print(
        f"\n{len(answers)} x 100 MB: server RSS idle {idle / MB:.1f} MB, peak {peak / MB:.1f} MB "
        f"(+{(peak - idle) / MB:.1f} MB); clients sent {sent / MB:.1f} MB of {len(answers) * 100} MB "
        f"in {seconds:.2f} s"
    )
    assert peak - idle < 20 * MB
    assert sent < len(answers) * 100 * MB / 10  # the server stopped reading long before the end


def test_without_a_database_the_token_check_leaves_the_answer_to_the_app(tmp_path: Path) -> None:
    # The middleware's early lookup fails like the route's would: the app's own outage answer (503).
    url = f"sqlite:///{tmp_path}/missing/kentongan.db"
    app = create_app(make_settings(url), engine=make_engine(url))
    with TestClient(app) as client:
        response = client.post(
            "/api/v1/budget", json={"year": 2026}, headers={"Authorization": "Bearer ktg_anything"}
        )
        assert response.status_code == 503, response.text
        assert "Retry-After" in response.headers
        # Without a token there is nothing to look up: 401 as ever.
        assert client.post("/api/v1/budget", json={"year": 2026}).status_code == 401
