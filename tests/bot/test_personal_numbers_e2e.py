"""Phones, NIKs, accounts and e-mail addresses that residents type, however they write them, never reach
Open311 nor, for an anonymous complaint, the API and message log of anyone but the operator.

Complaints are made as residents make them: texts to the demo village's console channel.
"""

import re
from datetime import datetime
from typing import Any

from tests.apiclient import Api

SLAMET, SRI, AGUS, YATI = "+6281234500001", "+6281234500002", "+6285712300003", "+6287812300004"
LONG_DIGIT_RUN = re.compile(r"\d(?:[\W_]*\d){8}")  # 9 digits or more, whatever is between them

COMPLAINTS = {
    SLAMET: "lampu RT 3/RW 5 mati sejak 12/11/2026, hubungi saya 0812 - 3456 - 7890 atau 0812,3456,7890",
    AGUS: "jalan rusak parah depan rumah, dana Rp 1.500.000 belum cair, wa 0812_3456_7891 / 0812/3456/7892",
    YATI: "sampah numpuk jam 07.00-09.00, no hp 0812\u00a03456\u00a07893, email budi.santoso@gmail.com",
}
ANONYMOUS = (
    "ADUAN ANONIM BLT dipotong 100rb, NIK sy 3201/2345/6789/0123 KK 3201.2345.6789.0124, "
    "hp +62 812.3456.7894, rek BRI 0123-01-567890-50-1, sri_w@yahoo.co.id"
)
TYPED = [
    *("0812 - 3456 - 7890", "0812,3456,7890", "0812_3456_7891", "0812/3456/7892", "0812\u00a03456\u00a07893"),
    *("budi.santoso@gmail.com", "3201/2345/6789/0123", "3201.2345.6789.0124", "+62 812.3456.7894"),
    *("0123-01-567890-50-1", "sri_w@yahoo.co.id"),
]
PUBLIC_NOTE = (
    "Sudah ditelepon ke 0813-2222-6666 dan diminta kirim KTP ke petugas@desa.id, NIK 3201234567890125"
)


def report(api: Api, phone: str, text: str) -> str:
    """A complaint texted to the village; returns its tracking code."""
    response = api.client.post("/webhooks/console", json={"from": phone, "to": "+62800000001", "text": text})
    assert response.status_code == 200, response.text
    found = re.search(r"kode (\d{6})", response.json()["replies"][0])
    assert found, response.json()
    return found.group(1)


def leaks(value: Any, where: str = "") -> list[str]:
    """Every string in a JSON answer (datetimes aside) that holds 9 digits or more, or an e-mail address."""
    if isinstance(value, dict):
        return [leak for key, item in value.items() for leak in leaks(item, f"{where}.{key}")]
    if isinstance(value, list):
        return [leak for k, item in enumerate(value) for leak in leaks(item, f"{where}[{k}]")]
    if not isinstance(value, str):
        return []
    try:
        datetime.fromisoformat(value)
        return []
    except ValueError:
        pass
    if LONG_DIGIT_RUN.search(value) or "@" in value:
        return [f"{where}: {value}"]
    return []


def test_no_typed_number_reaches_open311_nor_an_anonymous_complaints_readers(api: Api) -> None:
    codes = {phone: report(api, phone, text) for phone, text in COMPLAINTS.items()}
    anonymous = report(api, SRI, ANONYMOUS)
    api.ok("POST", f"/tickets/{codes[SLAMET]}/notes", "kader", {"text": PUBLIC_NOTE, "public": True})

    # Open311, the public: every complaint, its text and public note.
    listed = api.client.get("/open311/v2/requests.json", params={"jurisdiction_id": "DEMO"})
    assert listed.status_code == 200, listed.text
    requests = listed.json()
    assert {r["service_request_id"] for r in requests} == {*codes.values(), anonymous}
    for code in [*codes.values(), anonymous]:
        one = api.client.get(f"/open311/v2/requests/{code}.json", params={"jurisdiction_id": "DEMO"})
        assert one.status_code == 200, one.text
        requests += one.json()
    assert leaks(requests) == []
    for typed in TYPED:
        assert typed not in listed.text
    descriptions = " ".join(r["description"] for r in requests)
    for kept in ("RT 3/RW 5", "12/11/2026", "Rp 1.500.000", "07.00-09.00", "100rb"):
        assert kept in descriptions
    notes = {r["service_request_id"]: r["status_notes"] for r in requests}
    assert notes[codes[SLAMET]] == (
        "Sudah ditelepon ke [disembunyikan] dan diminta kirim KTP ke [disembunyikan], NIK [disembunyikan]"
    )

    # The API and the message log: an anonymous complaint's numbers for no one but the operator.
    for who in ("kader", "kades", "bpd"):
        detail = api.ok("GET", f"/tickets/{anonymous}", who)
        assert detail["reporter"] is None, who
        assert leaks(detail) == [], who
        assert "BLT dipotong 100rb" in detail["text"], who
        listed_for = [t for t in api.ok("GET", "/tickets", who) if t["code"] == anonymous]
        assert leaks(listed_for) == [], who
    log = [m for m in api.ok("GET", "/messages", "kader", direction="in") if m["masked"]]
    assert leaks([[m["body"], m["replies"]] for m in log]) == []
    assert any("BLT dipotong 100rb" in m["body"] for m in log)
    # The operator reads the complaint as written.
    assert "3201/2345/6789/0123" in api.ok("GET", f"/tickets/{anonymous}", "operator")["text"]
