"""Phone numbers stay out of the logs, whoever writes them.

Our own log lines mask numbers where they write them (`models.phone.mask`), but some text reaches the log
that we do not word: a database error quotes the row it refused ("Key (village_id, kind, value)=(1,
phone, +6281234567890) already exists"), a library's traceback, a provider's error body. This filter,
on every handler of the root and uvicorn loggers, masks what looks like a phone number in each record's
message and traceback before it is written. It is narrow on purpose (E.164, 62..., 08...): row ids,
timestamps, addresses and provider ids stay readable.
"""

import logging
import re

from models.phone import mask

# A number as a phone shows it, not inside a word or an id ("SM0812..." stays), nor one already masked.
_PHONE = re.compile(r"(?<![\w*+])(?:\+\d{8,15}|62\d{8,13}|0[1-9]\d{7,12})(?![\w*])")
_FORMATTER = logging.Formatter()


def mask_numbers(text: str) -> str:
    """`text` with every phone number in it masked as the logs show them: +62812****7890."""
    if not any(ch.isdigit() for ch in text):
        return text
    return _PHONE.sub(lambda m: mask(m.group(0)), text)


class MaskNumbers(logging.Filter):
    """Masks phone numbers in a record's message and traceback (a handler filter: it sees every record
    the handler writes, from any logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: logging reports that itself
            return True
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_numbers(record.exc_text)
        return True


_MASK = MaskNumbers()
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.access")


def mask_numbers_in_logs() -> None:
    """Put the filter on every handler of the root and uvicorn loggers; safe to call again (call it once
    logging is configured: handlers added later are not covered)."""
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if _MASK not in handler.filters:
                handler.addFilter(_MASK)
