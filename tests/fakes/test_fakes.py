"""The fake providers speak their protocols: auth, bodies, errors, faults, signed callbacks."""

import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl

import httpx
import pytest
from twilio.request_validator import RequestValidator

from . import meta as meta_fake
from . import smsgate as gate_fake
from ._server import AutoCallbacks, Faults, Receiver, sms_parts
from .meta import FakeMeta
from .smsgate import FakeSmsGate
from .twilio import FakeTwilio

PUBLIC = "https://kentongan.example.id"
RESIDENT = "+6281234500001"


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


@pytest.fixture
def twilio(receiver: Receiver) -> Iterator[FakeTwilio]:
    with FakeTwilio(callback_routes={PUBLIC: receiver.url}) as fake:
        yield fake


@pytest.fixture
def meta(receiver: Receiver) -> Iterator[FakeMeta]:
    with FakeMeta(webhook_url=receiver.url + "/webhooks/whatsapp") as fake:
        yield fake


@pytest.fixture
def gate(receiver: Receiver) -> Iterator[FakeSmsGate]:
    with FakeSmsGate(webhook_url=receiver.url + "/webhooks/smsgate") as fake:
        yield fake


def twilio_send(http: httpx.Client, fake: FakeTwilio, **form: str) -> httpx.Response:
    return http.post(fake.api_url, data=form, auth=(fake.account_sid, fake.auth_token))


def meta_send(http: httpx.Client, fake: FakeMeta, body: object) -> httpx.Response:
    return http.post(fake.api_url(), json=body, headers={"Authorization": f"Bearer {fake.access_token}"})


def gate_send(
    http: httpx.Client, fake: FakeSmsGate, body: object, path: str = "/3rdparty/v1/messages"
) -> httpx.Response:
    return http.post(fake.url + path, json=body, auth=(fake.username, fake.password))


# -- shared machinery ---------------------------------------------------------------------------------


def test_fault_plans_are_deterministic_per_seed() -> None:
    faults = Faults(rate=0.3, kinds=("500", "429", "timeout"), seed=7, script=("accept_then_drop", None))
    plan = faults.plan(200)
    assert plan == faults.plan(200)
    assert plan[:2] == ["accept_then_drop", None]
    assert {k for k in plan if k} == {"accept_then_drop", "500", "429", "timeout"}
    assert 30 < sum(k is not None for k in plan[2:]) < 90
    assert plan != Faults(rate=0.3, kinds=("500", "429", "timeout"), seed=8).plan(200)
    with pytest.raises(ValueError, match="unknown fault"):
        Faults(kinds=("503",))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("[" * 80, 1),
        ("[" * 81, 2),
        ("é" * 160, 1),
        ("“" * 70, 1),
        ("“" * 71, 2),
    ],
)
def test_sms_parts(text: str, parts: int) -> None:
    assert sms_parts(text) == parts


# -- Twilio -------------------------------------------------------------------------------------------


def test_twilio_refuses_wrong_credentials(http: httpx.Client, twilio: FakeTwilio) -> None:
    response = http.post(
        twilio.api_url, data={"To": RESIDENT, "From": "+62800000001", "Body": "x"}, auth=("AC1", "no")
    )
    assert response.status_code == 401
    assert response.json()["code"] == 20003
    assert response.json()["more_info"] == "https://www.twilio.com/docs/errors/20003"
    assert twilio.accepted == []
    assert twilio.requests[0].outcome == "unauthorized"


