"""The authorization matrix: every role against every REST endpoint and every staff text command, in two
villages (DEMO and LAIN), over SQLite and PostgreSQL.

The expected answers are written out here, from the policy (handlers/rights.py's table and docs/domain.md),
not computed from it, so that a change to the rights table shows up as a failing row. The endpoint list
must equal the operations in the OpenAPI schema: a new endpoint without a row fails the suite.

REST callers: 'none' (no token), 'bad' (a token nobody was given), 'kader', 'kades', 'bpd' of DEMO, the
operator acting on DEMO, 'other' (LAIN's kader) and 'operator@LAIN' (the operator acting on LAIN). The role
is checked first (403 whatever the resource); a DEMO resource is then 404 from LAIN, so that its
existence does not leak; a collection from LAIN is LAIN's own.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from bot.db import transaction
from handlers import tickets
from models import (
    Category,
    Channel,
    ContactIdentity,
    IdentityKind,
    Message,
    Role,
    Staff,
    Ticket,
    TicketStatus,
    Village,
)
from models import texts as t
from tests.apiclient import Api, fresh_resources, serial
from tests.conftest import T0
from tests.factories import quick_pin_hash

CALLERS = ["none", "bad", "kader", "kades", "bpd", "operator", "other", "operator@LAIN"]
# --- the REST matrix -----------------------------------------------------------------------------------

ALL = ("kader", "kades", "bpd", "operator")


@dataclass(frozen=True)
class Row:
    """One endpoint: who may call it, what a permitted call answers, and where LAIN's answer differs."""

    method: str
    path: str  # {ticket}, {about_head}, {scheduled}, ...: fresh DEMO resources
    allowed: tuple[str, ...]
    status: int
    body: Callable[[dict[str, Any]], Any] | None = None
    # The answer to 'other' / 'operator@LAIN' when allowed; default: 404 for a DEMO resource, `status`
    # for a collection (LAIN's own).
    elsewhere: dict[str, int] = field(default_factory=dict)
    # Roles the resource does not exist for (404): complaints about the head for the kader and the head.
    blind: tuple[str, ...] = ()
    files: Callable[[], Any] | None = None

    @property
    def one(self) -> bool:
        """True when the path names one DEMO resource."""
        return "{" in self.path or "/DEMO" in self.path


SOON = "2026-12-07T19:30:00+07:00"
CSV = "nama,hp,dusun\nBu Sari,0812 3456 {n},Krajan\n"

