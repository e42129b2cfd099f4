"""Staff by text message: registered staff numbers work from a feature phone by SMS or WhatsApp.

The package, in the order a command travels:

    grammar.py            where staff SMS commands are parsed: a text into a Command (pure, no query);
                          the cheap checks before any query (`head`, `keyword`, `answer_of`)
    commands.py           the Commands the grammar returns, the PIN each holds and the right each needs
    dates.py              RAPAT's date and time (`parse_when`)
    run.py                where they are carried out: `handle` finds the sender and dispatches the command
    turn.py               what every action shares: the PIN check, refusals, the audit log (`Turn`)
    confirmation.py       the wait for YA after RAPAT, SIARAN and DARURAT
    reading.py            STAF, TIKET, TELAT, LIHAT, RINGKASAN
    ticket_actions.py     VERIF, PROSES, SELESAI, TOLAK, TERUSKAN, BUKAN
    broadcast_actions.py  RAPAT (`prepare_meeting`, `create_meeting`), SIARAN and DARURAT
                          (`prepare_broadcast`, `create_broadcast`)
    wording.py            replies fitted to one GSM-7 SMS (texts in models/texts.py: StaffText)
    pin_mask.py           the PIN masked in the stored message

The pipeline (handlers/pipeline.py) asks `keyword` and `confirmation_waits` before anything costs a query,
and `handle` for a message that may be a staff command; the names it and others use are below.
"""

from handlers.staff_commands.confirmation import WAITING_NOTE, confirmation_waits
from handlers.staff_commands.grammar import keyword
from handlers.staff_commands.pin_mask import MASK
from handlers.staff_commands.run import INTENT, handle, may_concern_staff
from handlers.staff_commands.turn import Handled

__all__ = [
    "INTENT",
    "MASK",
    "WAITING_NOTE",
    "Handled",
    "confirmation_waits",
    "handle",
    "keyword",
    "may_concern_staff",
]