def test_twilio_accepts_sms_with_its_message_json(http: httpx.Client, twilio: FakeTwilio) -> None:
    before = time.monotonic()
    response = twilio_send(
        http,
        twilio,
        To=RESIDENT,
        From="+62800000001",
        Body="Kerja bakti Minggu pagi",
        StatusCallback=PUBLIC + "/s",
    )
    assert response.status_code == 201
    message = response.json()
    assert re.fullmatch(r"SM[0-9a-f]{32}", message["sid"])
    assert (message["status"], message["to"], message["from"], message["num_segments"]) == (
        "queued",
        RESIDENT,
        "+62800000001",
        "1",
    )
    assert message["error_code"] is None
    assert message["uri"] == f"/2010-04-01/Accounts/{twilio.account_sid}/Messages/{message['sid']}.json"
    (request,) = twilio.requests
    assert request.body["Body"] == "Kerja bakti Minggu pagi"
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert before <= request.at <= time.monotonic()
    (accepted,) = twilio.accepted
    assert (accepted.id, accepted.to, accepted.channel, accepted.callback_url) == (
        message["sid"],
        RESIDENT,
        "sms",
        PUBLIC + "/s",
    )


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"From": "+62800000001", "Body": "x"}, 21604),
        ({"To": RESIDENT, "Body": "x"}, 21603),
        ({"To": "0812345", "From": "+62800000001", "Body": "x"}, 21211),
        ({"To": RESIDENT, "From": "+62800000001", "Body": "x" * 1601}, 21617),
        ({"To": f"whatsapp:{RESIDENT}", "From": "whatsapp:+62800000001", "ContentSid": "HX12"}, 21655),
        ({"To": RESIDENT, "From": "+62800000001", "Body": "x", "ValidityPeriod": "36001"}, 21624),
        ({"To": f"whatsapp:{RESIDENT}", "From": "+62800000001", "Body": "x"}, 21910),
    ],
)
def test_twilio_validates_like_twilio(
    http: httpx.Client, twilio: FakeTwilio, form: dict[str, str], code: int
) -> None:
    response = twilio_send(http, twilio, **form)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["status"] == 400
    assert twilio.accepted == []


def test_twilio_fail_for_answers_in_the_response_then_recovers(
    http: httpx.Client, twilio: FakeTwilio
) -> None:
    twilio.fail_for("081234500001", 21610, times=1)
    form = {"To": RESIDENT, "From": "+62800000001", "Body": "x"}
    first = twilio_send(http, twilio, **form)
    assert (first.status_code, first.json()["code"]) == (400, 21610)
    assert twilio_send(http, twilio, **form).status_code == 201


def test_twilio_injected_faults_use_twilio_bodies(http: httpx.Client) -> None:
    with FakeTwilio(faults=Faults(script=("500", "429"))) as fake:
        form = {"To": RESIDENT, "From": "+62800000001", "Body": "x"}
        responses = [twilio_send(http, fake, **form) for _ in range(3)]
    assert [r.status_code for r in responses] == [500, 429, 201]
    assert [r.json()["code"] for r in responses[:2]] == [20500, 20429]
    assert [r.outcome for r in fake.requests] == ["fault:500", "fault:429", "accepted"]


def test_timeout_holds_the_request_and_accepts_nothing() -> None:
    with FakeTwilio(faults=Faults(script=("timeout", "timeout"), timeout=0.3)) as fake:
        form = {"To": RESIDENT, "From": "+62800000001", "Body": "x"}
        auth = (fake.account_sid, fake.auth_token)
        with httpx.Client(timeout=0.05) as quick, pytest.raises(httpx.ReadTimeout):
            quick.post(fake.api_url, data=form, auth=auth)
        started = time.monotonic()
        with httpx.Client(timeout=2) as patient, pytest.raises(httpx.RemoteProtocolError):
            patient.post(fake.api_url, data=form, auth=auth)
        assert time.monotonic() - started >= 0.3
    assert fake.accepted == []
    assert [r.status for r in fake.requests] == [None, None]
    assert [r.outcome for r in fake.requests] == ["fault:timeout; client disconnected", "fault:timeout"]


def test_accept_then_drop_records_the_message_but_never_answers(http: httpx.Client) -> None:
    with FakeTwilio(faults=Faults(script=("accept_then_drop",))) as fake:
        with pytest.raises(httpx.RemoteProtocolError):
            twilio_send(http, fake, To=RESIDENT, From="+62800000001", Body="x")
        assert len(fake.accepted) == 1
        assert fake.requests[0].outcome == "fault:accept_then_drop"


def test_latency_delays_answers(http: httpx.Client) -> None:
    with FakeTwilio(latency=0.1) as fake:
        started = time.monotonic()
        twilio_send(http, fake, To=RESIDENT, From="+62800000001", Body="x")
        assert time.monotonic() - started >= 0.1


