"""What the REST API accepts and answers: XCreate / XUpdate bodies and XPublic answers, with examples,
one module per resource (broadcasts, meetings, decisions, budget, contacts, tickets, staff, villages,
messages, audit) over what they share (base).

Times are answered in UTC; bodies take any ISO 8601 time with its offset (a time without one is refused).
Money is integer Rupiah, with the Indonesian spelling beside it (`cost_text`: "Rp2.100").
"""

from bot.routes.api.schemas.base import (
    INT4_MAX,
    RUPIAH_MAX,
    Body,
    Id,
    Label,
    Moment,
    NoBraces,
    Problem,
    Responses,
    UTCTime,
    forbid_extra,
    problems,
)

__all__ = [
    "INT4_MAX",
    "RUPIAH_MAX",
    "Body",
    "Id",
    "Label",
    "Moment",
    "NoBraces",
    "Problem",
    "Responses",
    "UTCTime",
    "forbid_extra",
    "problems",
]
