"""Ids from outside never reach a query out of the id column's range: huge numbers in REST API paths and
query strings are 422 (in range but unknown: 404), never a 500, on SQLite (64-bit ids) and PostgreSQL
(32-bit `integer` ids). The webhooks' ids (the gateway's messageId, Twilio's ?o=) are tested with them:
tests/bot/test_smsgate_webhook.py and tests/bot/test_twilio_status.py."""

import pytest

from models.base import MAX_ID
from tests.apiclient import Api

OUT_OF_RANGE = [MAX_ID + 1, 3_000_000_000, 2**63, 10**20, 10**40]
PATHS = [
    ("GET", "/staff/{id}", None),
    ("PATCH", "/staff/{id}", {"name": "Siti"}),
    ("GET", "/meetings/{id}", None),
    ("POST", "/meetings/{id}/cancel", None),
    ("GET", "/broadcasts/{id}", None),
    ("POST", "/broadcasts/{id}/approve", None),
    ("POST", "/broadcasts/{id}/cancel", None),
    ("GET", "/decisions/{id}", None),
    ("GET", "/contacts/{id}", None),
    ("PATCH", "/contacts/{id}", {"name": "Pak Budi"}),
    ("DELETE", "/villages/DEMO/addresses/{id}", None),
]
QUERIES = [("/broadcasts", "meeting_id"), ("/messages", "contact_id")]


@pytest.mark.parametrize(("method", "path", "body"), PATHS)
def test_path_ids_out_of_range_are_422_and_unknown_ones_404(
    api: Api, method: str, path: str, body: dict[str, str] | None
) -> None:
    for value in OUT_OF_RANGE:
        response = api.call(method, path.format(id=value), "operator", body)
        assert response.status_code == 422, (value, response.status_code, response.text)
    response = api.call(method, path.format(id=MAX_ID), "operator", body)
    assert response.status_code == 404, (response.status_code, response.text)


@pytest.mark.parametrize(("path", "name"), QUERIES)
def test_query_ids_out_of_range_are_422(api: Api, path: str, name: str) -> None:
    for value in OUT_OF_RANGE:
        response = api.call("GET", path, "operator", params={name: value})
        assert response.status_code == 422, (value, response.status_code, response.text)
    assert api.call("GET", path, "operator", params={name: MAX_ID}).status_code == 200
