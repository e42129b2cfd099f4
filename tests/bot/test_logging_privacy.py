"""Numbers and message texts stay out of the logs: provider ids that carry numbers, SQL parameters of a
failed statement, and query strings in the access log."""

import io
import logging

from bot import logs
from bot.app import _QUERYLESS, quiet_query_strings
from bot.db import make_engine
from bot.logs import mask_numbers, mask_numbers_in_logs
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


def test_numbers_in_text_we_do_not_word_are_masked() -> None:
    detail = "DETAIL:  Key (village_id, kind, value)=(1, phone, +6281234567890) already exists."
    assert mask_numbers(detail) == detail.replace("+6281234567890", "+62812****7890")
    assert "3456" not in mask_numbers("gateway sender 6281234567890 and 081234567890 refused")
    kept = (
        "outbox row 123456789 failed at 2026-12-07T19:50:38.123456+00:00 from 127.0.0.1:5000; "
        "inbound SM0123456789abcdef0123456789abcdef from +62812****7890"
    )
    assert mask_numbers(kept) == kept


def test_the_filter_masks_messages_and_tracebacks_on_every_handler() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        mask_numbers_in_logs()
        mask_numbers_in_logs()  # idempotent
        assert handler.filters.count(logs._MASK) == 1
        log = logging.getLogger("kentongan.test")
        try:
            raise ValueError("duplicate key value (phone, +6281234567890)")
        except ValueError:
            log.exception("inbound from %s failed", "081234567890")
    finally:
        root.removeHandler(handler)
    written = stream.getvalue()
    assert "Traceback" in written
    assert "+62812****7890" in written  # masked as our own log lines mask numbers
    assert "+6281234567890" not in written
    assert "081234567890" not in written
