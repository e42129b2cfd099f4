"""Numbers and message texts stay out of the logs: provider ids that carry numbers, SQL parameters of a
failed statement, and query strings in the access log."""

import logging

from bot.app import _QUERYLESS, quiet_query_strings
from bot.db import make_engine
from models.phone import log_id


def test_a_wamid_is_logged_as_a_digest_other_ids_as_they_are() -> None:
    wamid = "wamid.HBgNNjI4MTIzNDUwMDAwMRUCABIYIDNBMEY5QjI0"  # base64 of the sender's number and more
    assert log_id(wamid).startswith("wamid#")
    assert "HBgN" not in log_id(wamid)
    assert log_id(wamid) == log_id(wamid)
    assert log_id("SM0123456789abcdef0123456789abcdef") == "SM0123456789abcdef0123456789abcdef"


def test_failed_statements_do_not_log_their_parameters(tmp_path: object) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/x.db")
    assert engine.hide_parameters
    engine.dispose()


def test_the_access_log_drops_query_strings() -> None:
    quiet_query_strings()
    quiet_query_strings()  # idempotent
    access = logging.getLogger("uvicorn.access")
    assert access.filters.count(_QUERYLESS) == 1
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/contacts?q=081234567890", "1.1", 200),
        None,
    )
    assert _QUERYLESS.filter(record)
    assert "0812" not in record.getMessage()
    assert "/api/v1/contacts?..." in record.getMessage()