ROWS: dict[str, Row] = {
    # villages: the operator creates them and assigns numbers; the head sets the village's own settings
    "create village": Row(
        "POST",
        "/villages",
        ("operator",),
        201,
        lambda r: {"code": f"V{serial()}", "name": "Desa Uji", "timezone": "Asia/Jayapura"},
        elsewhere={"operator@LAIN": 201},
    ),
    "list villages": Row("GET", "/villages", ALL, 200),
    "get village": Row("GET", "/villages/DEMO", ALL, 200, elsewhere={"operator@LAIN": 200}),
    "village settings": Row(
        "PATCH",
        "/villages/DEMO",
        ("kades", "operator"),
        200,
        lambda r: {"digest_time": "06:30"},
        elsewhere={"operator@LAIN": 200},
    ),
    "add address": Row(
        "POST",
        "/villages/DEMO/addresses",
        ("operator",),
        201,
        lambda r: {"channel": "smsgate", "address": f"device-new-{serial()}"},
        elsewhere={"operator@LAIN": 201},
    ),
    "remove address": Row(
        "DELETE",
        "/villages/DEMO/addresses/{address}",
        ("operator",),
        204,
        elsewhere={"operator@LAIN": 204},
    ),
    "add area": Row(
        "POST",
        "/villages/DEMO/areas",
        ("kades", "operator"),
        201,
        lambda r: {"kind": "dusun", "name": f"Dusun {serial()}"},
        elsewhere={"operator@LAIN": 201},
    ),
    # staff: everyone sees their village's staff; the operator manages them
    "list staff": Row("GET", "/staff", ALL, 200),
    "create staff": Row(
        "POST",
        "/staff",
        ("operator",),
        201,
        lambda r: {"name": f"Kader {serial()}", "role": "kader", "phone": f"0813 4000 {serial():04d}"},
    ),
    "get staff": Row("GET", "/staff/{staff}", ALL, 200),
    "change staff": Row("PATCH", "/staff/{staff}", ("operator",), 200, lambda r: {"name": "Kader Baru"}),
    # contacts: the kader keeps the list, the head reads it, the BPD does not need it
    "create contact": Row(
        "POST",
        "/contacts",
        ("kader", "operator"),
        201,
        lambda r: {"name": "Pak Udin", "phone": f"0812 5000 {serial():04d}"},
    ),
    "list contacts": Row("GET", "/contacts", ("kader", "kades", "operator"), 200),
    "get contact": Row("GET", "/contacts/{contact}", ("kader", "kades", "operator"), 200),
    "change contact": Row(
        "PATCH", "/contacts/{contact}", ("kader", "operator"), 200, lambda r: {"dusun": "Krajan"}
    ),
    "export contacts": Row("GET", "/contacts/export", ("kader", "operator"), 200),
    "import contacts": Row(
        "POST",
        "/contacts/import",
        ("kader", "operator"),
        200,
        lambda r: {"consent_source": "daftar hadir Musdes"},
        files=lambda: {"file": ("warga.csv", CSV.format(n=f"{serial():04d}").encode(), "text/csv")},
    ),
    # tickets: everyone reads (complaints about the head only the BPD and the operator); the BPD acts
    # only on complaints about the head
    "list tickets": Row("GET", "/tickets", ALL, 200),
    "get ticket": Row("GET", "/tickets/{ticket}", ALL, 200),
    "get complaint about the head": Row("GET", "/tickets/{about_head}", ALL, 200, blind=("kader", "kades")),
    "verify ticket": Row(
        "POST",
        "/tickets/{ticket}/status",
        ("kader", "kades", "operator"),
        200,
        lambda r: {"status": "diverifikasi", "public_note": "Sudah dicek petugas."},
    ),
    "verify complaint about the head": Row(
        "POST",
        "/tickets/{about_head}/status",
        ("bpd", "operator"),
        200,
        lambda r: {"status": "diverifikasi"},
        blind=("kader", "kades"),
    ),
    "note on ticket": Row(
        "POST",
        "/tickets/{ticket}/notes",
        ("kader", "kades", "operator"),
        201,
        lambda r: {"text": "Tukang dijadwalkan Senin.", "public": True},
    ),
    "assign ticket": Row(
        "POST",
        "/tickets/{ticket}/assign",
        ("kader", "kades", "operator"),
        200,
        lambda r: {"staff_id": r["kader_id"]},
    ),
    "recategorise ticket": Row(
        "POST",
        "/tickets/{ticket}/category",
        ("kader", "kades", "operator"),
        200,
        lambda r: {"category": "lingkungan"},
    ),
    "flag ticket": Row(
        "POST",
        "/tickets/{ticket}/flags",
        ("kader", "kades", "operator"),
        200,
        lambda r: {"anonymous": True},
    ),
    "flag complaint about the head": Row(
        "POST",
        "/tickets/{about_head}/flags",
        ("bpd", "operator"),
        200,
        lambda r: {"confidential": True},
        blind=("kader", "kades"),
    ),
    "merge ticket": Row(
        "POST",
        "/tickets/{ticket}/merge",
        ("kader", "kades", "operator"),
        200,
        lambda r: {"into": r["other_ticket"]},
    ),
    # the message log: the kader and the operator
    "list messages": Row("GET", "/messages", ("kader", "operator"), 200),
    # broadcasts, meetings, decisions, budget: the kader writes, the head, BPD or a second cadre approve
    "list broadcasts": Row("GET", "/broadcasts", ALL, 200),
    "create broadcast": Row(
        "POST",
        "/broadcasts",
        ("kader", "operator"),
        201,
        lambda r: {"kind": "umum", "title": "Kerja bakti", "sms_text": "Kerja bakti Minggu pagi."},
    ),
    "preview broadcast": Row(
        "POST",
        "/broadcasts/preview",
        ("kader", "operator"),
        200,
        lambda r: {"kind": "umum", "title": "Kerja bakti", "sms_text": "Kerja bakti Minggu pagi."},
    ),
    "get broadcast": Row("GET", "/broadcasts/{scheduled}", ALL, 200),
    "cancel broadcast": Row("POST", "/broadcasts/{scheduled}/cancel", ("kader", "operator"), 200),
    "approve broadcast": Row("POST", "/broadcasts/{pending}/approve", ALL, 200),
    "list meetings": Row("GET", "/meetings", ALL, 200),
    "create meeting": Row(
        "POST",
        "/meetings",
        ("kader", "operator"),
        201,
        lambda r: {"kind": "musdes", "title": "Musdes", "starts_at": SOON, "place": "Balai"},
    ),
    "get meeting": Row("GET", "/meetings/{meeting}", ALL, 200),
    "move meeting": Row(
        "PATCH", "/meetings/{meeting}", ("kader", "operator"), 200, lambda r: {"place": "Aula Kantor Desa"}
    ),
    "cancel meeting": Row("POST", "/meetings/{meeting}/cancel", ("kader", "operator"), 200),
    "list decisions": Row("GET", "/decisions", ALL, 200),
    "create decision": Row(
        "POST",
        "/decisions",
        ("kader", "operator"),
        201,
        lambda r: {"title": "Jam malam ronda", "effective_date": "2026-12-01"},
    ),
    "get decision": Row("GET", "/decisions/{decision}", ALL, 200),
    "get budget": Row("GET", "/budget", ALL, 200),
    "create budget line": Row(
        "POST",
        "/budget",
        ("kader", "operator"),
        201,
        lambda r: {
            "year": 2026,
            "direction": "income",
            "source": "PADes",
            "activity": "Sewa tanah kas",
            "amount": 12_500_000,
        },
    ),
    # LAIN has no budget lines: nothing to announce there (422)
    "announce budget": Row(
        "POST",
        "/budget/announce",
        ("kader", "operator"),
        201,
        elsewhere={"other": 422, "operator@LAIN": 422},
    ),
    # the audit log: those who supervise
    "read audit log": Row("GET", "/audit", ("kades", "bpd", "operator"), 200),
}