def test_twilio_whatsapp_callbacks_are_signed_for_the_public_url(
    http: httpx.Client, twilio: FakeTwilio, receiver: Receiver
) -> None:
    callback = PUBLIC + "/webhooks/twilio/status?village=1"
    sid = twilio_send(
        http,
        twilio,
        To=f"whatsapp:{RESIDENT}",
        From="whatsapp:+62800000001",
        Body="Halo",
        StatusCallback=callback,
    ).json()["sid"]
    results = twilio.emit_statuses(sid)
    assert [r.event for r in results] == ["sent", "delivered", "read"]
    assert all(r.ok for r in results)
    validator = RequestValidator(twilio.auth_token)
    for request in receiver.requests:
        form = dict(parse_qsl(request.raw.decode()))
        assert request.path == "/webhooks/twilio/status"
        assert validator.validate(callback, form, request.headers["X-Twilio-Signature"])
        assert form["MessageSid"] == form["SmsSid"] == sid
        assert form["ChannelPrefix"] == "whatsapp"
        assert form["To"] == f"whatsapp:{RESIDENT}"
    assert [dict(parse_qsl(r.raw.decode())).get("EventType") for r in receiver.requests] == [
        None,
        "DELIVERED",
        "READ",
    ]


def test_twilio_whatsapp_user_ids_and_the_window(http: httpx.Client, receiver: Receiver) -> None:
    with FakeTwilio(enforce_window=True, callback_routes={PUBLIC: receiver.url}) as fake:
        sender = "whatsapp:+62800000001"
        fake.open_window("whatsapp:US.13491208655302741918")
        user = twilio_send(
            http, fake, To="whatsapp:US.13491208655302741918", From=sender, Body="x", StatusCallback=PUBLIC
        )
        stranger = twilio_send(
            http, fake, To=f"whatsapp:{RESIDENT}", From=sender, Body="x", StatusCallback=PUBLIC
        )
        assert (user.status_code, stranger.status_code) == (201, 201)
        assert [r.event for r in fake.emit_statuses(user.json()["sid"])] == ["sent", "delivered", "read"]
        (failed,) = fake.emit_statuses(stranger.json()["sid"])
    assert dict(parse_qsl(failed.body.decode()))["ErrorCode"] == "63016"


def test_twilio_outside_window_fails_in_the_callback(http: httpx.Client, twilio: FakeTwilio) -> None:
    twilio.fail_for(RESIDENT, 63016)
    response = twilio_send(
        http,
        twilio,
        To=f"whatsapp:{RESIDENT}",
        From="whatsapp:+62800000001",
        Body="Halo",
        StatusCallback=PUBLIC,
    )
    assert response.status_code == 201
    (failed,) = twilio.emit_statuses(response.json()["sid"])
    form = dict(parse_qsl(failed.body.decode()))
    assert (form["MessageStatus"], form["ErrorCode"], form["EventType"]) == ("failed", "63016", "UNDELIVERED")


def test_twilio_repeats_are_exact_retries(http: httpx.Client, twilio: FakeTwilio, receiver: Receiver) -> None:
    response = twilio_send(http, twilio, To=RESIDENT, From="+62800000001", Body="x", StatusCallback=PUBLIC)
    sid = response.json()["sid"]
    results = twilio.emit_statuses(sid, "undelivered", shuffle=True, repeat=2, seed=3)
    assert len(results) == 4
    assert sorted({r.event for r in results}) == ["sent", "undelivered"]
    tokens = [r.headers["I-Twilio-Idempotency-Token"] for r in results]
    assert len(set(tokens)) == 2
    undelivered = next(r for r in results if r.event == "undelivered")
    assert dict(parse_qsl(undelivered.body.decode()))["ErrorCode"] == "30003"
    assert len(receiver.requests) == 4


def test_callbacks_go_only_to_this_machine(http: httpx.Client) -> None:
    with FakeTwilio() as fake:
        form = {"To": RESIDENT, "From": "+62800000001", "Body": "x", "StatusCallback": PUBLIC + "/s"}
        sid = twilio_send(http, fake, **form).json()["sid"]
        with pytest.raises(ValueError, match="only to this machine"):
            fake.emit_statuses(sid)


def test_twilio_automatic_callbacks(http: httpx.Client, receiver: Receiver) -> None:
    auto = AutoCallbacks(delay=0.0)
    with FakeTwilio(callback_routes={PUBLIC: receiver.url}, auto_callbacks=auto) as fake:
        twilio_send(http, fake, To=RESIDENT, From="+62800000001", Body="x", StatusCallback=PUBLIC + "/s")
        results = fake.wait_for_callbacks(2)
    assert [r.event for r in results] == ["sent", "delivered"]
    assert fake.max_in_window(1.0) == 1