def expected(row: Row, who: str) -> int:
    """The answer the policy gives `who` on this endpoint."""
    if who in ("none", "bad"):
        return 401
    role, _, village = who.replace("other", "kader@LAIN").partition("@")
    if role not in row.allowed and role not in row.blind:
        return 403  # the role is checked first, whatever the resource
    if village:
        return row.elsewhere.get(who, 404 if row.one else row.status)
    if role in row.blind:
        return 404
    return row.status


@pytest.mark.parametrize("name", list(ROWS))
def test_rest_matrix(api: Api, name: str) -> None:
    row = ROWS[name]
    answers: dict[str, int] = {}
    resources = fresh_resources(api.engine)
    for who in CALLERS:
        if row.method != "GET":  # a change by one caller must not decide the next caller's answer
            resources = fresh_resources(api.engine)
        path = row.path.format(**resources)
        body = row.body(resources) if row.body else None
        if row.files is not None:
            response = upload(api, path, who, body or {}, row.files())
        else:
            response = api.call(row.method, path, who, body)
        answers[who] = response.status_code
        if response.status_code == 401:
            assert response.headers["WWW-Authenticate"] == "Bearer"
        elif response.status_code == 403:
            role = who.partition("@")[0].replace("other", "kader")
            assert response.json()["detail"].startswith(f"role {role} may not"), response.text
        elif response.status_code == 404:
            assert response.json()["detail"].startswith("no "), response.text  # nothing says more
    assert answers == {who: expected(row, who) for who in CALLERS}


def upload(api: Api, path: str, who: str, form: dict[str, Any], files: Any) -> Any:
    """A multipart request as `who`."""
    caller, _, village = who.partition("@")
    headers = {"Authorization": f"Bearer {api.tokens[caller]}"} if caller in api.tokens else {}
    params = {"village": village or "DEMO"} if caller == "operator" else None
    return api.client.post("/api/v1" + path, data=form, files=files, headers=headers, params=params)