def test_emit_pending_and_rate_measures(http: httpx.Client, twilio: FakeTwilio, receiver: Receiver) -> None:
    for to in (RESIDENT, RESIDENT, "+6281234500002"):
        twilio_send(http, twilio, To=to, From="+62800000001", Body="x", StatusCallback=PUBLIC + "/s")
    assert twilio.max_in_window(1.0) == 3
    assert twilio.max_in_window(6.0, per_recipient=True) == 2
    assert twilio.duplicates() == {(RESIDENT, "x", None): 2}
    results = twilio.emit_pending()
    assert len(results) == 6
    assert twilio.emit_pending() == []
    assert len(receiver.requests) == 6


# -- Meta WhatsApp Cloud API --------------------------------------------------------------------------


def test_meta_refuses_a_wrong_token(http: httpx.Client, meta: FakeMeta) -> None:
    body = {"messaging_product": "whatsapp", "to": "6281234500001", "type": "text", "text": {"body": "x"}}
    response = http.post(meta.api_url(), json=body, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("OAuthException", 190)
    assert error["fbtrace_id"]


def test_meta_accepts_text_with_its_body(http: httpx.Client, meta: FakeMeta) -> None:
    to = "6281234500001"
    response = meta_send(
        http, meta, {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": "x"}}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": to, "wa_id": to}]
    assert body["messages"][0]["id"].startswith("wamid.")
    assert meta.accepted[0].to == "+" + to


def test_meta_validates_shapes_with_code_100(http: httpx.Client, meta: FakeMeta) -> None:
    response = meta_send(http, meta, {"to": "6281234500001", "type": "text", "text": {"body": "x"}})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 100
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert "messaging_product" in error["message"]


def test_meta_errors_arrive_where_meta_reports_them(
    http: httpx.Client, meta: FakeMeta, receiver: Receiver
) -> None:
    meta.fail_for("+6281234500001", 131056)
    meta.fail_for("+6281234500002", 131047)
    text = {"messaging_product": "whatsapp", "type": "text", "text": {"body": "x"}}
    limited = meta_send(http, meta, {**text, "to": "6281234500001"})
    assert limited.status_code == 400
    assert limited.json()["error"]["code"] == 131056
    assert limited.json()["error"]["error_data"]["details"]
    outside = meta_send(http, meta, {**text, "to": "6281234500002"})
    assert outside.status_code == 200
    (failed,) = meta.emit_statuses(outside.json()["messages"][0]["id"])
    status = json.loads(receiver.requests[0].raw)["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert failed.event == "failed"
    assert status["errors"][0]["code"] == 131047
    assert status["recipient_id"] == "6281234500002"


def test_meta_checks_templates_when_told_them(http: httpx.Client) -> None:
    template = {"name": "rapat_desa", "language": {"code": "id"}, "components": []}
    body = {"messaging_product": "whatsapp", "to": "6281234500001", "type": "template", "template": template}
    with FakeMeta(templates={"rapat_desa": 1}) as fake:
        unknown = meta_send(http, fake, {**body, "template": {**template, "name": "tidak_ada"}})
        mismatch = meta_send(http, fake, body)
        parameters = [{"type": "body", "parameters": [{"type": "text", "text": "Senin"}]}]
        accepted = meta_send(http, fake, {**body, "template": {**template, "components": parameters}})
    assert unknown.json()["error"]["code"] == 132001
    assert mismatch.json()["error"]["code"] == 132000
    assert accepted.json()["messages"][0]["message_status"] == "accepted"
    assert fake.accepted[0].variables == ("Senin",)


def test_meta_rate_limit_fault(http: httpx.Client) -> None:
    with FakeMeta(faults=Faults(script=("429",)), rate_limit_status=429) as fake:
        body = {"messaging_product": "whatsapp", "to": "6281234500001", "type": "text", "text": {"body": "x"}}
        response = meta_send(http, fake, body)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == 130429


def test_meta_signature_matches_the_documented_vector() -> None:
    expected = "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914"
    assert meta_fake.signature("secret", b"test") == expected


def test_meta_status_webhooks_are_signed_over_the_raw_body(
    http: httpx.Client, meta: FakeMeta, receiver: Receiver
) -> None:
    body = {"messaging_product": "whatsapp", "to": "6281234500001", "type": "text", "text": {"body": "Halo"}}
    wamid = meta_send(http, meta, body).json()["messages"][0]["id"]
    results = meta.emit_statuses(wamid, statuses=["read", "delivered", "delivered"])
    assert [r.status for r in results] == [200, 200, 200]
    for request in receiver.requests:
        digest = hmac.new(meta.app_secret.encode(), request.raw, hashlib.sha256).hexdigest()
        assert request.headers["X-Hub-Signature-256"] == f"sha256={digest}"
        value = json.loads(request.raw)["entry"][0]["changes"][0]["value"]
        assert value["metadata"] == {
            "display_phone_number": "6280000000001",
            "phone_number_id": meta.phone_number_id,
        }
    statuses = [
        json.loads(r.raw)["entry"][0]["changes"][0]["value"]["statuses"][0] for r in receiver.requests
    ]
    assert [s["status"] for s in statuses] == ["read", "delivered", "delivered"]
    assert {s["id"] for s in statuses} == {wamid}


def test_meta_inbound_builder_posts_mixed_events(meta: FakeMeta, receiver: Receiver) -> None:
    first = meta_fake.text_message("6281234500001", "Jalan rusak di RT 3 — tolong")
    payload = meta_fake.webhook(
        messages=[
            first,
            first,
            meta_fake.image_message("6281234500001", caption="foto"),
            meta_fake.button_message("6281234500002", "Ya", "YA"),
            meta_fake.interactive_message(
                "6281234500002", "opt-1", "Hadir", kind="list_reply", description="Rapat"
            ),
            meta_fake.location_message("6281234500003", -7.25, 112.75, name="Balai desa"),
            meta_fake.text_message(None, "halo", user_id="ID.1502576394655843"),
        ],
        statuses=[meta_fake.status_object("wamid.X", "delivered", "6281234500009")],
    )
    result = meta.post_webhook(payload)
    assert result.ok
    (request,) = receiver.requests
    assert b"\\u2014" in request.raw  # non-ASCII escaped as Meta does
    value = json.loads(request.raw)["entry"][0]["changes"][0]["value"]
    assert [m["type"] for m in value["messages"]] == [
        "text",
        "text",
        "image",
        "button",
        "interactive",
        "location",
        "text",
    ]
    assert value["messages"][0]["id"] == value["messages"][1]["id"]
    assert {"profile": {"name": "Slamet"}, "user_id": "ID.1502576394655843"} in value["contacts"]
    assert "from" not in value["messages"][-1]
    assert value["statuses"][0]["status"] == "delivered"


# -- SMS Gateway for Android --------------------------------------------------------------------------


def test_gate_refuses_wrong_credentials(http: httpx.Client, gate: FakeSmsGate) -> None:
    body = {"textMessage": {"text": "x"}, "phoneNumbers": [RESIDENT]}
    response = http.post(gate.api_url, json=body, auth=("sms", "wrong"))
    assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})