def test_the_matrix_covers_every_endpoint(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    documented = {
        (method.upper(), normalise(path.removeprefix("/api/v1")))
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1")
        for method in item
    }
    assert documented == {(row.method, normalise(row.path)) for row in ROWS.values()}


def normalise(path: str) -> str:
    """One spelling per operation: /tickets/{code} and /tickets/{ticket}, /villages/{code} and
    /villages/DEMO are the same."""
    return "/".join("{x}" if part.startswith("{") or part == "DEMO" else part for part in path.split("/"))


# --- the staff text command matrix -----------------------------------------------------------------------

PHONES = {
    "kader": "+6281300000002",
    "kades": "+6281300000003",
    "bpd": "+6281300000004",
    "operator": "+6281300000001",  # no village of their own: acts on DEMO, the village texted
    "warga": "+6281234599999",  # a resident: no staff number
    "lain": "+6281300000099",  # LAIN's kader, texting DEMO's number
}
PIN = "1234"


@dataclass(frozen=True)
class Command:
    """A text command, and what each sender gets: 'done', 'refused' (their role may not), 'unknown' (the
    ticket does not exist for them), or 'resident' (read as a resident's message)."""

    text: str  # {ticket}, {about_head}, {lain_ticket}: fresh codes
    done: tuple[str, ...]
    refused: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    before: str = ""  # sent first by the same sender, its answer not judged (a SIARAN before YA)

    def outcome(self, sender: str) -> str:
        """The expected outcome for this sender."""
        for name, who in (("done", self.done), ("refused", self.refused), ("unknown", self.unknown)):
            if sender in who:
                return name
        return "resident"


STAFF = ("kader", "kades", "bpd", "operator")
SIARAN = f"SIARAN {PIN} Kerja bakti Minggu 07.00"
COMMANDS = {
    "menu": Command("STAF", STAFF),
    "open tickets": Command("TIKET", STAFF),
    "overdue tickets": Command("TELAT", STAFF),
    "digest": Command("RINGKASAN", ("kades", "bpd", "operator"), refused=("kader",)),
    "look up a ticket": Command("LIHAT {ticket}", STAFF),
    "look up a ticket by TIKET": Command("TIKET {ticket}", STAFF),
    "look up a complaint about the head": Command(
        "LIHAT {about_head}", ("bpd", "operator"), unknown=("kader", "kades")
    ),
    "look up another village's ticket": Command("LIHAT {lain_ticket}", (), unknown=STAFF),
    "verify": Command(
        f"VERIF {{ticket}} {PIN} sudah dicek", ("kader", "kades", "operator"), refused=("bpd",)
    ),
    "progress": Command(
        f"PROSES {{ticket}} {PIN} tukang datang Senin", ("kader", "kades", "operator"), refused=("bpd",)
    ),
    "close": Command(
        f"SELESAI {{ticket}} {PIN} lampu diganti", ("kader", "kades", "operator"), refused=("bpd",)
    ),
    "reject": Command(
        f"TOLAK {{ticket}} {PIN} bukan wilayah desa", ("kader", "kades", "operator"), refused=("bpd",)
    ),
    "forward": Command(
        f"TERUSKAN {{ticket}} {PIN} ke Dinas PU kabupaten", ("kader", "kades", "operator"), refused=("bpd",)
    ),
    "not the village's": Command(
        f"BUKAN {{ticket}} {PIN} jalan provinsi", ("kader", "kades", "operator"), refused=("bpd",)
    ),
    "verify about the head": Command(
        f"VERIF {{about_head}} {PIN} diteruskan ke BPD", ("bpd", "operator"), unknown=("kader", "kades")
    ),
    "forward about the head": Command(
        f"TERUSKAN {{about_head}} {PIN} ke Inspektorat", ("bpd", "operator"), unknown=("kader", "kades")
    ),
    "verify another village's ticket": Command(f"VERIF {{lain_ticket}} {PIN} dicek", (), unknown=STAFF),
    "meeting": Command(
        f"RAPAT {PIN} 12/12 19.30 Balai Desa Musdes RKPDes", ("kader", "operator"), refused=("kades", "bpd")
    ),
    "broadcast": Command(SIARAN, ("kader", "operator"), refused=("kades", "bpd")),
    "emergency": Command(f"DARURAT {PIN} Banjir di Krajan", ("kader", "operator"), refused=("kades", "bpd")),
    # After a SIARAN the role was refused (or that was a resident's), nothing waits: YA is a resident's.
    "confirm": Command("YA", ("kader", "operator"), before=SIARAN),
    "cancel": Command("BATAL", ("kader", "operator"), before=SIARAN),
}
DONE_PREFIXES = (
    "Staf:",
    "Aduan terbuka",
    "Aduan lewat batas",
    "Tidak ada aduan",
    "Ringkasan",
    "Siaran ke",
    "Siaran utk",
    "Dibatalkan,",
    "Musdes RKPDes,",
)
LOOKED_UP = re.compile(r"Aduan [0-9]{6}: ")  # LIHAT's answer


def classify(reply: str, intent: str | None) -> str:
    """What a reply says happened."""
    if intent != "staff":
        return "resident"
    if " kini " in reply or LOOKED_UP.match(reply):  # "... kini bukan wewenang desa" is done, not refused
        return "done"
    if reply.startswith("Maaf,") or " bukan wewenang " in reply:
        return "refused"
    if reply.startswith("Kode ") and "tidak ditemukan" in reply:
        return "unknown"
    if reply.startswith(DONE_PREFIXES):
        return "done"
    return f"unexpected: {reply}"


def lain_staff_and_ticket(engine: Engine) -> str:
    """LAIN's kader with a phone and PIN, and a ticket in LAIN; returns its code."""
    with transaction(engine) as session:
        lain = session.exec(select(Village).where(Village.code == "LAIN")).one()
        assert lain.id is not None
        kader = session.exec(select(Staff).where(Staff.village_id == lain.id)).one()
        kader.phone, kader.pin_hash = PHONES["lain"], session.exec(select(Staff.pin_hash)).first()
        reporter = session.exec(
            select(ContactIdentity.contact_id).where(
                ContactIdentity.village_id == lain.id, ContactIdentity.kind == IdentityKind.PHONE
            )
        ).one()
        _, code = tickets.create(
            session=session,
            village_id=lain.id,
            reporter_id=reporter,
            text="jalan rusak",
            category=Category.INFRASTRUKTUR,
            now=T0,
            channel=Channel.CONSOLE,
        )
    return code


@pytest.fixture
def staff_with_pins(api: Api) -> str:
    """DEMO's staff with PIN 1234 (hashed once), the operator (make_api's, of no village) with a phone
    and the PIN, LAIN's kader too; returns a LAIN ticket code."""
    pin_hash = quick_pin_hash(PIN)
    with transaction(api.engine) as session:
        operator = session.exec(select(Staff).where(Staff.role == Role.OPERATOR)).one()
        assert operator.village_id is None
        operator.phone = PHONES["operator"]
        for member in session.exec(select(Staff).where(col(Staff.phone).is_not(None))).all():
            member.pin_hash = pin_hash
    return lain_staff_and_ticket(api.engine)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_text_command_matrix(api: Api, staff_with_pins: str, name: str) -> None:
    command = COMMANDS[name]
    outcomes: dict[str, str] = {}
    for sender, phone in PHONES.items():
        resources = fresh_resources(api.engine)
        text = command.text.format(**resources, lain_ticket=staff_with_pins)
        before = {
            code: status_of(api.engine, code) for code in (resources["ticket"], resources["about_head"])
        }
        if command.before:
            first = api.client.post(
                "/webhooks/console", json={"from": phone, "to": "+62800000001", "text": command.before}
            )
            assert first.status_code == 200, first.text
        response = api.client.post(
            "/webhooks/console", json={"from": phone, "to": "+62800000001", "text": text}
        )
        assert response.status_code == 200, response.text
        replies = response.json()["replies"]
        assert len(replies) == 1, replies
        outcomes[sender] = classify(replies[0], last_intent(api.engine, phone))
        if outcomes[sender] != "done":  # nothing changed for a refusal, an unknown code or a resident
            after = {code: status_of(api.engine, code) for code in before}
            assert after == before, (sender, replies)
    assert outcomes == {sender: command.outcome(sender) for sender in PHONES}


def status_of(engine: Engine, code: str) -> TicketStatus:
    with Session(engine) as session:
        return session.exec(select(Ticket.status).where(Ticket.code == code)).one()


def last_intent(engine: Engine, phone: str) -> str | None:
    with Session(engine) as session:
        return session.exec(
            select(Message.intent).where(Message.sender == phone).order_by(col(Message.id).desc())
        ).first()


def test_every_refusal_is_one_polite_sms(api: Api, staff_with_pins: str) -> None:
    resources = fresh_resources(api.engine)
    for phone, text in (
        (PHONES["kades"], f"SIARAN {PIN} rapat"),
        (PHONES["bpd"], f"VERIF {resources['ticket']} {PIN} dicek"),
        (PHONES["kader"], "RINGKASAN"),
    ):
        reply = api.client.post(
            "/webhooks/console", json={"from": phone, "to": "+62800000001", "text": text}
        ).json()["replies"][0]
        assert len(reply) <= 160, reply
        assert "Ketik STAF" in reply or "BPD hanya" in reply, reply
    assert t.StaffText.NOT_ALLOWED.startswith("Maaf,")