def test_gate_accepts_then_answers_409_for_a_repeated_id(http: httpx.Client, gate: FakeSmsGate) -> None:
    body = {
        "id": "outbox-17",
        "textMessage": {"text": "Posyandu besok"},
        "phoneNumbers": [RESIDENT],
        "ttl": 3600,
    }
    first = gate_send(http, gate, body)
    assert first.status_code == 202
    assert first.headers["Location"] == "/3rdparty/v1/messages/outbox-17"
    state = first.json()
    assert (state["id"], state["state"], state["recipients"]) == (
        "outbox-17",
        "Pending",
        [{"phoneNumber": RESIDENT, "state": "Pending"}],
    )
    again = gate_send(http, gate, body)
    assert (again.status_code, again.json()) == (409, {"message": "duplicate id"})
    assert len(gate.accepted) == 1


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"textMessage": {"text": "x"}, "phoneNumbers": ["081234500001"]}, "can't use phone in row 1"),
        ({"textMessage": {"text": "x"}}, "'PhoneNumbers' failed on the 'required' tag"),
        ({"phoneNumbers": [RESIDENT]}, "must specify exactly one of"),
        (
            {"id": "x" * 37, "textMessage": {"text": "x"}, "phoneNumbers": [RESIDENT]},
            "'ID' failed on the 'max' tag",
        ),
    ],
)
def test_gate_validates(
    http: httpx.Client, gate: FakeSmsGate, body: dict[str, object], fragment: str
) -> None:
    response = gate_send(http, gate, body)
    assert response.status_code == 400
    assert fragment in response.json()["message"]


def test_gate_local_server_path_and_legacy_message(http: httpx.Client, gate: FakeSmsGate) -> None:
    response = gate_send(http, gate, {"message": "x", "phoneNumbers": [RESIDENT]}, path="/message")
    assert response.status_code == 202
    assert gate.accepted[0].body == "x"


def test_gate_webhooks_one_delivered_per_part_signed(
    http: httpx.Client, gate: FakeSmsGate, receiver: Receiver
) -> None:
    hook = http.post(
        gate.url + "/3rdparty/v1/webhooks",
        json={"url": receiver.url + "/hooks/delivered", "event": "sms:delivered"},
        auth=(gate.username, gate.password),
    )
    assert hook.status_code == 201
    text = "Pengumuman " * 20  # 220 GSM-7 characters: 2 parts
    response = gate_send(http, gate, {"textMessage": {"text": text}, "phoneNumbers": [RESIDENT]})
    message_id = response.json()["id"]
    results = gate.emit_statuses(message_id)
    assert [r.event for r in results] == ["sms:sent", "sms:delivered", "sms:delivered"]
    assert [r.url.rsplit("/", 1)[-1] for r in results] == ["smsgate", "delivered", "delivered"]
    for request in receiver.requests:
        stamp = request.headers["X-Timestamp"]
        expected = hmac.new(
            gate.signing_key.encode(), request.raw + stamp.encode(), hashlib.sha256
        ).hexdigest()
        assert request.headers["X-Signature"] == expected
        assert abs(int(stamp) - time.time()) < 5
    events = [json.loads(r.raw) for r in receiver.requests]
    assert events[0]["payload"]["partsCount"] == 2
    assert events[1]["webhookId"] == hook.json()["id"]
    assert {e["payload"]["messageId"] for e in events} == {message_id}
    assert gate.message_state(message_id)["state"] == "Delivered"


def test_gate_failure_reason_and_timestamp_skew(
    http: httpx.Client, gate: FakeSmsGate, receiver: Receiver
) -> None:
    gate.fail_for(RESIDENT, "RESULT_ERROR_NO_SERVICE")
    response = gate_send(http, gate, {"textMessage": {"text": "x"}, "phoneNumbers": [RESIDENT]})
    message_id = response.json()["id"]
    (failed,) = gate.emit_statuses(message_id, skew=-600)
    event = json.loads(failed.body)
    assert (event["event"], event["payload"]["reason"]) == ("sms:failed", "RESULT_ERROR_NO_SERVICE")
    assert time.time() - int(receiver.requests[0].headers["X-Timestamp"]) >= 595
    assert gate.message_state(message_id)["recipients"][0]["state"] == "Failed"


def test_gate_follows_an_injected_clock(http: httpx.Client, receiver: Receiver) -> None:
    t0 = 1796180400.0  # 2026-12-02 03:00 UTC, 10:00 WIB
    with FakeSmsGate(webhook_url=receiver.url, clock=lambda: t0) as fake:
        gate_send(http, fake, {"id": "5", "textMessage": {"text": "x"}, "phoneNumbers": [RESIDENT]})
        (sent,) = fake.emit_statuses("5", "sent")
    assert sent.headers["X-Timestamp"] == "1796180400"
    assert json.loads(sent.body)["payload"]["sentAt"] == "2026-12-02T10:00:00.000+07:00"


def test_gate_automatic_webhooks(http: httpx.Client, receiver: Receiver) -> None:
    url = receiver.url + "/hooks"
    with FakeSmsGate(webhook_url=url, auto_callbacks=AutoCallbacks(delay=0.0)) as fake:
        gate_send(http, fake, {"textMessage": {"text": "x"}, "phoneNumbers": [RESIDENT, "+6281234500002"]})
        results = fake.wait_for_callbacks(4)
    assert sorted(r.event for r in results) == ["sms:delivered"] * 2 + ["sms:sent"] * 2
    assert all(r.ok for r in results)


def test_gate_inbound_builder_keeps_national_senders(gate: FakeSmsGate, receiver: Receiver) -> None:
    (result,) = gate.post_received("081234500001", "lampu jalan mati <RT 2>")
    assert result.ok
    raw = receiver.requests[0].raw
    assert b"\\u003cRT 2\\u003e" in raw  # Gson escapes HTML characters
    event = json.loads(raw)
    assert event["event"] == "sms:received"
    assert (event["payload"]["sender"], event["payload"]["message"]) == (
        "081234500001",
        "lampu jalan mati <RT 2>",
    )
    assert event["payload"]["receivedAt"].endswith("+07:00")
    again = gate_fake.received_event("081234500001", "lampu jalan mati <RT 2>")
    assert again["payload"]["messageId"] == event["payload"]["messageId"]
    assert again["id"] != event["id"]
